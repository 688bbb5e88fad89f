"""Dates in cells and text, and period expressions (SPEC §1.3).

`parse_date` reads what a person put in a date cell or key; `parse_period`
reads a `--period` value. dateparser is imported only when a text date is not
in ISO form, because importing it costs more than a whole `mbr check` on one
YAML entry may take.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mbr.errors import ConfigError, UsageError
from mbr.model import RawValue


@dataclass(frozen=True)
class Period:
    """An inclusive range of dates with the names people and files use for it."""

    start: dt.date
    end: dt.date
    kind: str  # "month" | "quarter" | "year" | "range"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        """How the report titles it: "November 2024", "Q3 2024", "2024",
        "1 Oct 2024 – 15 Dec 2024"."""
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{_day_label(self.start)} – {_day_label(self.end)}"

    @property
    def slug(self) -> str:
        """How file names carry it: 2024-11, 2024-Q3, 2024, 2024-10-01..2024-12-31."""
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _day_label(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


# --------------------------------------------------------------------------
# Periods


def month_period(year: int, month: int) -> Period:
    """The whole calendar month."""
    last = calendar.monthrange(year, month)[1]
    return Period(dt.date(year, month, 1), dt.date(year, month, last), "month")


def quarter_period(year: int, quarter: int) -> Period:
    """The whole calendar quarter (Q1 = January to March)."""
    first_month = 3 * (quarter - 1) + 1
    end = month_period(year, first_month + 2).end
    return Period(dt.date(year, first_month, 1), end, "quarter")


def year_period(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")


PERIOD_FORMS = (
    "2024-11, Nov 2024, November 2024, 2024-Q3, Q3 2024, 2024, "
    "2024-10-01..2024-12-31, this month, last month, this quarter, last quarter"
)

_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _MONTHS[calendar.month_name[_number].lower()] = _number
    _MONTHS[calendar.month_abbr[_number].lower()] = _number
_MONTHS["sept"] = 9

_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_MONTH_YEAR = re.compile(r"([a-z]+)\.? (\d{4})")
_YEAR_QUARTER = re.compile(r"(\d{4})-q(\d)")
_QUARTER_YEAR = re.compile(r"q(\d) (\d{4})")
_YEAR = re.compile(r"\d{4}")
_RANGE = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})\.\.(\d{4}-\d{1,2}-\d{1,2})")
# Spaces people type around the separators: "2024 - 11", "a .. b".
_SPACED_SEPARATOR = re.compile(r"\s*(\.\.|-)\s*")


def parse_period(text: str, *, today: dt.date) -> Period:
    """Read a `--period` value (SPEC §1.3); relative forms count from `today`.

    Raises UsageError, quoting the text and listing the accepted forms, for
    anything else, and for a range that ends before it starts.
    """
    normal = _SPACED_SEPARATOR.sub(r"\1", " ".join(text.split()).lower())
    hint = f"use one of these forms: {PERIOD_FORMS}"
    try:
        period = _read_period(normal, today)
    except ValueError as exc:  # a known form holding an impossible value: month 13, Feb 30
        raise UsageError(f"cannot read the period {text!r}: {exc}", hint=hint) from None
    if period is None:
        raise UsageError(f"cannot read the period {text!r}", hint=hint)
    if period.end < period.start:
        raise UsageError(
            f"the period {text!r} ends before it starts",
            hint="write the earlier date first, e.g. 2024-10-01..2024-12-31",
        )
    return period


def _read_period(normal: str, today: dt.date) -> Period | None:
    relative = _relative_period(normal, today)
    if relative is not None:
        return relative
    if match := _YEAR_MONTH.fullmatch(normal):
        return month_period(int(match[1]), _month_number(int(match[2])))
    if (match := _MONTH_YEAR.fullmatch(normal)) and match[1] in _MONTHS:
        return month_period(int(match[2]), _MONTHS[match[1]])
    if match := _YEAR_QUARTER.fullmatch(normal):
        return quarter_period(int(match[1]), _quarter_number(int(match[2])))
    if match := _QUARTER_YEAR.fullmatch(normal):
        return quarter_period(int(match[2]), _quarter_number(int(match[1])))
    if _YEAR.fullmatch(normal):
        return year_period(int(normal))
    if match := _RANGE.fullmatch(normal):
        return Period(_range_end(match[1]), _range_end(match[2]), "range")
    return None


def _relative_period(normal: str, today: dt.date) -> Period | None:
    if normal == "this month":
        return month_period(today.year, today.month)
    if normal == "last month":
        year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
        return month_period(year, month)
    quarter = (today.month - 1) // 3 + 1
    if normal == "this quarter":
        return quarter_period(today.year, quarter)
    if normal == "last quarter":
        return quarter_period(today.year - 1, 4) if quarter == 1 else (
            quarter_period(today.year, quarter - 1)
        )
    return None


def _month_number(month: int) -> int:
    if not 1 <= month <= 12:
        raise ValueError(f"there is no month {month}")
    return month


def _quarter_number(quarter: int) -> int:
    if not 1 <= quarter <= 4:
        raise ValueError(f"there is no quarter {quarter}")
    return quarter


def _range_end(text: str) -> dt.date:
    year, month, day = (int(part) for part in text.split("-"))
    found = _valid_date(year, month, day)
    if found is None:
        raise ValueError(f"{text} is not a date")
    return found


def span_of(dates: Iterable[dt.date]) -> Period | None:
    """The period a set of dates covers, for a report title without --period.

    All in one calendar month: that month; otherwise the range from the
    earliest to the latest date. No dates: None.
    """
    first: dt.date | None = None
    last: dt.date | None = None
    for day in dates:
        if first is None or day < first:
            first = day
        if last is None or day > last:
            last = day
    if first is None or last is None:
        return None
    if (first.year, first.month) == (last.year, last.month):
        return month_period(first.year, first.month)
    return Period(first, last, "range")


# --------------------------------------------------------------------------
# Dates


# Excel's 1900 date system counts 1900-01-01 as day 1 and keeps a 29 Feb 1900
# that never existed (day 60), so from day 61 on the days count from 1899-12-30
# (every serial accepted below is far past that).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers read as dates only in this range (1970-01-01..2199-12-31): a
# number such as 42 or 2024 in a date column is a mistake, not 1900-02-11.
_SERIAL_MIN = (dt.date(1970, 1, 1) - _EXCEL_EPOCH).days
_SERIAL_MAX = (dt.date(2199, 12, 31) - _EXCEL_EPOCH).days

# 2024-11-05, 2024/11/05, 2024.11.05, optionally followed by a time of day
# (10:00, 10:00:00.5, 10:00:00Z, 10:00+01:00) as exports of date-times carry.
_ISO_DATE = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?)?",
    re.IGNORECASE,
)
# 20241105 (ISO basic form).
_ISO_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})")
_LONGEST_DATE = 64  # "Wednesday, 25 September 2024 10:00:00 +01:00" and then some
# A serial number that lost its date format on the way to CSV: 45601, 45601.5.
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")
# "5 Nov 2024", "05 November 2024", "Nov 5, 2024", "November 5 2024": what a
# date cell exported as text looks like. Read without dateparser (about a
# millisecond a call) when the only language is English; the month must be an
# English name and the answer is the one dateparser gives (tests/test_fast_paths.py).
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2}) ([A-Za-z]{3,9})\.? (\d{4})")
_DIGIT_RUN = re.compile(r"\d+")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})")


def parse_date(
    value: RawValue,
    *,
    date_order: str = "MDY",
    languages: Sequence[str] = ("en",),
) -> dt.date | None:
    """The date a cell or key holds, or None when it holds no readable date.

    Date cells are used as they are; numbers are Excel serial dates; text is
    tried as ISO first and then with dateparser under `date_order` and
    `languages`. Text must name a day, month and year: a bare word, a number
    or a relative phrase ("yesterday") is not a date.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        return excel_serial_date(value)
    return _parse_date_text(value.strip(), date_order.upper(), tuple(languages))


