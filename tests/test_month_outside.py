"""One month out of a multi-year log: rows dated outside the period are only
counted (OutOfPeriod), and nothing about the period's entries may differ from
building every entry and filtering afterwards.

Also the xlsx work done alongside: calamine parsing in a thread, and one pass
over the sheet XML for error cells and merges.
"""

from __future__ import annotations

import datetime as dt
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from mbr.config import load_config
from mbr.dates import parse_date, parse_period
from mbr.entries import build_entries
from mbr.intake import read_sources, sheet_xml, xlsx
from mbr.intake.base import WITHOUT_ID, OutOfPeriod
from mbr.intake.xlsx import read_xlsx
from mbr.intake.xlsx_calamine import CalamineSheet
from mbr.model import Record
from mbr.pipeline import Collected, collect
from tests.fixtures.builds import every_entry_then_filter
from tests.fixtures.workbooks import make_xlsx

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TODAY = dt.date(2026, 11, 27)
MARCH = parse_period("2024-03", today=TODAY)
HEADER = ["Date", "Author", "Team", "Category", "Summary", "ID", "Notes"]
SUMMARY = "Cut the nightly batch from 6 hours to 40 minutes for the retail team."


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "mbr.toml"
    path.write_text((SAMPLES / "mbr.toml").read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def _assert_same_as_building_everything(source: Path, config_path: Path) -> Collected:
    fast = collect([str(source)], load_config(config_path), today=TODAY, period=MARCH)
    plain = every_entry_then_filter([str(source)], config_path, MARCH, today=TODAY)
    assert fast.read == plain.read
    assert fast.in_period == plain.in_period
    assert fast.diagnostics == plain.diagnostics
    return fast


def _write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    text = "\n".join(",".join("" if cell is None else str(cell) for cell in row) for row in rows)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_a_tiny_number_outside_the_period_is_measured_as_the_full_read_measures_it(
    tmp_path: Path,
) -> None:
    # 1e-100 is "1e-100" to str() but 0.000…1 (over 100 characters) as a
    # spreadsheet shows it: too long for the limit, so its entry is MBR000
    # whichever period is built.
    config_path = _config(tmp_path, "\n[limits]\nmax_cell_chars = 90\n")
    rows = [HEADER,
            ["2023-05-02", "Ann", "Enterprise East", "Win", SUMMARY, None, 1e-100],
            ["2024-03-05", "Bo", "Enterprise East", "Win", SUMMARY, None, 2.5]]  # fmt: skip
    collected = _assert_same_as_building_everything(make_xlsx(tmp_path, rows), config_path)
    assert [d.code for d in collected.diagnostics if d.code == "MBR000"] == ["MBR000"]
    assert collected.read == 1  # the row with the long value is not an entry


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_id_written_outside_the_period_is_still_reserved(tmp_path: Path, suffix: str) -> None:
    rows = [HEADER,
            ["2023-05-02", "Ann", "Enterprise East", "Win", SUMMARY, "w-1", None],
            ["2023-05-03", "Ann", "Enterprise East", "Win", SUMMARY, None, None],
            ["2024-03-05", "Bo", "Enterprise East", "Win", SUMMARY, "w-1", None],
            ["2022-01-04", "Cy", "Enterprise East", "Win", SUMMARY, "  w-2 ", None],
            ["2024-03-06", "Cy", "Enterprise East", "Win", SUMMARY, "w-2", None]]  # fmt: skip
    if suffix == ".csv":
        source = _write_csv(tmp_path / "log.csv", rows)
    else:
        source = make_xlsx(tmp_path, rows)
    config = load_config(_config(tmp_path))

    def in_march(value: object) -> bool:
        date = parse_date(value)  # type: ignore[arg-type]
        return date is None or date in MARCH

    records = read_sources([str(source)], wanted_date=in_march).records
    assert records[0] == OutOfPeriod("w-1") and records[1] is WITHOUT_ID
    assert records[3] == OutOfPeriod("w-2")
    assert all(isinstance(records[index], Record) for index in (2, 4))
    entries, _ = build_entries(records, config, today=TODAY, period=MARCH)
    assert [(e.id, e.seq) for e in entries] == [("w-1-2", 2), ("w-2-2", 4)]
    collected = _assert_same_as_building_everything(source, _config(tmp_path))
    assert collected.read == 5


def test_an_out_of_period_record_is_only_counted_even_without_a_period() -> None:
    config = load_config(SAMPLES / "mbr.toml")
    entries, diagnostics = build_entries(
        [OutOfPeriod("x"), WITHOUT_ID, OutOfPeriod(7)], config, today=TODAY
    )
    assert (entries, diagnostics) == ([], [])


_LAYOUTS = {
    "from A1": {},
    "from column B": {"shift": 1},
    "with a vertical merge": {"merges": ["G2:G3"]},
    "with numbers for ids": {"number_id": True},
}


@pytest.mark.parametrize("layout", list(_LAYOUTS))
def test_a_period_build_from_calamine_rows_matches_openpyxl_rows(
    tmp_path: Path, layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows from calamine are judged before they are made what openpyxl gives
    # ("" for empty cells, 42.0 for whole numbers, cells from the first used
    # column): the period's entries must not depend on which reader ran.
    options = _LAYOUTS[layout]
    shift = [None] * int(options.get("shift", 0))
    body = []
    for number in range(12):
        day = f"2024-03-{number + 1:02d}" if number % 3 == 0 else f"2023-0{number % 9 + 1}-02"
        written_id: object = number if options.get("number_id") else f"id-{number % 4}"
        note = "merged note" if number == 0 else None
        body.append([*shift, day, "Ann", "Enterprise East", "Win", SUMMARY, written_id, note])
    rows = [[*shift, *HEADER], *body]
    merges = [str(m) for m in options.get("merges", [])]  # type: ignore[attr-defined]
    source = make_xlsx(tmp_path, rows, merges=merges)
    config_path = _config(tmp_path)
    fast = _assert_same_as_building_everything(source, config_path)
    monkeypatch.setattr(xlsx, "FAST_ROWS", False)
    plain = collect([str(source)], load_config(config_path), today=TODAY, period=MARCH)
    assert (fast.read, fast.in_period, fast.diagnostics) == (
        plain.read,
        plain.in_period,
        plain.diagnostics,
    )
    assert len(fast.in_period) == 4 and fast.read == 12


def test_calamine_parses_the_sheet_openpyxl_picked_when_its_guess_was_wrong(
    tmp_path: Path,
) -> None:
    rows = [HEADER, ["2024-03-05", "Ann", "Enterprise East", "Win", SUMMARY, None, None]]
    data = make_xlsx(tmp_path, rows, sheets_before=[("Decoy", "visible")]).read_bytes()
    workbook = openpyxl.load_workbook(tmp_path / "entries.xlsx", read_only=True)
    guessed = CalamineSheet(data, "Decoy")  # parses Decoy, the wrong one
    try:
        found = guessed.rows("Entries", workbook, may_hold_error_cells=False)
        assert found is not None
        assert [row[1] for row in found[0]] == ["Author", "Ann"]
        assert guessed.rows("Entries", workbook, may_hold_error_cells=True) is None
    finally:
        guessed.close()
        workbook.close()
    [record] = read_xlsx(data, "e.xlsx", sheet="entries").records
    assert isinstance(record, Record) and record.fields["author"] == "Ann"


def test_no_calamine_parse_outlives_the_read(tmp_path: Path) -> None:
    rows = [HEADER, ["2024-03-05", "Ann", "Enterprise East", "Win", SUMMARY, None, None]]
    data = make_xlsx(tmp_path, rows).read_bytes()
    for workbook in (data, data[:200]):  # a good one, and one openpyxl cannot open
        read_xlsx(workbook, "e.xlsx")
        assert not [t for t in threading.enumerate() if t.name == "mbr-calamine"]


@pytest.mark.parametrize("chunk", [3, 7, 1 << 20])
def test_one_pass_over_the_sheet_xml_finds_error_cells_and_merges_in_any_chunking(
    tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [["Date", "Author", "Team", "Category", "Summary"],
            ["2024-11-05", "Ann", "Core", "Win", None]]  # fmt: skip
    made = make_xlsx(tmp_path, rows, merges=["C2:C3", "A5:B6"])
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(made) as archive:
        clean = archive.read(part)
    erring = tmp_path / "erring.xlsx"
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(erring, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == part:  # an error value, as Excel writes it
                content = content.replace(b'<c r="B2"', b'<c r="B2" t="e"', 1)
            target.writestr(item, content)
    assert b't="e"' not in clean
    monkeypatch.setattr(sheet_xml, "_CHUNK", chunk)
    found = sheet_xml.scan_sheet_xml(made.read_bytes(), part)
    assert (found.may_hold_error_cells, found.merge_refs) == (False, ("C2:C3", "A5:B6"))
    found = sheet_xml.scan_sheet_xml(erring.read_bytes(), part)
    assert (found.may_hold_error_cells, found.merge_refs) == (True, ("C2:C3", "A5:B6"))
    missing = sheet_xml.scan_sheet_xml(made.read_bytes(), "xl/worksheets/sheet9.xml")
    assert missing.may_hold_error_cells and isinstance(missing.failure, KeyError)
