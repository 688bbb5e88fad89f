"""The fast paths (calamine rows) give what the straightforward path gives.

Compared on the real-application fixtures, the samples and a generated
2,000-entry log: the same records, entries, diagnostics and report text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mbr.config import load_config
from mbr.dates import parse_date, parse_period
from mbr.intake import read_sources, xlsx
from mbr.intake.base import OutOfPeriod
from mbr.intake.xlsx import read_xlsx
from mbr.model import Record
from mbr.pipeline import Collected, collect
from tests.fixtures.builds import every_entry_then_filter
from tests.fixtures.workbooks import make_xlsx

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FIXTURE = ROOT / "tests" / "fixtures" / "field-log-libreoffice.xlsx"
TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize("path", [FIXTURE, SAMPLES / "intake.xlsx"], ids=["libreoffice", "sample"])
def test_both_readers_give_the_same_records_on_real_workbooks(path: Path) -> None:
    data = path.read_bytes()
    fast, plain = read_xlsx(data, path.name, fast=True), read_xlsx(data, path.name, fast=False)
    assert fast.records and fast.records == plain.records
    assert fast.diagnostics == plain.diagnostics
    assert fast.sheet == plain.sheet


def test_both_readers_give_the_same_records_on_a_generated_log(generated_log: Path) -> None:
    data = generated_log.read_bytes()
    fast, plain = read_xlsx(data, "log.xlsx", fast=True), read_xlsx(data, "log.xlsx", fast=False)
    assert len(fast.records) == 2000
    assert fast.records == plain.records
    assert fast.diagnostics == plain.diagnostics


def test_a_workbook_with_percent_formats_still_reads_the_percentage_shown(
    tmp_path: Path,
) -> None:
    rows = [["Date", "Author", "Team", "Category", "Summary", "Metric"],
            ["2024-11-05", "Ann", "Core", "Win", "Shipped it.", 0.4]]  # fmt: skip
    path = make_xlsx(tmp_path, rows, number_formats={"F2": "0%"})
    fast = read_xlsx(path.read_bytes(), "entries.xlsx", fast=True)
    assert fast.records[0].fields["metric"] == "40%"


def test_rows_starting_below_and_right_of_a1_keep_their_cell_references(tmp_path: Path) -> None:
    rows = [[], [], [None, "Date", "Author", "Team", "Category", "Summary"],
            [None, "2024-11-05", "Ann", "Core", "Win", "Shipped it."]]  # fmt: skip
    data = make_xlsx(tmp_path, rows).read_bytes()
    fast, plain = read_xlsx(data, "e.xlsx", fast=True), read_xlsx(data, "e.xlsx", fast=False)
    assert fast.records == plain.records
    assert str(fast.records[0].location_of("author")) == "e.xlsx:Entries!C4"


def _collect(sources: list[str], config_path: Path, fast: bool) -> Collected:
    previous = xlsx.FAST_ROWS
    xlsx.FAST_ROWS = fast
    try:
        return collect(sources, load_config(config_path), today=TODAY)
    finally:
        xlsx.FAST_ROWS = previous


def _report_text(collected: Collected, config_path: Path) -> bytes:
    from mbr.report import CompileOptions, compile_report

    result = compile_report(
        collected,
        load_config(config_path),
        CompileOptions(format="html", keep_going=True, timestamp=dt.datetime(2026, 11, 27)),
    )
    assert result.content is not None
    return result.content


@pytest.mark.parametrize("which", ["samples", "generated"])
def test_fast_and_plain_paths_give_the_same_entries_diagnostics_and_report(
    which: str, generated_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = SAMPLES / "mbr.toml"
    if which == "samples":
        monkeypatch.chdir(SAMPLES)
        sources = [str(SAMPLES / "intake.xlsx"), str(SAMPLES / "entries")]
    else:
        sources = [str(generated_log)]
    fast, plain = _collect(sources, config, True), _collect(sources, config, False)
    assert fast.read == plain.read and fast.in_period == plain.in_period
    assert fast.diagnostics == plain.diagnostics
    assert _report_text(fast, config) == _report_text(plain, config)


@pytest.mark.parametrize(
    ("which", "period"),
    [("samples", "2026-10"), ("samples", "2026-09"), ("generated", "2024-03"),
     ("generated csv", "2023"), ("generated", "2030")],
)  # fmt: skip
def test_a_build_for_one_period_gives_what_building_everything_and_filtering_gives(
    which: str, period: str, generated_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows dated outside the period are read briefly and never built into
    # entries; nothing about the period's entries may change because of it.
    config = SAMPLES / "mbr.toml"
    if which == "samples":
        monkeypatch.chdir(SAMPLES)
        sources = [str(SAMPLES / "intake.xlsx"), str(SAMPLES / "entries")]
    elif which == "generated csv":
        sources = [str(generated_log.with_suffix(".csv"))]
    else:
        sources = [str(generated_log)]
    wanted = parse_period(period, today=TODAY)
    fast = collect(sources, load_config(config), today=TODAY, period=wanted)
    plain = every_entry_then_filter(sources, config, wanted, today=TODAY)
    assert fast.read == plain.read
    assert fast.in_period == plain.in_period
    assert fast.diagnostics == plain.diagnostics
    assert _report_text(fast, config) == _report_text(plain, config)
    if period == "2024-03":
        assert 0 < len(fast.in_period) < fast.read / 10  # the case the fast path is for


_TEXT_DATE_FORMS = ("%d %b %Y", "%-d %B %Y", "%b %d, %Y", "%B %-d %Y", "%b. %-d %Y", "%-d %b. %Y")
_EDGE_TEXT_DATES = (
    "31 Nov 2024", "30 Feb 2024", "29 Feb 2023", "29 Feb 2024", "5 Sept 2024",
    "Sept 5, 2024", "5 Foo 2024", "5 Nov 1899", "5 mAy 2024", "5 Mayo 2024", "June 31, 2025",
)  # fmt: skip


def test_english_text_dates_read_without_dateparser_as_dateparser_reads_them() -> None:
    from mbr.dates import _dateparser_date, _english_date

    days = [dt.date(2020, 1, 1) + dt.timedelta(days=k) for k in range(0, 1500, 37)]
    texts = [day.strftime(form) for day in days for form in _TEXT_DATE_FORMS]
    for text in [*texts, *_EDGE_TEXT_DATES]:
        fast = _english_date(text)
        if fast is not None:  # None hands the text to dateparser
            assert fast == _dateparser_date(text, "MDY", ("en",)), text
    assert sum(_english_date(text) is not None for text in texts) == len(texts)


_NOT_DATES_WITH_ONE_NUMBER = (
    "sometime in week 23", "first November 2024", "November first, 2024", "Nov2024", "2024",
    "the fifth of May 2024", "241105", "05112024", "Q3 2024", "5th", "tenth of June 2024",
)  # fmt: skip


def test_text_with_one_number_is_not_a_date_without_asking_dateparser() -> None:
    from mbr.dates import _dateparser_date, _parse_date_text

    for text in _NOT_DATES_WITH_ONE_NUMBER:
        assert _parse_date_text(text, "MDY", ("en",)) is None
        assert _dateparser_date(text, "MDY", ("en",)) is None, text


def test_error_value_cells_read_as_their_text_on_both_paths(tmp_path: Path) -> None:
    import zipfile

    rows = [["Date", "Author", "Team", "Category", "Summary"],
            ["2024-11-05", "Ann", "Core", "Win", None]]  # fmt: skip
    made = make_xlsx(tmp_path, rows, formulas={"E2": ("=Sheet9!A1", "#REF!")})
    path = tmp_path / "errors.xlsx"
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                # An error value, as Excel writes it.
                content = content.replace(b't="str"', b't="e"')
            target.writestr(item, content)
    data = path.read_bytes()
    fast, plain = read_xlsx(data, "e.xlsx", fast=True), read_xlsx(data, "e.xlsx", fast=False)
    assert plain.records[0].fields["summary"] == "#REF!"
    assert fast.records == plain.records


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_rows_dated_outside_the_period_are_read_briefly(generated_log: Path, suffix: str) -> None:
    source = str(generated_log.with_suffix(suffix))
    config = load_config(SAMPLES / "mbr.toml")
    in_2024 = parse_period("2024", today=TODAY)

    def wanted(value: object) -> bool:
        date = parse_date(value, date_order=config.date_order)  # type: ignore[arg-type]
        return date is None or date in in_2024

    brief = read_sources([source], wanted_date=wanted)
    full = read_sources([source])
    assert len(brief.records) == len(full.records) == 2000
    assert brief.diagnostics == full.diagnostics
    pairs = list(zip(brief.records, full.records, strict=True))
    kept = [f for b, f in pairs if b == f]
    short = [f for b, f in pairs if isinstance(b, OutOfPeriod)]
    assert len(kept) + len(short) == 2000 and kept and short
    assert all(isinstance(f, Record) and wanted(f.fields["date"]) for f in kept)
    assert all(isinstance(f, Record) and not wanted(f.fields["date"]) for f in short)


def test_a_row_outside_the_period_with_an_overlong_value_is_reported_as_before(
    tmp_path: Path,
) -> None:
    # The brief read cannot measure every value once cleaned, so a row with a
    # long text is read in full: its MBR000 must not depend on the period.
    config_path = tmp_path / "mbr.toml"
    config_path.write_text(
        (SAMPLES / "mbr.toml").read_text(encoding="utf-8") + "\n[limits]\nmax_cell_chars = 200\n",
        encoding="utf-8",
    )
    long = "Closed the renewal. " * 20
    rows = [["Date", "Author", "Team", "Category", "Summary", "Notes"],
            ["2023-05-02", "Ann", "Core", "Win", "Cut costs by 40%.", ""],
            ["2023-05-03", "Ann", "Core", "Win", long, ""],
            ["2023-05-04", "Bo", "Core", "Win", "Cut costs by 30%.", long],
            ["2024-03-05", "Bo", "Core", "Win", "Cut costs by 20%.", ""]]  # fmt: skip
    for path in (make_xlsx(tmp_path, rows), tmp_path / "log.csv"):
        if path.suffix == ".csv":
            path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
        period = parse_period("2024-03", today=TODAY)
        fast = collect([str(path)], load_config(config_path), today=TODAY, period=period)
        plain = every_entry_then_filter([str(path)], config_path, period, today=TODAY)
        assert [d.code for d in fast.diagnostics if d.code == "MBR000"] == ["MBR000"] * 2
        assert fast.diagnostics == plain.diagnostics
        assert (fast.read, fast.in_period) == (plain.read, plain.in_period)