def excel_serial_date(serial: float) -> dt.date | None:
    """The date of an Excel serial number (1900 date system); None outside
    1970..2199 or when not a finite number."""
    if not math.isfinite(serial):
        return None
    days = math.floor(serial)
    if not _SERIAL_MIN <= days <= _SERIAL_MAX:
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=days)


@functools.lru_cache(maxsize=16384)
def _parse_date_text(text: str, date_order: str, languages: tuple[str, ...]) -> dt.date | None:
    # Cached: a log repeats the same few hundred date strings, and dateparser
    # takes about a millisecond per call.
    if not text:
        return None
    if match := _ISO_DATE.fullmatch(text):
        return _valid_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _ISO_BASIC.fullmatch(text):
        return _valid_date(int(match[1]), int(match[2]), int(match[3]))
    if _SERIAL_TEXT.fullmatch(text):
        return excel_serial_date(float(text))
    if languages == ("en",):
        found = _english_date(text)
        if found is not None:
            return found
        if len(_DIGIT_RUN.findall(text)) < 2:
            # Day and year both take digits in English; one number ("week 23",
            # "Q3 2024") is never a full date, and dateparser spends up to
            # 0.1 s searching its locales before it says so.
            return None
    if len(text) > _LONGEST_DATE or not any(ch.isdigit() for ch in text):
        # Every accepted form carries a year in digits and fits in a cell's
        # worth of text; a paragraph pasted into the date column is not a date.
        return None
    return _dateparser_date(text, date_order, languages)


