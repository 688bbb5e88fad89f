"""Numbers under a percent format and error values read as shown, on
calamine's rows as on openpyxl's (mbr.intake.shown_cells)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from mbr.intake.shown_cells import Shown, as_shown, percent_formats, shown_cells
from mbr.intake.xlsx import read_xlsx
from tests.fixtures.workbooks import make_xlsx

HEADER = ["Date", "Author", "Team", "Category", "Summary", "Metric", "Link"]


def _row(date: object, metric: object, author: str = "Ann") -> list[object]:
    return [date, author, "Core", "Win", "Shipped it.", metric, None]


ROWS = [
    ["Intake"],  # a title row above the header
    HEADER,
    _row(dt.date(2024, 3, 5), 0.4),
    _row(dt.date(2024, 3, 6), 0.125),
    _row(dt.date(2023, 7, 1), 1),  # a whole number: "100%"
    _row(dt.date(2024, 3, 7), "about a third"),  # text under a percent style stays text
    _row("someday", -0.05),
    _row(dt.date(2024, 3, 8), 0.9, author="Ben"),
]
FORMATS = {"F3": "0%", "F4": "0.00%", "F5": "0%", "F6": "0%", "F7": '0.0%;[Red]-0.0%',
           "F8": "0%"}  # fmt: skip


@pytest.fixture
def openpyxl_rows_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl may open the workbook but not read its rows: calamine must."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was asked for the rows")

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", refuse)


def _fast(data: bytes, **options: object) -> object:
    return read_xlsx(data, "e.xlsx", fast=True, **options)  # type: ignore[arg-type]


def _both(data: bytes, **options: object) -> tuple[object, object]:
    fast = read_xlsx(data, "e.xlsx", fast=True, **options)  # type: ignore[arg-type]
    plain = read_xlsx(data, "e.xlsx", fast=False, **options)  # type: ignore[arg-type]
    return fast, plain


def test_calamine_rows_read_percentages_as_openpyxl_rows_do(tmp_path: Path) -> None:
    data = make_xlsx(tmp_path, ROWS, number_formats=FORMATS).read_bytes()
    fast, plain = _both(data)
    metrics = [record.fields["metric"] for record in fast.records]  # type: ignore[attr-defined]
    assert metrics == ["40%", "12.50%", "100%", "about a third", "-5.0%", "90%"]
    assert fast.records == plain.records  # type: ignore[attr-defined]
    assert fast.diagnostics == plain.diagnostics  # type: ignore[attr-defined]


def test_percentages_keep_their_cells_below_and_right_of_a1(tmp_path: Path) -> None:
    shifted = [[], *([None, None, *row] for row in ROWS)]
    formats = {f"H{int(cell[1:]) + 1}": shown for cell, shown in FORMATS.items()}
    data = make_xlsx(tmp_path, shifted, number_formats=formats, merges=["H8:H9"]).read_bytes()
    fast, plain = _both(data)
    assert fast.records == plain.records  # type: ignore[attr-defined]
    assert fast.records[0].fields["metric"] == "40%"  # type: ignore[attr-defined]
    assert str(fast.records[0].location_of("metric")) == "e.xlsx:Entries!H4"  # type: ignore[attr-defined]


def test_a_month_build_reads_percentages_as_a_whole_build_does(tmp_path: Path) -> None:
    data = make_xlsx(tmp_path, ROWS, number_formats=FORMATS).read_bytes()

    def in_march(value: object) -> bool:
        return not isinstance(value, dt.date) or (value.year, value.month) == (2024, 3)

    fast, plain = _both(data, wanted_date=in_march)
    assert fast.records == plain.records  # type: ignore[attr-defined]
    kept = [r.fields["metric"] for r in fast.records if hasattr(r, "fields")]  # type: ignore[attr-defined]
    assert kept == ["40%", "12.50%", "about a third", "-5.0%", "90%"]


def _workbook(tmp_path: Path) -> tuple[bytes, object]:
    data = make_xlsx(tmp_path, ROWS, number_formats=FORMATS).read_bytes()
    return data, openpyxl.load_workbook(io.BytesIO(data), read_only=True)


def test_the_cells_under_a_percent_style_are_found_with_their_formats(tmp_path: Path) -> None:
    data, workbook = _workbook(tmp_path)
    formats = percent_formats(workbook)
    assert formats is not None and set(formats.values()) == {"0%", "0.00%", "0.0%;[Red]-0.0%"}
    found = shown_cells(data, "xl/worksheets/sheet1.xml", formats, errors=True)
    assert found is not None and not found.errors
    assert found.percent == {(int(cell[1:]), 6): shown for cell, shown in FORMATS.items()}


def test_no_percent_style_means_no_cell_to_look_for(tmp_path: Path) -> None:
    data = make_xlsx(tmp_path, ROWS).read_bytes()
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert percent_formats(workbook) == {}
    assert not shown_cells(data, "xl/worksheets/sheet1.xml", {}, errors=False)


def _with_sheet_xml(data: bytes, change: tuple[bytes, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            body = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                assert change[0] in body
                body = body.replace(*change)
            target.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize(
    "change",
    [(b'<c r="F3"', b"<c"), (b"<sheetData>", b"<sheetData><row")],
    ids=["a styled cell without its reference", "XML that does not parse"],
)
def test_when_the_cells_cannot_be_told_openpyxl_reads_the_rows(
    tmp_path: Path, change: tuple[bytes, bytes]
) -> None:
    data, workbook = _workbook(tmp_path)
    formats = percent_formats(workbook)
    assert formats
    changed = _with_sheet_xml(data, change)
    assert shown_cells(changed, "xl/worksheets/sheet1.xml", formats, errors=False) is None


def test_a_referenceless_percent_cell_still_reads_as_its_percentage(tmp_path: Path) -> None:
    """<c> without r is the next column: openpyxl places it, mbr lets openpyxl read."""
    data, _ = _workbook(tmp_path)
    changed = _with_sheet_xml(data, (b'<c r="F3"', b"<c"))
    fast, plain = _both(changed)
    assert fast.records == plain.records  # type: ignore[attr-defined]
    assert fast.records[0].fields["metric"] == "40%"  # type: ignore[attr-defined]


def test_as_shown_changes_only_the_cells_named() -> None:
    rows = [["", ""], ["Metric", "x"], [0.4, 0.4], ["text", ""], ["", ""]]
    shown = Shown(
        percent={(3, 3): "0%", (4, 3): "0%", (9, 3): "0%"},  # column C; there is no row 9
        errors={(4, 4): "#DIV/0!", (5, 4): None},  # column D
    )
    out = list(as_shown(iter(rows), shown, first_column=2))
    assert out == [["", ""], ["Metric", "x"], ["40%", 0.4], ["text", "#DIV/0!"], ["", ""]]


def _with_errors(tmp_path: Path, cells: dict[str, str]) -> bytes:
    """ROWS with these cells holding error values, as Excel writes them."""
    formulas = {cell: ("=Sheet9!A1", text) for cell, text in cells.items()}
    made = make_xlsx(tmp_path, ROWS, number_formats=FORMATS, formulas=formulas).read_bytes()
    return _with_sheet_xml(made, (b't="str"', b't="e"'))


def test_error_cells_read_as_their_text_on_calamine_rows(tmp_path: Path) -> None:
    data = _with_errors(tmp_path, {"G3": "#REF!", "E5": "#DIV/0!", "A8": "#N/A"})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("xl/worksheets/sheet1.xml").count(b't="e"') == 3
    fast, plain = _both(data)
    assert fast.records == plain.records  # type: ignore[attr-defined]
    assert fast.diagnostics == plain.diagnostics  # type: ignore[attr-defined]
    fields = [record.fields for record in fast.records]  # type: ignore[attr-defined]
    assert fields[0]["link"] == "#REF!" and fields[2]["summary"] == "#DIV/0!"
    assert fields[5]["date"] == "#N/A"  # an undatable row, as on openpyxl's rows
    month_fast, month_plain = _both(data, wanted_date=lambda value: False)
    assert month_fast.records == month_plain.records  # type: ignore[attr-defined]


@pytest.mark.usefixtures("openpyxl_rows_refused")
def test_percent_and_error_cells_leave_the_rows_to_calamine(tmp_path: Path) -> None:
    data = _with_errors(tmp_path, {"G3": "#REF!"})
    [first, *_] = _fast(data).records  # type: ignore[attr-defined]
    assert (first.fields["metric"], first.fields["link"]) == ("40%", "#REF!")
    assert len(_fast(data, wanted_date=lambda value: True).records) == 6  # type: ignore[attr-defined]
