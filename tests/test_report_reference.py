"""mbr's reference .docx: made by templates/make_reference.py, holding every style used."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path
from types import ModuleType

import docx
import pytest

from mbr.report import CompileOptions, compile_report
from mbr.report.docx_styles import COMMENT_STYLES, StyleBook
from mbr.report.markup import parse_markup
from mbr.report.model import ReportInput, build_report_model
from mbr.report.render import BUILTIN_TEMPLATES, load_template, packaged_file, render_markup
from tests.test_report_support import NOVEMBER, collected, config, make_entry, problem

REPO = Path(__file__).resolve().parent.parent


def maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_reference", REPO / "templates" / "make_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_reference_documents_are_what_the_script_makes() -> None:
    made = maker().build_reference()
    assert made == maker().build_reference()  # reproducible
    assert packaged_file("reference.docx") == made, "run python templates/make_reference.py"
    assert (REPO / "templates" / "reference.docx").read_bytes() == made


def test_reference_has_no_body_tricks() -> None:
    with zipfile.ZipFile(io.BytesIO(packaged_file("reference.docx"))) as archive:
        names = set(archive.namelist())
    assert "word/styles.xml" in names and "word/theme/theme1.xml" in names
    assert "word/stylesWithEffects.xml" not in names  # Word flags a stale copy of the styles


@pytest.mark.parametrize("template", sorted(BUILTIN_TEMPLATES))
def test_every_style_a_builtin_template_uses_is_in_the_reference(template: str) -> None:
    entry = make_entry("a", customer="Acme", headline="Done")
    model = build_report_model(ReportInput([entry], NOVEMBER), config())
    markup = parse_markup(render_markup(load_template(template), model), origin=template)
    styles = StyleBook(docx.Document(io.BytesIO(packaged_file("reference.docx"))).styles.element)
    used = [
        *(("paragraph", name) for name in markup.paragraph_styles),
        *(("character", name) for name in markup.character_styles),
        *(("table", name) for name in markup.table_styles),
        *COMMENT_STYLES,
    ]
    assert [(kind, name) for kind, name in used if styles.find(kind, name) is None] == []


@pytest.mark.parametrize("template", sorted(BUILTIN_TEMPLATES))
def test_builtin_templates_need_no_fallback_styles(tmp_path: Path, template: str) -> None:
    entry = make_entry("a")
    result = compile_report(
        collected([entry], [problem(entry, "MBR101", "too long")]),
        config(),
        CompileOptions(output=tmp_path / "r.docx", template=template, draft=True),
    )
    assert result.notes == ()