def _english_date(text: str) -> dt.date | None:
    """A day-month-year with an English month name; None: ask dateparser."""
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = match[1], match[2], match[3]
    elif match := _MONTH_DAY_YEAR.fullmatch(text):
        month, day, year = match[1], match[2], match[3]
    else:
        return None
    number = _MONTHS.get(month.lower())
    if number is None or not 1900 <= int(year) <= 2199:
        return None
    # An impossible day (31 Nov) is left to dateparser, which says None too.
    return _valid_date(int(year), number, int(day))


def _valid_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _dateparser_date(text: str, date_order: str, languages: tuple[str, ...]) -> dt.date | None:
    parser = _date_parser(date_order, languages)
    try:
        found = parser.get_date_data(text).date_obj
    except ValueError as exc:
        if str(exc).startswith("Unknown language"):
            raise ConfigError(
                f"`languages` in the config names a language dateparser does not know: {exc}",
                hint='use two-letter codes such as languages = ["en", "de"]',
            ) from None
        return None
    except (OverflowError, TypeError, IndexError, KeyError):
        # Arbitrary user text reaches a third-party parser; a failure inside it
        # means "not a date we can read", never a traceback.
        return None
    return found.date() if isinstance(found, dt.datetime) else None


@functools.lru_cache(maxsize=8)
def _date_parser(date_order: str, languages: tuple[str, ...]) -> Any:
    from dateparser.date import DateDataParser  # lazily: importing it takes ~0.15 s

    return DateDataParser(
        languages=list(languages) or None,
        settings={
            "DATE_ORDER": date_order,
            "PREFER_DAY_OF_MONTH": "first",
            # A date must name day, month and year; otherwise "Nov 2024" would
            # silently become 1 Nov and "Nov 5" this year's 5 November.
            "STRICT_PARSING": True,
            "REQUIRE_PARTS": ["day", "month", "year"],
            "RETURN_AS_TIMEZONE_AWARE": False,
            # Absolute dates only: no "yesterday" (relative to when?) and no
            # Unix timestamps hiding in a number.
            "PARSERS": ["absolute-time"],
        },
    )
