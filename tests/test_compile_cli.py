"""`mbr compile` end to end: real sources, the real CLI, exit codes and stderr."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from click.testing import CliRunner, Result

from mbr.cli import cli
from mbr.cli.compile import PROGRESS_THRESHOLD, _progress_for
from tests.conftest import RunMbr

GOOD = (
    "Closed a three-year agreement worth $4.2M after a 6-week proof of concept that cut "
    "query latency by 45% across 12 regional warehouses for the retail analytics team."
)
LONG = " ".join(["Moved 40 workloads to the new platform and cut costs by 28%."] * 14)
CONFIG = """\
org = "Field Engineering EMEA"
teams = ["Enterprise East", "Enterprise West"]
classification = "Confidential"
"""


def entry(entry_id: str, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": entry_id,
        "date": "2024-11-05",
        "author": "Dana Reyes",
        "team": "Enterprise East",
        "category": "win",
        "customer": "Acme Corp",
        "summary": GOOD,
    }
    values.update(fields)
    return values


def mixed_entries() -> list[dict[str, Any]]:
    """Good, warned, too long, placeholder, unknown date, unknown category, last month."""
    return [
        entry("good-1"),
        entry(
            "good-2",
            author="Sam Okafor",
            team="Enterprise West",
            category="risk",
            customer="Globex",
        ),
        entry("too-long", summary=LONG),
        entry("placeholder", summary="TBD " + GOOD),
        entry("no-date", date="sometime soon"),
        entry("bad-category", category="Wiins"),
        entry("october", date="2024-10-30"),
    ]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "mbr.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "entries").mkdir()
    write_entries(tmp_path / "entries" / "november.yaml", mixed_entries())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1733011200")
    return tmp_path


def write_entries(path: Path, entries: list[dict[str, Any]]) -> None:
    path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")


def mbr(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def compile_args(*extra: str, output: str = "report.docx") -> list[str]:
    return [
        "compile",
        "entries",
        "--period",
        "2024-11",
        "--today",
        "2024-12-01",
        "-o",
        output,
        *extra,
    ]


def test_compile_accounts_for_every_entry(project: Path) -> None:
    result = mbr(*compile_args("--rejects", "rejects.json"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[-2] == "wrote report.docx"
    assert lines[-1] == "read 7 · in period 6 · included 2 · excluded 4"
    rejects = json.loads((project / "rejects.json").read_text(encoding="utf-8"))
    excluded = {r["entry_id"] for r in rejects}
    assert excluded == {"too-long", "placeholder", "no-date", "bad-category"}
    # I + X = M, and every excluded entry is listed on stderr with its codes
    assert 2 + len(excluded) == 6
    for entry_id in excluded:
        assert f"id {entry_id})" in result.stderr
    for code in ("MBR101", "MBR110", "MBR002", "MBR003"):
        assert f": {code} [error]" in result.stderr
    assert "october" not in result.stderr  # outside the period: only counted
    assert {"entry_id", "location", "author", "team", "category", "reasons"} <= set(rejects[0])
    text = "\n".join(p.text for p in docx.Document("report.docx").paragraphs)
    assert "Field Engineering EMEA Monthly Business Review — November 2024" in text
    assert "TBD" not in text


def test_excluded_entries_are_listed_with_their_locations(project: Path) -> None:
    result = mbr(*compile_args())
    assert "entries/november.yaml:" in result.stderr
    listing = [line for line in result.stderr.splitlines() if "excluded (" in line]
    assert len(listing) == 4
    assert all(line.startswith("entries/november.yaml:") for line in listing)


def test_unreadable_source_stops_the_compile_unless_keep_going(project: Path) -> None:
    (project / "entries" / "broken.xlsx").write_text("this is not a workbook")
    stopped = mbr(*compile_args())
    assert stopped.exit_code == 1
    assert "MBR000" in stopped.stderr and "--keep-going" in stopped.stderr
    assert not (project / "report.docx").exists()
    kept = mbr(*compile_args("--keep-going"))
    assert kept.exit_code == 0, kept.stderr
    assert "MBR000" in kept.stderr
    assert (project / "report.docx").exists()
    assert kept.stderr.splitlines()[-1].startswith("read 7 · in period 6")


def test_strict_writes_nothing_on_any_error(project: Path) -> None:
    result = mbr(*compile_args("--strict", "--rejects", "rejects.json"))
    assert result.exit_code == 1
    assert "no report written" in result.stderr
    assert not (project / "report.docx").exists()
    assert len(json.loads((project / "rejects.json").read_text(encoding="utf-8"))) == 4


def test_strict_passes_when_only_warnings_remain(project: Path) -> None:
    write_entries(project / "entries" / "november.yaml", [entry("good-1")])
    result = mbr(*compile_args("--strict"))
    assert result.exit_code == 0, result.stderr


def test_draft_includes_everything_with_comments(project: Path) -> None:
    result = mbr(*compile_args("--draft"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "read 7 · in period 6 · included 6 · excluded 0"
    comments = list(docx.Document("report.docx").comments)
    codes = {c.text.split(" ")[0] for c in comments}
    assert {"MBR101", "MBR110", "MBR002", "MBR003"} <= codes
    assert f"draft: {len(comments)} problems attached as comments" in result.stderr


def test_html_output(project: Path) -> None:
    result = mbr(*compile_args(output="report.html"))
    assert result.exit_code == 0, result.stderr
    page = (project / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Confidential" in page


def test_2x2_template(project: Path) -> None:
    result = mbr(*compile_args("--template", "2x2"))
    assert result.exit_code == 0, result.stderr
    document = docx.Document("report.docx")
    assert [t.style.name for t in document.tables] == [
        "Report Table",
        "Quadrant Table",
        "Quadrant Table",
    ]


def test_title_option(project: Path) -> None:
    assert mbr(*compile_args("--title", "EMEA — November")).exit_code == 0
    assert docx.Document("report.docx").paragraphs[0].text == "EMEA — November"


def test_empty_period_gives_a_report_that_says_so(project: Path) -> None:
    result = mbr("compile", "entries", "--period", "2023-01", "-o", "report.docx")
    assert result.exit_code == 0, result.stderr
    # the entry whose date is unknown is the only one "in" January 2023
    assert result.stderr.splitlines()[-1] == "read 7 · in period 1 · included 0 · excluded 1"
    texts = [p.text for p in docx.Document("report.docx").paragraphs]
    assert "No entries for January 2023" in texts


def test_config_template_and_reference_are_relative_to_the_config(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "brand").mkdir()
    (project / "brand" / "mine.docx.j2").write_text(
        '<report title="{{ report.title }}"><title>Mine: {{ report.title }}</title></report>',
        encoding="utf-8",
    )
    docx.Document().save(str(project / "brand" / "plain.docx"))
    (project / "mbr.toml").write_text(
        CONFIG + 'template = "brand/mine.docx.j2"\nreference_docx = "brand/plain.docx"\n',
        encoding="utf-8",
    )
    (project / "elsewhere").mkdir()
    monkeypatch.chdir(project / "elsewhere")  # the config is found walking up
    result = mbr("compile", "../entries", "--period", "2024-11", "-o", "../report.docx")
    assert result.exit_code == 0, result.stderr
    document = docx.Document(str(project / "report.docx"))
    assert document.paragraphs[0].text.startswith("Mine: Field Engineering EMEA")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "report.pdf"], "cannot tell the report format from report.pdf"),
        (["-o", "entries/november.yaml/r.docx"], "cannot create the directory entries/"),
        (["-o", "r.docx", "--reference-docx", "nope.docx"], "reference document not found"),
        (["-o", "r.docx", "--template", "nope.docx.j2"], "template not found: nope.docx.j2"),
        (["-o", "r.docx", "--period", "Novembre"], "cannot read the period"),
    ],
)
def test_usage_errors_exit_2(project: Path, args: list[str], message: str) -> None:
    result = mbr("compile", "entries", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_output_directories_are_created(project: Path) -> None:
    result = mbr("compile", "entries", "--period", "2024-11", "-o", "reports/2024/report.docx")
    assert result.exit_code == 0, result.stderr
    assert docx.Document(str(project / "reports" / "2024" / "report.docx")).paragraphs


def test_broken_custom_template_names_file_and_line(project: Path) -> None:
    (project / "custom.docx.j2").write_text(
        "<report>\n<title>{{ report.title }}</title>\n<para>{{ report.nope }}</para>\n</report>\n",
        encoding="utf-8",
    )
    result = mbr(*compile_args("--template", "custom.docx.j2"))
    assert result.exit_code == 2
    assert "custom.docx.j2:3: template error" in result.stderr
    assert not (project / "report.docx").exists()


def test_real_process_output_when_piped(project: Path, run_mbr: RunMbr) -> None:
    result = run_mbr(*compile_args(), cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "writing report" not in result.stderr  # no progress bar when stderr is piped
    assert result.stderr.splitlines()[-1] == "read 7 · in period 6 · included 2 · excluded 4"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_for_large_compiles_on_a_terminal() -> None:
    assert _progress_for(PROGRESS_THRESHOLD, io.StringIO()) is None  # piped
    assert _progress_for(10, _Terminal()) is None  # small
    terminal = _Terminal()
    bar = _progress_for(PROGRESS_THRESHOLD, terminal)
    assert bar is not None
    bar(500, 1000)
    bar(500, 1000)
    bar.close()
    assert "writing report" in terminal.getvalue()


def test_terminal_control_characters_in_entries_are_shown_escaped(project: Path) -> None:
    write_entries(
        project / "entries" / "november.yaml",
        [entry("evil", author="Eve\x1b[2J\x1b]0;pwned\x07", summary="TBD " + GOOD)],
    )
    result = mbr(*compile_args())
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "Eve\\x1b[2J" in result.stderr
