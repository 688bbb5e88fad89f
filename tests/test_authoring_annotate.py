"""`annotate_workbook` and `mbr check --annotate`: problems marked in a copy, source untouched."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.styles import Font

from mbr.annotate import PROBLEMS_HEADER, annotate_workbook
from mbr.cli import cli
from mbr.errors import InputError, UsageError
from mbr.model import Diagnostic, Location, Severity

HEADERS = ["Date", "Author", "Team", "Category", "Summary", "Notes"]
FORMULA_LOOKALIKES = ["=HYPERLINK(\"http://evil\",\"x\")", "+44 20 7946 0000", "-5% churn", "@ana"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make_source(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Field Log"
    sheet["A1"] = "November entries"  # a title row above the header row
    sheet.append([])
    sheet.append(HEADERS)
    rows = [
        [dt.date(2024, 11, 5), "Ana", "East", "win", "Cut costs by 40%.", "fine"],
        [dt.date(2024, 11, 6), "Ben", "East", "wins?", "TODO", FORMULA_LOOKALIKES[0]],
        [dt.date(2024, 11, 7), "Cy", "West", "risk", FORMULA_LOOKALIKES[1], FORMULA_LOOKALIKES[3]],
        [dt.date(2024, 11, 8), "Di", "West", "ask", FORMULA_LOOKALIKES[2], ""],
    ]
    for values in rows:
        sheet.append(values)
    # Text that merely looks like a formula is stored as text, as Excel does for '=... input.
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    sheet["B4"].font = Font(bold=True, color="FF0000FF")
    sheet["A4"].number_format = "dd/mm/yyyy"
    notes = workbook.create_sheet("Read me")
    notes["A1"] = "Keep this sheet"
    workbook.save(path)
    return path


def _diagnostic(
    path: Path, code: str, severity: Severity, message: str, cell: str | None, row: int | None
) -> Diagnostic:
    return Diagnostic(
        code=code,
        name=code.lower(),
        severity=severity,
        message=message,
        help=f"help for {code}",
        location=Location(str(path), sheet="Field Log", cell=cell, row=row),
    )


def _column_of(sheet: Any, header_row: int, text: str) -> str:
    for cell in sheet[header_row]:
        if cell.value == text:
            return str(cell.column_letter)
    raise AssertionError(f"no {text!r} column")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return _make_source(tmp_path / "entries.xlsx")


def test_copy_has_problems_column_fills_and_comments(source: Path, tmp_path: Path) -> None:
    before = _sha256(source)
    diagnostics = [
        _diagnostic(source, "MBR003", Severity.ERROR, "unknown category 'wins?'", "D5", 5),
        _diagnostic(source, "MBR110", Severity.ERROR, "placeholder 'TODO'", "E5", 5),
        _diagnostic(source, "MBR102", Severity.WARNING, "summary has 1 word", "E5", 5),
        _diagnostic(source, "MBR108", Severity.INFO, "wordy phrase", "E6", 6),
        # Another file's problem is not this workbook's.
        Diagnostic("MBR001", "missing-field", Severity.ERROR, "other file", "",
                   Location("other.xlsx", sheet="Field Log", cell="B4", row=4)),
    ]
    output = tmp_path / "out" / "checked.xlsx"
    annotate_workbook(source, diagnostics, output)

    assert _sha256(source) == before
    sheet = openpyxl.load_workbook(output)["Field Log"]
    problems = _column_of(sheet, 3, PROBLEMS_HEADER)
    assert problems == "G"  # after the last used column (F, Notes)
    assert sheet[f"{problems}5"].value.splitlines() == [
        "MBR003 [error] unknown category 'wins?'",
        "MBR110 [error] placeholder 'TODO'",
        "MBR102 [warning] summary has 1 word",
    ]
    assert sheet[f"{problems}6"].value == "MBR108 [info] wordy phrase"
    assert sheet[f"{problems}4"].value is None
    assert sheet["D5"].fill.fgColor.rgb.endswith("FFC7CE")  # error: red
    assert sheet["E5"].fill.fgColor.rgb.endswith("FFC7CE")  # worst of error + warning
    assert sheet["E6"].fill.fgColor.rgb.endswith("DDEBF7")  # info: light
    assert sheet["B4"].comment is None  # the other file's diagnostic
    comment = sheet["E5"].comment.text
    assert "MBR110 [error] placeholder 'TODO'\n  = help: help for MBR110" in comment
    assert "MBR102 [warning] summary has 1 word" in comment


def test_warning_fill_is_amber(source: Path, tmp_path: Path) -> None:
    output = tmp_path / "checked.xlsx"
    warning = _diagnostic(source, "MBR107", Severity.WARNING, "weasel word", "E4", 4)
    annotate_workbook(source, [warning], output)
    sheet = openpyxl.load_workbook(output)["Field Log"]
    assert sheet["E4"].fill.fgColor.rgb.endswith("FFEB9C")


def test_formatting_other_sheets_and_text_values_are_kept(source: Path, tmp_path: Path) -> None:
    output = tmp_path / "checked.xlsx"
    annotate_workbook(
        source, [_diagnostic(source, "MBR110", Severity.ERROR, "placeholder", "E5", 5)], output
    )
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames == ["Field Log", "Read me"]
    assert workbook["Read me"]["A1"].value == "Keep this sheet"
    sheet = workbook["Field Log"]
    assert sheet["A1"].value == "November entries"
    assert sheet["B4"].font.b and sheet["B4"].font.color.rgb == "FF0000FF"
    assert sheet["A4"].number_format == "dd/mm/yyyy"
    values = [sheet["F5"].value, sheet["E6"].value, sheet["E7"].value, sheet["F6"].value]
    assert values == [FORMULA_LOOKALIKES[i] for i in (0, 1, 2, 3)]
    for coordinate in ("F5", "E6", "E7", "F6"):
        assert sheet[coordinate].data_type == "s", coordinate


def test_no_formula_is_written_into_the_copy(source: Path, tmp_path: Path) -> None:
    output = tmp_path / "checked.xlsx"
    hostile = _diagnostic(source, "MBR201", Severity.ERROR, "=1+1 is not allowed", "E7", 7)
    annotate_workbook(source, [hostile], output)
    with zipfile.ZipFile(output) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_problem_text_starting_like_a_formula_stays_text(source: Path, tmp_path: Path) -> None:
    # A diagnostic whose whole line would start with "=": the Problems cell must stay text.
    output = tmp_path / "checked.xlsx"
    odd = Diagnostic("=SUM(A1:A9)", "x", Severity.ERROR, "m", "", Location(
        str(source), sheet="Field Log", cell="E4", row=4))
    annotate_workbook(source, [odd], output)
    cell = openpyxl.load_workbook(output)["Field Log"]["G4"]
    assert cell.data_type == "s"
    assert cell.value.startswith("=SUM(A1:A9) [error]")


def test_clean_workbook_gets_an_empty_problems_column(source: Path, tmp_path: Path) -> None:
    output = tmp_path / "checked.xlsx"
    annotate_workbook(source, [], output)
    sheet = openpyxl.load_workbook(output)["Field Log"]
    assert sheet["G3"].value == PROBLEMS_HEADER
    assert all(sheet[f"G{row}"].value is None for row in range(4, 8))


def test_sheet_level_problems_go_on_the_problems_header(source: Path, tmp_path: Path) -> None:
    output = tmp_path / "checked.xlsx"
    empty = Diagnostic("MBR010", "empty-source", Severity.WARNING, "no entries here", "h",
                       Location(str(source), sheet="Read me"))
    annotate_workbook(source, [empty], output)
    sheet = openpyxl.load_workbook(output)["Read me"]
    problems = sheet["B1"]
    assert problems.value == PROBLEMS_HEADER
    assert "MBR010 [warning] no entries here" in problems.comment.text


def test_reannotating_a_checked_copy_replaces_the_old_marks(source: Path, tmp_path: Path) -> None:
    first = tmp_path / "checked.xlsx"
    second = tmp_path / "rechecked.xlsx"
    annotate_workbook(
        source, [_diagnostic(source, "MBR110", Severity.ERROR, "placeholder", "E5", 5)], first
    )
    # The author fixed E5 in the checked copy; only D6 is left.
    annotate_workbook(
        first, [_diagnostic(first, "MBR003", Severity.ERROR, "unknown", "D6", 6)], second
    )
    sheet = openpyxl.load_workbook(second)["Field Log"]
    assert [c.value for c in sheet[3]].count(PROBLEMS_HEADER) == 1
    assert sheet["G5"].value is None
    assert sheet["E5"].comment is None
    assert not sheet["E5"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["G6"].value == "MBR003 [error] unknown"


def test_merged_cell_problem_is_marked_on_the_merge(tmp_path: Path) -> None:
    source = _make_source(tmp_path / "merged.xlsx")
    workbook = openpyxl.load_workbook(source)
    workbook["Field Log"].merge_cells("C4:C5")
    workbook.save(source)
    output = tmp_path / "checked.xlsx"
    annotate_workbook(
        source, [_diagnostic(source, "MBR004", Severity.WARNING, "unknown team", "C5", 5)], output
    )
    sheet = openpyxl.load_workbook(output)["Field Log"]
    assert "MBR004" in sheet["C4"].comment.text
    assert sheet["G5"].value == "MBR004 [warning] unknown team"


def test_macros_are_kept_in_an_xlsm_copy(tmp_path: Path) -> None:
    plain = _make_source(tmp_path / "plain.xlsx")
    source = tmp_path / "macros.xlsm"
    macro = b"not really VBA, but bytes that must travel unchanged"
    with zipfile.ZipFile(plain) as original, zipfile.ZipFile(source, "w") as target:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"</Types>",
                    b'<Default Extension="bin" '
                    b'ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            target.writestr(item, data)
        target.writestr("xl/vbaProject.bin", macro)
    before = _sha256(source)
    output = tmp_path / "checked.xlsm"
    annotate_workbook(
        source, [_diagnostic(source, "MBR110", Severity.ERROR, "placeholder", "E5", 5)], output
    )
    assert _sha256(source) == before
    with zipfile.ZipFile(output) as archive:
        assert archive.read("xl/vbaProject.bin") == macro
        assert b"macroEnabled" in archive.read("[Content_Types].xml")


@pytest.mark.parametrize(
    ("output_name", "message"),
    [("checked.csv", "must be an .xlsx or .xlsm file"), ("entries.xlsx", "the source itself")],
)
def test_unsuitable_output_is_a_usage_error(
    source: Path, output_name: str, message: str
) -> None:
    before = _sha256(source)
    with pytest.raises(UsageError, match=message):
        annotate_workbook(source, [], source.parent / output_name)
    assert _sha256(source) == before


def test_unreadable_source_is_an_input_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("date,author\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot open the workbook"):
        annotate_workbook(fake, [], tmp_path / "checked.xlsx")
    assert not (tmp_path / "checked.xlsx").exists()


def test_control_characters_in_messages_do_not_break_the_copy(
    source: Path, tmp_path: Path
) -> None:
    # MBR119 quotes the bad characters it found; XML cannot hold them.
    output = tmp_path / "checked.xlsx"
    bad = _diagnostic(source, "MBR119", Severity.WARNING, "control character \x07 in text",
                      "E4", 4)
    annotate_workbook(source, [bad], output)
    sheet = openpyxl.load_workbook(output)["Field Log"]
    assert sheet["G4"].value == "MBR119 [warning] control character \\x07 in text"
    assert "\\x07" in sheet["E4"].comment.text


# --- through `mbr check --annotate` ----------------------------------------------------

def test_check_annotate_writes_the_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Entries"
    sheet.append(["Date", "Author", "Team", "Category", "Summary"])
    sheet.append([dt.date(2024, 11, 5), "Ana Silva", "East", "Wins",
                  "TODO: write up the Acme migration, which cut costs by 40% in 3 weeks."])
    sheet.append([dt.date(2024, 11, 6), "Ben Okafor", "East", "Wiins",
                  "Initech cut its build times by 40% in 3 weeks after moving to EC2."])
    workbook.save("intake.xlsx")
    before = _sha256(Path("intake.xlsx"))

    result = CliRunner().invoke(
        cli, ["check", "intake.xlsx", "--annotate", "checked.xlsx", "--today", "2024-12-01"]
    )
    assert result.exit_code == 1, result.output
    assert _sha256(Path("intake.xlsx")) == before
    checked = openpyxl.load_workbook("checked.xlsx")["Entries"]
    assert checked["F1"].value == PROBLEMS_HEADER
    assert re.search(r"^MBR110 \[error\]", checked["F2"].value, re.M)
    assert re.search(r"^MBR003 \[error\]", checked["F3"].value, re.M)
    assert checked["E2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert checked["D3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "help:" in checked["D3"].comment.text


def test_a_copy_that_lacks_parts_of_the_source_says_so(tmp_path: Path) -> None:
    # openpyxl keeps charts; images (without Pillow) and slicers it does not write back.
    from openpyxl.chart import BarChart, Reference

    source = _make_source(tmp_path / "log.xlsx")
    workbook = openpyxl.load_workbook(source)
    dashboard = workbook.create_sheet("Dashboard")
    for number in range(5):
        dashboard.append([number, number * number])
    chart = BarChart()
    chart.add_data(Reference(dashboard, min_col=2, min_row=1, max_row=5))
    dashboard.add_chart(chart, "D2")
    workbook.save(source)
    kept = annotate_workbook(source, [], tmp_path / "kept.xlsx")
    assert kept == []  # the chart is in the copy: nothing to say
    with zipfile.ZipFile(tmp_path / "kept.xlsx") as copy:
        assert "xl/charts/chart1.xml" in copy.namelist()

    with zipfile.ZipFile(source, "a") as package:  # parts openpyxl does not read back
        package.writestr("xl/media/image1.png", b"\x89PNG\r\n")
        package.writestr("xl/media/image2.png", b"\x89PNG\r\n")
        package.writestr("xl/slicers/slicer1.xml", "<slicers/>")
    before = _sha256(source)
    [note] = annotate_workbook(source, [], tmp_path / "checked.xlsx")
    assert note == (
        f"{tmp_path / 'checked.xlsx'} lacks what openpyxl could not carry over from "
        f"{source}: 2 images, 1 slicer; the source still has them"
    )
    assert _sha256(source) == before


def test_check_annotate_prints_the_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _make_source(tmp_path / "intake.xlsx")
    with zipfile.ZipFile("intake.xlsx", "a") as package:
        package.writestr("xl/embeddings/oleObject1.bin", b"\0")
    result = CliRunner().invoke(
        cli, ["check", "intake.xlsx", "--annotate", "checked.xlsx", "--today", "2024-12-01"]
    )
    assert (
        "note: checked.xlsx lacks what openpyxl could not carry over from intake.xlsx: "
        "1 embedded object; the source still has them\n"
    ) in result.stderr
