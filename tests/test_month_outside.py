"""One month out of a multi-year log: rows dated outside the period are only
counted (OutOfPeriod), and nothing about the period's entries may differ from
building every entry and filtering afterwards.

Also the xlsx work done alongside: calamine parsing in a thread, and one pass
over the sheet XML for error cells and merges.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from mbr.config import Limits, load_config
from mbr.dates import parse_date, parse_period
from mbr.entries import build_entries
from mbr.intake import delimited, read_sources, sheet_xml, xlsx
from mbr.intake.base import WITHOUT_ID, OutOfPeriod
from mbr.intake.outside import OutsideRows
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
    rows: list[Sequence[object]] = [HEADER,
            ["2023-05-02", "Ann", "Enterprise East", "Win", SUMMARY, None, 1e-100],
            ["2024-03-05", "Bo", "Enterprise East", "Win", SUMMARY, None, 2.5]]  # fmt: skip
    collected = _assert_same_as_building_everything(make_xlsx(tmp_path, rows), config_path)
    assert [d.code for d in collected.diagnostics if d.code == "MBR000"] == ["MBR000"]
    assert collected.read == 1  # the row with the long value is not an entry


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_id_written_outside_the_period_is_still_reserved(tmp_path: Path, suffix: str) -> None:
    rows: list[Sequence[object]] = [HEADER,
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


_LAYOUTS: dict[str, dict[str, Any]] = {
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
    rows: list[Sequence[object]] = [[*shift, *HEADER], *body]
    merges = [str(m) for m in options.get("merges", [])]
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
    rows: list[Sequence[object]] = [
        HEADER,
        ["2024-03-05", "Ann", "Enterprise East", "Win", SUMMARY, None, None],
    ]
    data = make_xlsx(tmp_path, rows, sheets_before=[("Decoy", "visible")]).read_bytes()
    guessed = CalamineSheet(data, "Decoy")  # parses Decoy, the wrong one
    try:
        found = guessed.rows("Entries")
        assert found is not None
        assert [row[1] for row in found[0]] == ["Author", "Ann"]
    finally:
        guessed.close()
    [record] = read_xlsx(data, "e.xlsx", sheet="entries").records
    assert isinstance(record, Record) and record.fields["author"] == "Ann"


def test_no_calamine_parse_outlives_the_read(tmp_path: Path) -> None:
    rows: list[Sequence[object]] = [
        HEADER,
        ["2024-03-05", "Ann", "Enterprise East", "Win", SUMMARY, None, None],
    ]
    data = make_xlsx(tmp_path, rows).read_bytes()
    for workbook in (data, data[:200]):  # a good one, and one openpyxl cannot open
        read_xlsx(workbook, "e.xlsx")
        assert not [t for t in threading.enumerate() if t.name == "mbr-calamine"]


@pytest.mark.parametrize("chunk", [3, 7, 1 << 20])
def test_one_pass_over_the_sheet_xml_finds_error_cells_and_merges_in_any_chunking(
    tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows: list[Sequence[object]] = [["Date", "Author", "Team", "Category", "Summary"],
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


# Batches: a period build judges rows a batch at a time (OutsideRows.judge_batch)
# and must give what judging them one at a time gives, wherever batches split.

IN_MARCH_OR_UNDATED = ("2024-03-05", " 2024-03-31 ", "", "  ", "sometime")
OUTSIDE_MARCH = ("2023-05-02", "2022-01-04", '"May 2, 2023"')


def _in_march(value: object) -> bool:
    date = parse_date(value)  # type: ignore[arg-type]
    return date is None or date in MARCH


def _row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every batch be judged row by row, as before batches."""
    monkeypatch.setattr(OutsideRows, "judge_batch", lambda self, rows, **_: None)


