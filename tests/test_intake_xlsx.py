"""Reading .xlsx workbooks: headers, cell types, merges and broken files."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from mbr.intake import IntakeResult, read_sources
from mbr.model import Record
from tests.fixtures.workbooks import make_xlsx

HEADER: list[object] = ["Date", "Author", "Team", "Category", "Summary"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Sources are given as relative paths, as a person types them.
    monkeypatch.chdir(tmp_path)


def read(path: Path, sheet: str | None = None) -> IntakeResult:
    return read_sources([path.name], sheet=sheet)


def codes(result: IntakeResult) -> list[str]:
    return [d.code for d in result.diagnostics]


Row = list[object]


def row(date: object = "2024-11-05", author: object = "Ana", summary: object = "Did it.") -> Row:
    return [date, author, "Platform", "Win", summary]


def test_header_aliases_map_to_fields_in_any_case_and_spacing(tmp_path: Path) -> None:
    headers = ["WHEN", "submitted_by", "Sub Team", "kind", "Narrative", "Customer Name",
               "Title", "Product", "impact-metric", "URL", "Labels", "Entry ID"]  # fmt: skip
    values = ["2024-11-05", "Ana", "Platform", "Win", "Did it.", "Acme", "Big win",
              "EC2", "40%", "https://x.test", "a, b", "E-1"]  # fmt: skip
    result = read(make_xlsx(tmp_path, [headers, values]))
    assert codes(result) == []
    [record] = result.records
    assert dict(record.fields) == {
        "date": "2024-11-05", "author": "Ana", "team": "Platform", "category": "Win",
        "summary": "Did it.", "customer": "Acme", "headline": "Big win", "service": "EC2",
        "metric": "40%", "link": "https://x.test", "tags": "a, b", "id": "E-1",
    }  # fmt: skip
    assert record.extra == {}


def test_title_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    rows: list[Row] = [["Team Atlas — November intake"], [],
                       ["Fill in one row per entry", None, "Thanks"], HEADER, row()]  # fmt: skip
    [record] = read(make_xlsx(tmp_path, rows)).records
    assert record.fields["author"] == "Ana"
    assert str(record.origin) == "entries.xlsx:Entries!5:5"
    assert str(record.location_of("summary")) == "entries.xlsx:Entries!E5"


def test_empty_and_whitespace_only_rows_are_skipped_and_rows_keep_their_numbers(
    tmp_path: Path,
) -> None:
    rows: list[Row] = [HEADER, row(author="A"), [], [None, "   ", "\t", None, " \n "]]
    rows.append(row(author="B"))
    result = read(make_xlsx(tmp_path, rows))
    assert [r.fields["author"] for r in result.records] == ["A", "B"]
    assert [r.origin.row for r in result.records] == [2, 5]
    assert codes(result) == []


def test_a_row_with_only_helper_columns_filled_is_empty(tmp_path: Path) -> None:
    # The intake template's live word count shows 0 in every unused row.
    unused: Row = [None, None, None, None, None, 0]
    rows: list[Row] = [[*HEADER, "Words (live)"], [*row(), 2], unused, unused]
    result = read(make_xlsx(tmp_path, rows))
    assert len(result.records) == 1
    assert result.records[0].extra == {"Words (live)": "2"}


def test_cells_read_as_a_person_sees_them(tmp_path: Path) -> None:
    rich = CellRichText(["Launched ", TextBlock(InlineFont(b=True), "EU region"), " early."])
    rows = [
        [*HEADER, "Metric", "Reviewed", "Customer"],
        [dt.datetime(2024, 11, 5), "Ana  ", "  Platform", "Win", rich, 40, True, None],
        [dt.datetime(2024, 11, 6, 14, 30), "Ben", "Data", "Win", "Line one\nline two", 3.5, False,
         None],
    ]  # fmt: skip
    path = make_xlsx(tmp_path, rows, formulas={"H2": ('="Acme"&" Corp"', "Acme Corp")})
    first, second = read(path).records
    assert first.fields == {
        "date": dt.date(2024, 11, 5),
        "author": "Ana",
        "team": "Platform",
        "category": "Win",
        "summary": "Launched EU region early.",
        "metric": 40,
        "customer": "Acme Corp",
    }
    assert first.extra == {"Reviewed": "TRUE"}
    assert second.fields["date"] == dt.datetime(2024, 11, 6, 14, 30)
    assert second.fields["summary"] == "Line one\nline two"
    assert second.fields["metric"] == 3.5
    assert second.fields["customer"] is None
    assert second.extra == {"Reviewed": "FALSE"}


def test_percent_cells_read_as_the_percentage_shown_and_other_numbers_stay_numbers(
    tmp_path: Path,
) -> None:
    rows: list[Row] = [[*HEADER, "Metric", "Notes"]]
    rows += [[*row(), 0.4, 0.125], [*row(author="B"), 1234.5, 7], [*row(author="C"), 1, None]]
    formats = {"F2": "0%", "G2": "0.0%", "F3": "#,##0.00", "G3": "0", "F4": "0%"}
    first, second, third = read(make_xlsx(tmp_path, rows, number_formats=formats)).records
    assert (first.fields["metric"], first.extra) == ("40%", {"Notes": "12.5%"})
    assert (second.fields["metric"], second.extra) == (1234.5, {"Notes": "7"})
    assert third.fields["metric"] == "100%"


def test_formula_cached_values_of_every_type(tmp_path: Path) -> None:
    rows = [[*HEADER, "Metric", "Done"], [*row(), None, None]]
    formulas = {"F2": ("=20*2", 40), "G2": ("=1=1", True), "B2": ('=UPPER("ana")', "ANA")}
    [record] = read(make_xlsx(tmp_path, rows, formulas=formulas)).records
    assert record.fields["metric"] == 40
    assert record.fields["author"] == "ANA"
    assert record.extra == {"Done": "TRUE"}


def test_windows_line_breaks_and_excel_escapes_become_plain_line_breaks(tmp_path: Path) -> None:
    rows = [HEADER, row(summary="First line\r\nsecond line"), row(summary="One_x000D_\nTwo")]
    first, second = read(make_xlsx(tmp_path, rows)).records
    assert first.fields["summary"] == "First line\nsecond line"
    assert second.fields["summary"] == "One\nTwo"


def test_a_vertical_merge_gives_its_value_to_every_row_it_spans(tmp_path: Path) -> None:
    rows = [HEADER, row(author="A"), row(author="B"), row(author="C"), row(author="D")]
    for later in rows[2:4]:
        later[2] = None  # what openpyxl leaves in the covered cells
    rows[1][2] = "Platform East"
    path = make_xlsx(tmp_path, rows, merges=["C2:C4", "E5:F5"])
    records = read(path).records
    assert [r.fields["team"] for r in records] == ["Platform East"] * 3 + ["Platform"]
    assert str(records[1].location_of("team")) == "entries.xlsx:Entries!C3"
    # A horizontal merge keeps its value in its first column only.
    assert records[3].extra == {}


def test_a_merge_starting_in_the_header_row_is_not_copied_into_entries(tmp_path: Path) -> None:
    rows = [[*HEADER, "Notes"], [*row(), None], [*row(author="B"), None]]
    records = read(make_xlsx(tmp_path, rows, merges=["F1:F3"])).records
    assert [r.extra for r in records] == [{"Notes": ""}, {"Notes": ""}]


def test_leading_apostrophe_text_is_read_without_it_and_stays_text(tmp_path: Path) -> None:
    rows = [[*HEADER, "ID"], [*row(date="2024-11-05"), "00123"]]
    [record] = read(make_xlsx(tmp_path, rows, quote_prefix=["A2", "F2"])).records
    assert record.fields["date"] == "2024-11-05"
    assert record.fields["id"] == "00123"


def test_hidden_rows_are_read_like_any_other(tmp_path: Path) -> None:
    rows = [HEADER, row(author="A"), row(author="Hidden"), row(author="C")]
    records = read(make_xlsx(tmp_path, rows, hidden_rows=[3])).records
    assert [r.fields["author"] for r in records] == ["A", "Hidden", "C"]


def test_sheet_names_with_spaces_are_quoted_in_locations(tmp_path: Path) -> None:
    [record] = read(make_xlsx(tmp_path, [HEADER, row()], sheet="Field Log")).records
    assert str(record.location_of("summary")) == "entries.xlsx:'Field Log'!E2"
    assert record.location_of("summary").cell == "E2"
    assert record.location_of("summary").row == 2
    assert record.location_of("summary").sheet == "Field Log"


def test_a_wrong_dimension_element_does_not_cut_rows_short(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [HEADER, row(author="A"), row(author="B")], dimension="A1")
    assert [r.fields["author"] for r in read(path).records] == ["A", "B"]


def test_the_first_visible_sheet_is_read_by_default(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [HEADER, row()], sheets_before=[("Lists", "hidden")])
    [record] = read(path).records
    assert record.fields["author"] == "Ana"
    assert record.origin.sheet == "Entries"


def test_a_named_sheet_is_read_and_its_name_matches_case_insensitively(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [HEADER, row()], sheets_before=[("Intro", "visible")])
    assert read(path).records[0].fields["author"] == "Decoy"
    assert read(path, sheet="Entries").records[0].fields["author"] == "Ana"
    assert read(path, sheet="entries").records[0].fields["author"] == "Ana"


def test_a_missing_sheet_is_mbr000_listing_the_sheets(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [HEADER, row()], sheets_after=["Archive"])
    result = read(path, sheet="November")
    [problem] = result.diagnostics
    assert problem.code == "MBR000"
    assert problem.message == 'no sheet named "November"; the sheets are "Entries", "Archive"'
    assert "--sheet" in problem.help
    assert str(problem.location) == "entries.xlsx"
    assert result.records == []


def test_no_header_row_is_mbr000_naming_what_was_found(tmp_path: Path) -> None:
    rows = [["Sumary", "Catgory", "Notes"], ["x", "y", "z"]]
    [problem] = read(make_xlsx(tmp_path, rows)).diagnostics
    assert problem.code == "MBR000"
    assert str(problem.location) == "entries.xlsx:Entries"
    assert problem.message.startswith('no header row in the first 20 rows of sheet "Entries"')
    assert problem.message.endswith("found columns: Sumary, Catgory, Notes")
    assert "date, author, team, category, summary" in problem.help
    assert '"Sumary" -> "summary"' in problem.help


def test_a_header_below_row_20_is_not_found(tmp_path: Path) -> None:
    rows: list[Row] = [[f"note {n}"] for n in range(20)]
    rows += [HEADER, row()]
    assert codes(read(make_xlsx(tmp_path, rows))) == ["MBR000"]


def test_typo_columns_get_one_mbr008_at_the_header_cell(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["Title row"],
        [*HEADER, "Sumary", "Notes", "Custmer"],
        [*row(), "a", "b", "c"],
        [*row(author="B"), "d", "e", "f"],
    ]
    result = read(make_xlsx(tmp_path, rows))
    assert [(d.code, str(d.location)) for d in result.diagnostics] == [
        ("MBR008", "entries.xlsx:Entries!F2"),
        ("MBR008", "entries.xlsx:Entries!H2"),
    ]
    assert [d.message for d in result.diagnostics] == [
        'column "Sumary" is not a field; did you mean "summary"?',
        'column "Custmer" is not a field; did you mean "customer"?',
    ]
    assert result.records[0].extra == {"Sumary": "a", "Notes": "b", "Custmer": "c"}
    assert str(result.records[1].location_of("Notes")) == "entries.xlsx:Entries!G4"


def test_a_repeated_field_column_keeps_the_first_and_the_rest_as_extra(tmp_path: Path) -> None:
    rows = [[*HEADER, "Summary", "Description"], [*row(summary="first"), "second", "third"]]
    result = read(make_xlsx(tmp_path, rows))
    [record] = result.records
    assert record.fields["summary"] == "first"
    assert record.extra == {"Summary": "second", "Description": "third"}
    assert codes(result) == []


def test_a_sheet_with_only_a_header_is_mbr010_at_the_sheet(tmp_path: Path) -> None:
    result = read(make_xlsx(tmp_path, [HEADER, [None, "  "]]))
    [problem] = result.diagnostics
    assert (problem.code, str(problem.location)) == ("MBR010", "entries.xlsx:Entries")
    assert problem.message == 'no entries in sheet "Entries"'


def test_an_empty_sheet_is_mbr010(tmp_path: Path) -> None:
    assert codes(read(make_xlsx(tmp_path, []))) == ["MBR010"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"date,author\n2024-11-05,Ana\n", "not an Excel workbook: the file holds plain text"),
        (b"", "not an Excel workbook: the file is empty"),
        (bytes(range(256)) * 4, "not an Excel workbook: the file is not a zip package"),
        (
            bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600,
            "the workbook is encrypted (password-protected) or in the old .xls format",
        ),
    ],
    ids=["text", "empty", "binary", "encrypted"],
)
def test_a_file_that_is_not_a_workbook_is_one_mbr000(
    tmp_path: Path, content: bytes, message: str
) -> None:
    (tmp_path / "notes.xlsx").write_bytes(content)
    result = read(tmp_path / "notes.xlsx")
    [problem] = result.diagnostics
    assert (problem.code, str(problem.location), problem.message) == (
        "MBR000",
        "notes.xlsx",
        message,
    )
    assert problem.help
    assert result.files == [Path("notes.xlsx")]


def test_a_zip_that_is_not_a_workbook_is_mbr000(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "report.xlsx", "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    [problem] = read(tmp_path / "report.xlsx").diagnostics
    assert problem.code == "MBR000"
    assert problem.message.startswith("not an Excel workbook: ")


def test_a_corrupt_sheet_is_mbr000_not_an_exception(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [HEADER] + [row(author=f"A{n}") for n in range(50)])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet[: len(sheet) // 2]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    result = read(path)
    assert codes(result) == ["MBR000"]
    assert result.diagnostics[0].message.startswith("the sheet cannot be read: ")
    assert str(result.diagnostics[0].location) == "entries.xlsx:Entries"


def test_xlsm_workbooks_are_read(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [HEADER, row()], name="macros.xlsm")
    [record] = read(path).records
    assert record.source == "macros.xlsm"


def test_records_keep_every_column_location_even_when_empty(tmp_path: Path) -> None:
    [record] = read(make_xlsx(tmp_path, [HEADER, [None, "Ana", None, "Win", "Did it."]])).records
    assert record.fields["date"] is None
    assert str(record.location_of("date")) == "entries.xlsx:Entries!A2"
    assert list(record.locations) == ["date", "author", "team", "category", "summary"]
    assert isinstance(record, Record)
