"""Templates: built-ins load from the package; a broken template names file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mbr.errors import TemplateError
from mbr.report.markup import parse_markup
from mbr.report.model import ReportInput, ReportModel, build_report_model
from mbr.report.render import BUILTIN_TEMPLATES, load_template, render_markup
from tests.test_report_support import NOVEMBER, config, make_entry


def model() -> ReportModel:
    return build_report_model(ReportInput([make_entry("a")], NOVEMBER), config())


def write(tmp_path: Path, text: str, name: str = "custom.docx.j2") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(BUILTIN_TEMPLATES))
def test_builtin_templates_render_valid_markup(name: str) -> None:
    markup = parse_markup(render_markup(load_template(name), model()), origin=name)
    assert markup.title.startswith("Field Engineering Monthly Business Review")
    assert markup.header is not None and markup.footer is not None


def test_custom_template_can_extend_a_builtin_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{% extends "narrative.docx.j2" %}\n'
        "{% block section scoped %}"
        '<heading level="1">{{ section.title }}: {{ section.count }}</heading>'
        "{% endblock %}\n",
    )
    text = render_markup(load_template(str(path)), model())
    assert '<heading level="1">Wins: 1</heading>' in text
    assert '<heading level="1">Risks: 0</heading>' in text


def test_relative_template_path_is_taken_from_base(tmp_path: Path) -> None:
    write(tmp_path, "<report><title>{{ report.title }}</title></report>", "mine.docx.j2")
    assert "Monthly Business Review" in render_markup(
        load_template("mine.docx.j2", base=tmp_path), model()
    )


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "<report>\n<title>{{ report.title }}</title>\n{% if %}\n</report>\n")
    with pytest.raises(TemplateError) as raised:
        load_template(str(path))
    assert str(raised.value).startswith(f"{path}:3: template syntax error")


def test_undefined_variable_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "<report>\n\n\n<para>{{ report.titel }}</para>\n</report>\n")
    with pytest.raises(TemplateError) as raised:
        render_markup(load_template(str(path)), model())
    assert str(raised.value).startswith(f"{path}:4: template error:")
    assert "titel" in str(raised.value)


def test_error_in_an_extending_template_names_that_template(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{% extends "narrative.docx.j2" %}\n{% block section scoped %}\n'
        "{{ section.nothing }}\n{% endblock %}\n",
    )
    with pytest.raises(TemplateError) as raised:
        render_markup(load_template(str(path)), model())
    assert str(raised.value).startswith(f"{path}:3:")


def test_python_errors_in_expressions_are_template_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "<report>\n<para>{{ 1 // 0 }}</para>\n</report>\n")
    with pytest.raises(TemplateError) as raised:
        render_markup(load_template(str(path)), model())
    assert str(raised.value).startswith(f"{path}:2: template error: ZeroDivisionError")


def test_the_sandbox_refuses_internals(tmp_path: Path) -> None:
    path = write(tmp_path, "<report><para>{{ report.__class__.__mro__ }}</para></report>")
    with pytest.raises(TemplateError) as raised:
        render_markup(load_template(str(path)), model())
    assert "unsafe" in str(raised.value)


def test_missing_template_says_what_can_be_used(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as raised:
        load_template(str(tmp_path / "nope.docx.j2"))
    assert "template not found" in str(raised.value)
    assert "narrative" in str(raised.value) and "2x2" in str(raised.value)


def test_template_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.docx.j2"
    path.write_bytes("<report><para>café</para></report>".encode("latin-1"))
    with pytest.raises(TemplateError) as raised:
        load_template(str(path))
    assert "UTF-8" in str(raised.value)
