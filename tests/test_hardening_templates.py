"""Hostile user templates through the real `mbr compile` process.

tests/test_report_render.py checks the sandbox in-process for one case; here
the classic template-injection escapes, file reads through {% include %} and
undefined names each end as a one-line error naming the template file and
line, exit 2, no traceback, and the previous report left as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import RunMbr

SUMMARY = (
    "Closed a three-year agreement worth $4.2M after a 6-week proof of concept that cut "
    "query latency by 45% across 12 regional warehouses for the retail analytics team."
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "mbr.toml").write_text('org = "Field Engineering"\n', encoding="utf-8")
    entries = [{"id": "a1", "date": "2024-11-05", "author": "Dana Reyes",
                "team": "Enterprise East", "category": "win", "summary": SUMMARY}]
    (tmp_path / "entries.yaml").write_text(yaml.safe_dump(entries), encoding="utf-8")
    (tmp_path / "report.docx").write_bytes(b"last month's report")
    return tmp_path


def compile_with(run_mbr: RunMbr, project: Path, body: str) -> tuple[int, str, str]:
    (project / "evil.docx.j2").write_text(
        f"<report>\n<title>{{{{ report.title }}}}</title>\n<para>{body}</para>\n</report>\n",
        encoding="utf-8",
    )
    result = run_mbr(
        "compile", "entries.yaml", "--period", "2024-11", "-o", "report.docx",
        "--template", "evil.docx.j2", cwd=project,
    )
    return result.returncode, result.stdout, result.stderr


def assert_refused(project: Path, outcome: tuple[int, str, str], reason: str) -> None:
    code, stdout, stderr = outcome
    assert code == 2, stderr
    assert stdout == ""
    assert stderr.startswith("error: evil.docx.j2:3: template error:"), stderr
    assert reason in stderr.splitlines()[0]
    assert "Traceback" not in stderr
    assert (project / "report.docx").read_bytes() == b"last month's report"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{{ report.__class__.__mro__ }}", "'__class__' of 'ReportModel' object is unsafe"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "'__class__' of 'str' object is unsafe"),
        ("{{ lipsum.__globals__['os'] }}", "'__globals__' of 'function' object is unsafe"),
        ("{{ cycler.__init__.__globals__.os }}", "'__init__' of 'type' object is unsafe"),
        ("{{ self.__init__.__globals__ }}", "'__init__' of 'TemplateReference' object is unsafe"),
        ('{{ "{0.__class__}".format(report) }}', "'__class__' of 'ReportModel' object is unsafe"),
        ('{{ report["__dict__"] }}', "'__dict__' of 'ReportModel' object is unsafe"),
    ],
)
def test_reaching_for_python_internals_is_refused(
    run_mbr: RunMbr, project: Path, body: str, reason: str
) -> None:
    assert_refused(project, compile_with(run_mbr, project, body), reason)


@pytest.mark.parametrize("name", ["/etc/hostname", "../../../../../etc/hostname"])
def test_include_cannot_read_files_outside_the_templates(
    run_mbr: RunMbr, project: Path, name: str
) -> None:
    # Once read any file on the machine into the report, through the loader of
    # the built-in templates.
    outcome = compile_with(run_mbr, project, f'{{% include "{name}" %}}')
    assert_refused(project, outcome, f"cannot find the template '{name}'")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{{ report.titel }}", "has no attribute 'titel'"),
        ("{% if nope %}x{% endif %}", "'nope' is undefined"),
        ("{{ report.title ~ missing }}", "'missing' is undefined"),
    ],
)
def test_undefined_names_are_errors_not_blanks(
    run_mbr: RunMbr, project: Path, body: str, reason: str
) -> None:
    assert_refused(project, compile_with(run_mbr, project, body), reason)


def test_a_harmless_custom_template_still_compiles(run_mbr: RunMbr, project: Path) -> None:
    code, _, stderr = compile_with(run_mbr, project, "{{ report.title }}: {{ nope|default('-') }}")
    assert code == 0, stderr
    assert (project / "report.docx").read_bytes().startswith(b"PK")
