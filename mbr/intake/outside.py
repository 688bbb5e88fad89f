"""Rows dated outside the period being built, recognised without reading them.

One month out of a 100,000-row multi-year log is a few thousand rows; reading
the others in full (a Location, a Record and a dozen cleaned values each)
would cost most of the build. A row whose date cell reads as a day outside
the period becomes an OutOfPeriod holding only its written id, which is all
build_entries needs of it (it counts the row and reserves the id).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
from collections.abc import Callable, Iterator, Sequence

from mbr.intake.base import WITHOUT_ID, OutOfPeriod
from mbr.intake.headers import Clean, Header
from mbr.intake.values import cell_text
from mbr.model import RawValue, Record

# Given a row's date value (cleaned, never None): False when the row is dated
# outside the period being built.
DateFilter = Callable[[RawValue], bool]
# Shorter limits than this could be exceeded by a number's or a date's text,
# which is not computed here.
MIN_JUDGED_CHARS = 64
# Cells whose text the full read can measure; of these, numbers' text can be
# long (1e-300 reads as 0.000...1), the others' never is (under MIN_JUDGED_CHARS).
_PLAIN_VALUES = frozenset({str, int, float, bool, dt.date, dt.datetime, dt.time, type(None)})
_NUMBERS = frozenset({int, float})


class OutsideRows:
    """Calling it with a row's cells gives an OutOfPeriod when the row is
    dated outside the period, or None when the row must be read in full.

    A row is read in full, so its MBR000 does not depend on the period, when
    a cell is rich text or the like, or a text too long to be sure it is
    within `max_chars` once cleaned (cleaning never lengthens text).

    Rows may be as openpyxl gives them or as calamine does, provided they
    start at column A: calamine's "" for an empty cell and 42.0 for a whole
    number are judged as openpyxl's None and 42 are.
    """

    def __init__(
        self,
        header: Header,
        clean: Clean,
        wanted_date: DateFilter,
        *,
        max_chars: int,
        text_cells: bool,
    ) -> None:
        positions = header.field_positions()
        self._date_position = positions["date"]
        self._id_position = positions.get("id")
        self._clean = clean
        self._wanted_date = wanted_date
        self._max_chars = max_chars
        # CSV cells are all str: no cell needs its type looked at or str() taken.
        self._text_cells = text_cells
        # A log repeats its dates: each distinct date cell is judged once.
        self._judged: dict[object, bool] = {}
        # The same, for judge_batch: a text date cell -> WITHOUT_ID when it
        # reads as a day outside the period, else None (read the row in full).
        self._marks: dict[object, OutOfPeriod | None] = {}

    def __call__(self, cells: Sequence[object]) -> OutOfPeriod | None:
        # The hot path of a one-month build: every test here is a cheap one,
        # and the common answer (dated outside, no written id) allocates nothing.
        if self._date_position >= len(cells):
            return None
        raw = cells[self._date_position]
        if raw is None:
            return None
        if raw.__class__ in _PLAIN_VALUES:
            outside = self._judged.get(raw)
            if outside is None:
                outside = self._judged[raw] = self._outside(raw)
        else:
            outside = self._outside(raw)
        if not outside:
            return None
        # Read in full a row whose text the full read could find too long
        # (cleaning never lengthens text), or which holds rich text or the
        # like (only the full read measures those).
        if self._text_cells:  # CSV: every cell is text
            longest = max(map(len, cells))  # type: ignore[arg-type]
        else:
            kinds = set(map(type, cells))
            if not kinds <= _PLAIN_VALUES:
                return None
            # length_hint is len() for text and 0 for any other plain value,
            # whose text is short (under MIN_JUDGED_CHARS) unless it is a number.
            longest = max(map(operator.length_hint, cells))
            if not kinds.isdisjoint(_NUMBERS):
                longest = max(longest, _longest_number(cells))
        if longest > self._max_chars:
            return None
        if self._id_position is None or self._id_position >= len(cells):
            return WITHOUT_ID
        written = cells[self._id_position]
        written_id = None if written is None else self._clean(written)
        return WITHOUT_ID if written_id is None else OutOfPeriod(written_id)

    def judge_batch(
        self, rows: Sequence[Sequence[object]], *, lengths_checked: bool = False
    ) -> list[OutOfPeriod | None] | None:
        """What calling it gives for each of `rows`, or None when the batch
        must be judged row by row.

        A month out of a multi-year log keeps a few rows in a hundred: here
        a row dated outside the period costs no Python bytecode of its own.
        The dates, the ids, the cells' types and lengths are picked out by C
        loops (map, itemgetter, chain); each distinct date cell is judged
        once. A row too short to hold the date or id column, or any cell in
        the batch that a row-by-row judgement would send to the full read
        (too long, rich text, a number whose text could be long), sends the
        whole batch row by row, which reads those rows as it always did.
        `lengths_checked`: the caller knows no cell is longer than the limit
        (csv's field_size_limit enforced it while parsing).
        """
        try:
            dates = list(map(operator.itemgetter(self._date_position), rows))
            ids = (
                None
                if self._id_position is None
                else list(map(operator.itemgetter(self._id_position), rows))
            )
        except IndexError:
            return None
        if not lengths_checked and not self._short_plain_cells(rows):
            return None
        marks = self._marks
        # Every date is a plain value here (hashable): checked above, or text.
        for raw in set(dates).difference(marks):
            marks[raw] = WITHOUT_ID if raw is not None and self._outside(raw) else None
        judged = list(map(marks.__getitem__, dates))
        if ids is None:
            return judged
        clean = self._clean
        return [
            mark if mark is None else _marker(clean(written))
            for mark, written in zip(judged, ids, strict=True)
        ]

    def _short_plain_cells(self, rows: Sequence[Sequence[object]]) -> bool:
        """True when no cell of `rows` is one __call__ sends to the full read."""
        cells = itertools.chain.from_iterable
        if self._text_cells:
            return max(map(len, cells(rows)), default=0) <= self._max_chars  # type: ignore[arg-type]
        kinds = set(map(type, cells(rows)))
        if not kinds <= _PLAIN_VALUES:
            return False
        if max(map(operator.length_hint, cells(rows)), default=0) > self._max_chars:
            return False
        if kinds.isdisjoint(_NUMBERS):
            return True
        is_number = map(_NUMBERS.__contains__, map(type, cells(rows)))
        numbers: Iterator[float] = itertools.compress(cells(rows), is_number)  # type: ignore[arg-type]
        return _short_numbers(list(map(abs, numbers)))

    def _outside(self, raw: object) -> bool:
        date = self._clean(raw)
        return date is not None and not self._wanted_date(date)


def outside_rows(
    header: Header,
    clean: Clean,
    wanted_date: DateFilter | None,
    *,
    max_chars: int,
    text_cells: bool = False,
) -> OutsideRows | None:
    """The OutsideRows for a sheet or file, or None when every row is read in
    full: no period asked for, no date column, or a limit too short to judge."""
    has_date = any(c.is_field and c.key == "date" for c in header.columns)
    if wanted_date is None or not has_date or max_chars < MIN_JUDGED_CHARS:
        return None
    return OutsideRows(header, clean, wanted_date, max_chars=max_chars, text_cells=text_cells)


# A number between these (in size) or 0 reads as at most 57 characters
# (-0.000…0123456789012345 with 39 zeros), under MIN_JUDGED_CHARS; a float's
# text only grows long far from 1 (1e-300 is 0.000…1, 1e300 has 301 digits).
_SHORT_NUMBERS = (1e-40, 1e40)


def _short_numbers(sizes: list[float]) -> bool:
    """True when every number of these absolute values has a short text.

    NaN (text "nan") hides in max() and min() only behind a number, which
    is then the one compared; a NaN first makes the comparison false.
    """
    if not sizes:
        return True
    smallest, largest = _SHORT_NUMBERS
    return max(sizes) < largest and min(filter(None, sizes), default=smallest) >= smallest


def _marker(written_id: RawValue) -> OutOfPeriod:
    return WITHOUT_ID if written_id is None else OutOfPeriod(written_id)


def _longest_number(cells: Sequence[object]) -> int:
    """The longest text of a number among `cells`: 1e-300 is 300 characters."""
    return max(len(cell_text(cell)) for cell in cells if cell.__class__ in _NUMBERS)  # type: ignore[arg-type]


# Rows judged together by OutsideRows.judge_batch: enough for its C loops to
# dwarf the Python around a batch, few enough that a batch of long rows stays
# a few megabytes and in cache.
BATCH_ROWS = 128
_IS_NONE = functools.partial(operator.is_, None)


def kept(
    judged: list[OutOfPeriod | None], read: Callable[[int], Record | None]
) -> list[Record | OutOfPeriod]:
    """A judged batch's records in row order: its OutOfPeriod markers, and
    `read(i)` for each row i the judgement left to the full read (an empty
    row reads as None and is dropped)."""
    marks: list[Record | OutOfPeriod | None] = list(judged)
    for i in itertools.compress(itertools.count(), map(_IS_NONE, judged)):
        marks[i] = read(i)
    return list(filter(None, marks))  # a record is never false
