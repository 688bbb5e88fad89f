"""Dates in cells and text, and --period expressions (SPEC §1.3)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from mbr.dates import Period, excel_serial_date, parse_date, parse_period, span_of
from mbr.errors import ConfigError, UsageError

D = dt.date
TODAY = D(2025, 1, 15)


@pytest.mark.parametrize(
    ("text", "today", "start", "end", "kind"),
    [
        ("2024-11", TODAY, D(2024, 11, 1), D(2024, 11, 30), "month"),
        ("2024-2", TODAY, D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("2023-02", TODAY, D(2023, 2, 1), D(2023, 2, 28), "month"),
        ("Nov 2024", TODAY, D(2024, 11, 1), D(2024, 11, 30), "month"),
        ("November 2024", TODAY, D(2024, 11, 1), D(2024, 11, 30), "month"),
        ("november  2024", TODAY, D(2024, 11, 1), D(2024, 11, 30), "month"),
        ("Feb 2024", TODAY, D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("Sept 2024", TODAY, D(2024, 9, 1), D(2024, 9, 30), "month"),
        ("2024-Q3", TODAY, D(2024, 7, 1), D(2024, 9, 30), "quarter"),
        ("2024-q1", TODAY, D(2024, 1, 1), D(2024, 3, 31), "quarter"),
        ("Q3 2024", TODAY, D(2024, 7, 1), D(2024, 9, 30), "quarter"),
        ("q4 2024", TODAY, D(2024, 10, 1), D(2024, 12, 31), "quarter"),
        ("2024", TODAY, D(2024, 1, 1), D(2024, 12, 31), "year"),
        ("2024-10-01..2024-12-31", TODAY, D(2024, 10, 1), D(2024, 12, 31), "range"),
        ("2024-10-01 .. 2024-12-15", TODAY, D(2024, 10, 1), D(2024, 12, 15), "range"),
        ("2024-11-05..2024-11-05", TODAY, D(2024, 11, 5), D(2024, 11, 5), "range"),
        ("  2024 - 11 ", TODAY, D(2024, 11, 1), D(2024, 11, 30), "month"),
        ("this month", TODAY, D(2025, 1, 1), D(2025, 1, 31), "month"),
        ("This  Month", D(2024, 2, 10), D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("last month", TODAY, D(2024, 12, 1), D(2024, 12, 31), "month"),
        ("LAST MONTH", D(2024, 3, 31), D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("this quarter", TODAY, D(2025, 1, 1), D(2025, 3, 31), "quarter"),
        ("this quarter", D(2024, 9, 30), D(2024, 7, 1), D(2024, 9, 30), "quarter"),
        ("last quarter", TODAY, D(2024, 10, 1), D(2024, 12, 31), "quarter"),
        ("last quarter", D(2024, 5, 2), D(2024, 1, 1), D(2024, 3, 31), "quarter"),
    ],
)
def test_parse_period_reads_every_form(
    text: str, today: dt.date, start: dt.date, end: dt.date, kind: str
) -> None:
    assert parse_period(text, today=today) == Period(start, end, kind)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("2024-13", "there is no month 13"),
        ("2024-00", "there is no month 0"),
        ("Q5 2024", "there is no quarter 5"),
        ("2024-Q0", "there is no quarter 0"),
        ("2024-02-30..2024-03-31", "2024-02-30 is not a date"),
        ("Novembre 2024", None),
        ("next month", None),
        ("November", None),
        ("24", None),
        ("2024-11-05", None),  # a day is not a period; a one-day range is a..a
        ("last week", None),
        ("", None),
    ],
)
def test_parse_period_rejects_other_text_with_the_accepted_forms(
    text: str, detail: str | None
) -> None:
    with pytest.raises(UsageError) as caught:
        parse_period(text, today=TODAY)
    assert repr(text) in caught.value.message
    if detail is not None:
        assert detail in caught.value.message
    assert caught.value.hint is not None
    assert "2024-Q3" in caught.value.hint and "last quarter" in caught.value.hint


def test_parse_period_rejects_a_range_that_ends_before_it_starts() -> None:
    with pytest.raises(UsageError, match="ends before it starts"):
        parse_period("2024-12-31..2024-10-01", today=TODAY)


@pytest.mark.parametrize(
    ("text", "label", "slug"),
    [
        ("2024-11", "November 2024", "2024-11"),
        ("Q3 2024", "Q3 2024", "2024-Q3"),
        ("2024", "2024", "2024"),
        ("2024-10-01..2024-12-15", "1 Oct 2024 – 15 Dec 2024", "2024-10-01..2024-12-15"),
    ],
)
def test_period_labels_and_slugs(text: str, label: str, slug: str) -> None:
    period = parse_period(text, today=TODAY)
    assert (period.label, period.slug) == (label, slug)


def test_period_contains_its_first_and_last_day_only() -> None:
    period = parse_period("2024-11", today=TODAY)
    assert D(2024, 11, 1) in period and D(2024, 11, 30) in period
    assert D(2024, 10, 31) not in period and D(2024, 12, 1) not in period
    assert None not in period


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ([], None),
        ([D(2024, 11, 27)], Period(D(2024, 11, 1), D(2024, 11, 30), "month")),
        ([D(2024, 11, 27), D(2024, 11, 3)], Period(D(2024, 11, 1), D(2024, 11, 30), "month")),
        ([D(2024, 12, 2), D(2024, 11, 3)], Period(D(2024, 11, 3), D(2024, 12, 2), "range")),
        ([D(2025, 1, 2), D(2024, 1, 9)], Period(D(2024, 1, 9), D(2025, 1, 2), "range")),
    ],
)
def test_span_of(dates: list[dt.date], expected: Period | None) -> None:
    assert span_of(iter(dates)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(2024, 11, 5), D(2024, 11, 5)),
        (dt.datetime(2024, 11, 5, 17, 30), D(2024, 11, 5)),
        (dt.datetime(2024, 11, 5, 23, 0, tzinfo=dt.UTC), D(2024, 11, 5)),
        (45601, D(2024, 11, 5)),
        (45601.75, D(2024, 11, 5)),
        (45658.0, D(2025, 1, 1)),
        ("45601", D(2024, 11, 5)),
        ("2024-11-05", D(2024, 11, 5)),
        ("  2024-11-05 ", D(2024, 11, 5)),
        ("2024-11-5", D(2024, 11, 5)),
        ("2024-11-05T10:00", D(2024, 11, 5)),
        ("2024-11-05T10:00:00Z", D(2024, 11, 5)),
        ("2024-11-05 10:00", D(2024, 11, 5)),
        ("2024-11-05 00:00:00", D(2024, 11, 5)),
        ("2024-11-05T23:59:59.123+01:00", D(2024, 11, 5)),
        ("2024/11/05", D(2024, 11, 5)),
        ("2024.11.05", D(2024, 11, 5)),
        ("20241105", D(2024, 11, 5)),
        ("Nov 5, 2024", D(2024, 11, 5)),
        ("November 5, 2024", D(2024, 11, 5)),
        ("Tuesday, November 5, 2024", D(2024, 11, 5)),
        ("5 Nov 2024", D(2024, 11, 5)),
        ("5 November 2024", D(2024, 11, 5)),
        ("5-Nov-2024", D(2024, 11, 5)),
        ("Nov 5th 2024", D(2024, 11, 5)),
        ("11/12/2024", D(2024, 11, 12)),
        ("11/12/24", D(2024, 11, 12)),
        ("2024-02-29", D(2024, 2, 29)),
    ],
)
def test_parse_date_reads_cells_and_common_text(value: object, expected: dt.date) -> None:
    assert parse_date(value, date_order="MDY") == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "mdy", "dmy"),
    [
        ("11/12/2024", D(2024, 11, 12), D(2024, 12, 11)),
        ("12.11.2024", D(2024, 12, 11), D(2024, 11, 12)),
        ("5 Nov 2024", D(2024, 11, 5), D(2024, 11, 5)),
        ("2024-11-05", D(2024, 11, 5), D(2024, 11, 5)),
    ],
)
def test_parse_date_follows_the_date_order(text: str, mdy: dt.date, dmy: dt.date) -> None:
    assert parse_date(text, date_order="MDY") == mdy
    assert parse_date(text, date_order="DMY") == dmy


def test_parse_date_reads_other_configured_languages() -> None:
    assert parse_date("5. November 2024", date_order="DMY", languages=("de",)) == D(2024, 11, 5)
    assert parse_date("5 novembre 2024", date_order="DMY", languages=("fr",)) == D(2024, 11, 5)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "hello",
        "TBD",
        "today",
        "yesterday",
        "next Tuesday",
        "Nov 2024",  # a month, not a day
        "November 5",  # no year
        "2024",
        "42",
        "1730764800",  # a Unix timestamp is not a date anyone types
        "2024-02-30",
        "2024-11-05 or maybe the 6th",
        "Shipped on Nov 5, 2024 after " + "a long review " * 10,
        "2023-02-29",
        "31/31/2024",
        "Nov 31, 2024",
        True,
        False,
        42,  # 1900-02-11 in Excel: a typo, not a date
        2024,
        60,  # Excel's 29 Feb 1900, a day that never existed
        -1,
        float("nan"),
        float("inf"),
        10**9,
    ],
)
def test_parse_date_returns_none_for_what_is_not_a_date(value: object) -> None:
    assert parse_date(value) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (25569, D(1970, 1, 1)),
        (36526, D(2000, 1, 1)),
        (45351, D(2024, 2, 29)),
        (45601, D(2024, 11, 5)),
        (25568, None),
    ],
)
def test_excel_serial_date(serial: float, expected: dt.date | None) -> None:
    assert excel_serial_date(serial) == expected


def test_unknown_language_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="languages"):
        parse_date("5 Nov 2024", languages=("xx",))


def test_iso_dates_and_date_cells_do_not_import_dateparser() -> None:
    # `mbr check` on one YAML entry must start fast; dateparser alone takes ~0.15 s.
    code = (
        "import sys, datetime as dt\n"
        "from mbr.dates import parse_date\n"
        "assert parse_date('2024-11-05T10:00') == dt.date(2024, 11, 5)\n"
        "assert parse_date(dt.date(2024, 11, 5)) and parse_date(45601)\n"
        "assert parse_date('hello') is None\n"
        "print('dateparser' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
