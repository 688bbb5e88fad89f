"""Properties over generated input: total rules, values that survive a round trip, periods.

Hypothesis looks for the text, cell value or period expression that breaks a
promise; each promise below holds for every input it can build.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mbr.config import Config
from mbr.dates import Period, parse_period
from mbr.errors import UsageError
from mbr.intake import read_sources
from mbr.model import Diagnostic, Entry, Location
from mbr.output import format_github, format_json, format_text, sort_diagnostics
from mbr.rules.engine import RuleSet, check_entries, check_entry
from mbr.rules.registry import all_rules

MODEST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- text the rules must survive ----------------------------------------------

# What real paste-ins carry, and what the rules look for, so that generated
# text hits the rules' own code paths rather than only ASCII noise.
AWKWARD = [
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\ufffd",
    "\u00ad",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u061c",
    "\ud800",
    "\udfff",
    "\U0001f469\u200d\U0001f4bb",
    "\u2764\ufe0f",
    "e\u0301",
    "â€™",
    "Ã©",
    "ï»¿",
    "•",
    "◦",
    "▪",
    "- ",
    "* ",
    "1. ",
    "1) ",
    "**",
    "!!",
    "??",
    "???",
    "TBD",
    "XX%",
    "[customer]",
    "<insert name>",
    "lorem ipsum",
    "#REF!",
    "#N/A",
    "I think",
    "in order to",
    "very",
    "a number of",
    "EDP",
    "APIs",
    "FY24",
    "Q3",
    "U.S.",
    "e.g.",
    "Inc.",
    "3.5x",
    "$2M",
    "99.9%",
    "10k",
    "300 ms",
    "2024-11-05",
    "Acme Corp.",
    "SHOUTING",
    "I",
    "my",
    ".",
    "!",
    "?",
    '."',
    ".)",
    " ",
    "  ",
]
ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates and unassigned included
PIECES = st.one_of(ANY_CHARACTER, st.sampled_from(AWKWARD), st.text(max_size=12))
TEXT = st.lists(PIECES, max_size=60).map("".join)
RULE_CODES = {info.code for info in all_rules()}
TERMINAL_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def entry(summary: str, *, headline: str = "", customer: str = "", seq: int = 0) -> Entry:
    at = Location("log.yaml", line=seq + 1, column=1)
    return Entry(
        id=f"e{seq}",
        date=dt.date(2024, 11, 5),
        author="Ann Lee",
        team="East",
        category="win",
        summary=summary,
        source="log.yaml",
        origin=at,
        locations={"summary": at, "headline": at, "customer": at},
        customer=customer,
        headline=headline,
        seq=seq,
    )


def assert_well_formed(diagnostics: list[Diagnostic], entries: list[Entry]) -> None:
    ids = {e.id for e in entries}
    for found in diagnostics:
        assert found.code in RULE_CODES
        assert found.message and found.help
        assert found.entry_id in ids
    # Whatever the rules quote from the text, every output format renders it,
    # and what goes to a terminal cannot control it.
    ordered = sort_diagnostics(diagnostics)
    for line in [*format_text(ordered), *format_github(ordered)]:
        assert TERMINAL_CONTROL.search(line) is None, line
    assert len(json.loads(format_json(ordered))) == len(diagnostics)


RULES = RuleSet(Config())


@MODEST
@given(summary=TEXT, headline=TEXT, customer=TEXT)
@example(summary="", headline="", customer="")
@example(summary="\u200b\u200b", headline="\ud800", customer=" ")
@example(summary="Acme Corp. (AC) grew 40%.", headline="TBD", customer="Acme Corp.")
def test_every_text_rule_is_total(summary: str, headline: str, customer: str) -> None:
    one = entry(summary, headline=headline, customer=customer)
    assert_well_formed(check_entry(one, RULES), [one])


@MODEST
@given(summaries=st.lists(TEXT, min_size=2, max_size=6))
def test_collection_rules_are_total(summaries: list[str]) -> None:
    entries = [entry(text, seq=seq) for seq, text in enumerate(summaries)]
    assert_well_formed(check_entries(entries, Config()), entries)


@settings(max_examples=8, deadline=None)
@given(seed=st.lists(PIECES, min_size=1, max_size=40).map("".join).filter(bool))
def test_rules_finish_on_100k_characters(seed: str) -> None:
    summary = (seed * (100_000 // len(seed) + 1))[:100_000]
    one = entry(summary, headline=summary[:5_000], customer=seed[:50])
    assert_well_formed(check_entry(one, RULES), [one])


# --- values written to files read back unchanged ----------------------------

FIELDS = {"Author": "author", "Team": "team", "Summary": "summary", "Customer": "customer"}
EXTRA = "Notes"
# Excel's own escape for a character in a cell (_x000D_ is a carriage return);
# openpyxl writes such text unescaped, so the file then really says "control
# character" and reading it back as one is right.
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
# Characters XML 1.0 cannot hold: openpyxl refuses control characters
# (IllegalCharacterError) and would write the rest into a file nothing can parse.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# openpyxl (like Excel) stores these exact texts as error values, not text;
# test_error_value_cells_read_as_their_text covers them.
ERROR_VALUES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")


def cell_text() -> st.SearchStrategy[str]:
    return (
        st.lists(st.one_of(ANY_CHARACTER, st.sampled_from(AWKWARD)), max_size=30)
        .map("".join)
        .map(lambda text: _NOT_IN_XML.sub("", text))
        # openpyxl stores a string starting with "=" as a formula with no result.
        .filter(lambda text: not text.startswith("="))
        .filter(lambda text: _EXCEL_ESCAPE.search(text) is None)
        .filter(lambda text: text not in ERROR_VALUES)
    )


def as_read(text: str) -> str | None:
    """SPEC 1.2: trimmed, line breaks as \\n, empty (or whitespace only) is no value."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip() or None