def _tricky_csv() -> str:
    """Rows of every shape, dated in and outside March 2024, with ids."""
    lines = ["Date,Author,Team,Category,Summary,ID,Notes"]
    for number in range(40):
        date = (OUTSIDE_MARCH * 3 + IN_MARCH_OR_UNDATED)[number % 14]
        summary = [
            "Did it.",
            '"two\r\nlines"',
            '"bare\rreturn"',
            '"three\nline\nnote"',
            '"a ""quote"", and a comma"',
        ][number % 5]
        written_id = f"id-{number % 6}" if number % 3 else ""
        row = [date, "Ann", "Enterprise East", "Win", summary, written_id]
        if number % 7 == 0:
            row = row[: 1 + number % 4]  # short: may miss the id, or all but the date
        elif number % 11 == 0:
            row += ["note", "beyond the header"]
        lines.append(",".join(row))
        if number % 9 == 0:
            lines.append("")  # a blank line between rows
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("batch", [1, 3, 16, 128])
def test_a_csv_judged_in_batches_reads_as_judged_row_by_row(
    tmp_path: Path, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _tricky_csv().encode("utf-8")
    monkeypatch.setattr(delimited, "BATCH_ROWS", batch)
    batched = delimited.read_csv(data, "log.csv", wanted_date=_in_march)
    _row_by_row(monkeypatch)
    single = delimited.read_csv(data, "log.csv", wanted_date=_in_march)
    assert batched == single
    kept = [r for r in batched.records if isinstance(r, Record)]
    markers = [r for r in batched.records if isinstance(r, OutOfPeriod)]
    assert kept and markers and OutOfPeriod("id-1") in markers and WITHOUT_ID in markers
    # The line a record starts on, after quoted fields spanning lines and blank lines.
    lines = re.split(r"\r\n|\r|\n", _tricky_csv())
    for record in kept:
        line = lines[record.origin.line - 1]  # type: ignore[operator]
        assert line.split(",")[0].strip() == (record.fields["date"] or "")


@pytest.mark.parametrize("batch", [2, 128])
def test_an_over_long_csv_cell_outside_the_period_is_its_entry_s_mbr000_in_any_batch(
    tmp_path: Path, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # csv's own field limit stops a batch at the long cell; the file is then
    # read row by row, so the MBR000 is the one a build of every entry gives.
    config_path = _config(tmp_path, "\n[limits]\nmax_cell_chars = 100\n")
    rows: list[Sequence[object]] = [HEADER,
            *[["2023-05-02", "Ann", "Enterprise East", "Win", SUMMARY, None, None]] * 5,
            ["2023-05-03", "Ann", "Enterprise East", "Win", SUMMARY, None, "x" * 101],
            ["2024-03-05", "Bo", "Enterprise East", "Win", SUMMARY, None, "x" * 100]]  # fmt: skip
    source = _write_csv(tmp_path / "log.csv", rows)
    monkeypatch.setattr(delimited, "BATCH_ROWS", batch)
    collected = _assert_same_as_building_everything(source, config_path)
    [problem] = [d for d in collected.diagnostics if d.code == "MBR000"]
    assert str(problem.location) == f"{source}:7" and "101 characters" in problem.message
    assert collected.read == 6 and len(collected.in_period) == 1


@pytest.mark.parametrize("batch", [3, 128])
def test_a_malformed_row_after_batches_is_mbr000_at_the_line_it_starts_on(
    tmp_path: Path, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = [f'2023-05-{day:02d},Ann,Enterprise East,Win,"two\nlines"' for day in range(1, 21)]
    text = "\n".join(["Date,Author,Team,Category,Summary", *body, '2024-03-05,Bo,T,Win,"open\n'])
    monkeypatch.setattr(delimited, "BATCH_ROWS", batch)
    result = delimited.read_csv(text.encode(), "log.csv", wanted_date=_in_march)
    [problem] = result.diagnostics
    assert (problem.code, str(problem.location)) == ("MBR000", "log.csv:42")
    assert "never closed" in problem.message and result.records == []


def test_too_many_rows_in_a_batched_period_build_is_mbr000_before_a_later_broken_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = [f"2023-05-02,Ann,Enterprise East,Win,row {n}" for n in range(12)]
    text = "\n".join(["Date,Author,Team,Category,Summary", *body, '2024-03-05,Bo,T,Win,"open\n'])
    monkeypatch.setattr(delimited, "BATCH_ROWS", 5)
    result = delimited.read_csv(
        text.encode(), "log.csv", limits=Limits(max_rows=10), wanted_date=_in_march
    )
    [problem] = result.diagnostics
    assert problem.code == "MBR000" and "more than 10 entries" in problem.message
    assert result.records == []
    result = delimited.read_csv(text.encode(), "log.csv", limits=Limits(max_rows=30))
    assert "malformed CSV" in result.diagnostics[0].message  # the limit is not reached


_CELLS = {
    "text": "Did it.",
    "a long text": "x" * 101,
    "a whole number": 42,
    "a fraction": 3.5,
    "a tiny number": 1e-100,
    "a huge number": 1e150,
    "a negative number": -1e-39,
    "NaN": float("nan"),
    "infinity": float("inf"),
    "a time": dt.time(10, 30),
    "a duration": dt.timedelta(hours=5),
    "a boolean": True,
}


@pytest.mark.parametrize("kind", list(_CELLS))
@pytest.mark.parametrize("batch", [1, 4, 128])
def test_calamine_rows_judged_in_batches_read_as_judged_row_by_row(
    tmp_path: Path, kind: str, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A batch holding one cell that a row-by-row judgement would send to the
    # full read (long text, a number whose text is long, a duration) must
    # not mark that cell's row out of the period. Batches start below the
    # 20 rows searched for the header.
    body = []
    for number in range(40):
        day = dt.date(2024, 3, 5) if number % 4 == 0 else dt.date(2023, 5, number % 28 + 1)
        note = _CELLS[kind] if number in (25, 33) else None
        body.append([day, "Ann", "Enterprise East", "Win", SUMMARY, f"id-{number % 3}", note])
    data = make_xlsx(tmp_path, [HEADER, *body]).read_bytes()
    limits = Limits(max_cell_chars=100)
    monkeypatch.setattr(xlsx, "BATCH_ROWS", batch)
    batched = read_xlsx(data, "e.xlsx", limits=limits, wanted_date=_in_march)
    _row_by_row(monkeypatch)
    single = read_xlsx(data, "e.xlsx", limits=limits, wanted_date=_in_march)
    assert batched == single
    assert [type(r).__name__ for r in batched.records].count("Record") >= 10


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_too_many_rows_below_the_first_batches_is_mbr000_in_a_period_build(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows: list[Sequence[object]] = [
        HEADER,
        *[["2023-05-02", "Ann", "Enterprise East", "Win", SUMMARY, None, None]] * 40,
    ]
    if suffix == ".csv":
        source = _write_csv(tmp_path / "log.csv", rows)
    else:
        source = make_xlsx(tmp_path, rows)
    monkeypatch.setattr(delimited, "BATCH_ROWS", 4)
    monkeypatch.setattr(xlsx, "BATCH_ROWS", 4)
    result = read_sources([str(source)], limits=Limits(max_rows=30), wanted_date=_in_march)
    [problem] = result.diagnostics
    assert problem.code == "MBR000" and "more than 30 entries" in problem.message
    assert result.records == []