Row = dict[str, str]
ROWS = st.lists(
    st.fixed_dictionaries({name: cell_text() for name in [*FIELDS, EXTRA]}),
    min_size=1,
    max_size=4,
)


def expected_records(rows: list[Row], *, skip_empty: bool) -> list[dict[str, str | None]]:
    """Each row as read; the extra column as text ("" when empty).

    A sheet's empty rows are skipped; a YAML mapping is an entry even when
    every value is empty (an unfilled `mbr new` skeleton must get MBR001).
    """
    expected = []
    for row in rows:
        fields: dict[str, str | None] = {FIELDS[h]: as_read(row[h]) for h in FIELDS}
        if not skip_empty or any(value is not None for value in fields.values()):
            fields[EXTRA] = as_read(row[EXTRA]) or ""
            expected.append(fields)
    return expected


def read_back(path: Path) -> list[dict[str, str | None]]:
    result = read_sources([str(path)])
    assert [d.code for d in result.diagnostics if d.code != "MBR010"] == []
    return [{**record.fields, EXTRA: record.extra.get(EXTRA)} for record in result.records]


def fresh(tmp_path: Path, name: str) -> Path:
    # Hypothesis reuses one tmp_path for every example of a test.
    path = tmp_path / name
    path.unlink(missing_ok=True)
    return path


@MODEST
@given(rows=ROWS)
@example(
    rows=[
        {
            "Author": "  Ann\r\nLee ",
            "Team": "NO",
            "Summary": "1.0",
            "Customer": "",
            EXTRA: "\u202eright to left",
        }
    ]
)
def test_spreadsheet_values_read_back_identical(tmp_path: Path, rows: list[Row]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Entries"
    sheet.append([*FIELDS, EXTRA])
    for row in rows:
        sheet.append([row[header] for header in [*FIELDS, EXTRA]])
    path = fresh(tmp_path, "log.xlsx")
    book.save(path)
    assert read_back(path) == expected_records(rows, skip_empty=True)


def test_error_value_cells_read_as_their_text(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Author", "Summary"])
    for value in ERROR_VALUES:
        sheet.append(["Ann Lee", value])
    path = tmp_path / "errors.xlsx"
    book.save(path)
    summaries = [record.fields["summary"] for record in read_sources([str(path)]).records]
    assert summaries == list(ERROR_VALUES)


# YAML, unlike a cell, can hold any character: safe_dump escapes what is not
# printable ("\x07", "\ud800") and the reader must give back the same text.
# Except NEL, LS and PS: YAML 1.1 counts them as line breaks, which fold to a
# space when read, yet PyYAML's emitter writes them unescaped under
# allow_unicode, so the file itself says "line break" there.
_YAML_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")
YAML_TEXT = (
    st.lists(st.one_of(ANY_CHARACTER, st.sampled_from(AWKWARD)), max_size=30)
    .map("".join)
    .map(lambda text: _YAML_LINE_BREAKS.sub("", text))
)


@MODEST
@given(
    rows=st.lists(
        st.fixed_dictionaries({h: YAML_TEXT for h in [*FIELDS, EXTRA]}), min_size=1, max_size=4
    )
)
@example(
    rows=[{"Author": "NO", "Team": "yes", "Summary": "1.0", "Customer": "2024-11-05", EXTRA: "~"}]
)
def test_yaml_values_read_back_identical(tmp_path: Path, rows: list[Row]) -> None:
    path = fresh(tmp_path, "log.yaml")
    path.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    result = read_sources([str(path)])
    unreadable = [d for d in result.diagnostics if d.code == "MBR000"]
    if unreadable:
        # PyYAML's own emitter writes surrogates as \uD800 escapes that its
        # reader then refuses; such a file is unreadable, and says so.
        assert re.search("[\ud800-\udfff]", "".join(v for r in rows for v in r.values()))
        assert "invalid YAML" in unreadable[0].message
        return
    assert read_back(path) == expected_records(rows, skip_empty=False)


# --- periods ------------------------------------------------------------------

YEARS = st.integers(min_value=0, max_value=10_000).map(lambda y: f"{y:04d}")
MONTH_NAMES = st.sampled_from(["Jan", "Feb.", "november", "SEPT", "Sept", "Smarch", "May"])
PERIOD_TEXT = st.one_of(
    st.text(max_size=30),
    st.builds("{}-{}".format, YEARS, st.integers(-1, 14)),
    st.builds("{} {}".format, MONTH_NAMES, YEARS),
    st.builds("{}-Q{}".format, YEARS, st.integers(-1, 6)),
    st.builds("Q{} {}".format, st.integers(-1, 6), YEARS),
    YEARS,
    st.builds(
        "{}..{}".format,
        st.dates().map(dt.date.isoformat),
        st.dates().map(dt.date.isoformat),
    ),
    st.builds(
        "{}-{:02d}-{:02d}..{}".format,
        YEARS,
        st.integers(0, 13),
        st.integers(0, 32),
        st.dates().map(dt.date.isoformat),
    ),
    st.sampled_from(
        [
            "this month",
            "last month",
            "this quarter",
            "last quarter",
            " Last  Quarter ",
            "next month",
            "2024 - 11",
            "2024-10-01 .. 2024-12-31",
        ]
    ),
)


@MODEST
@given(text=PERIOD_TEXT, today=st.dates())
@example(text="last month", today=dt.date(1, 1, 15))
@example(text="this quarter", today=dt.date(9999, 12, 31))
@example(text="9999-12", today=dt.date(2024, 11, 5))
@example(text="9999-Q4", today=dt.date(2024, 11, 5))
@example(text="0000", today=dt.date(2024, 11, 5))
def test_a_period_is_a_range_or_a_usage_error(text: str, today: dt.date) -> None:
    try:
        period = parse_period(text, today=today)
    except UsageError as error:
        assert str(error)
        return
    assert isinstance(period, Period)
    assert isinstance(period.start, dt.date) and isinstance(period.end, dt.date)
    assert period.start <= period.end


@pytest.mark.parametrize("text", ["2024-11", "Nov 2024", "2024-Q3", "2024", "last month"])
def test_the_period_strategy_reaches_the_real_forms(text: str) -> None:
    # A guard on the generator: if every form failed to parse, the property
    # above would pass on UsageErrors alone.
    assert parse_period(text, today=dt.date(2024, 12, 1)).start.year == 2024
