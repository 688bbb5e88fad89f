"""CSV files: UTF-8 (with or without BOM) or Windows-1252; comma, semicolon or tab.

The delimiter is the one under which a header row names the most fields
(Excel's `sep=;` first line, when present, decides instead). Locations are
the physical line a record starts on, which csv.reader's line_num makes
exact even when a quoted field spans lines.

The file is decoded as it is parsed (a TextIOWrapper over the bytes): a
StringIO of a 100,000-row file would hold four bytes per character.

A build of one period judges rows a batch at a time (OutsideRows.judge_batch),
so a row dated outside costs csv's parse and no Python of its own. Anything a
batch cannot say exactly (a malformed row, a cell over the limit, which csv's
field_size_limit stops) sends the file back to the row-by-row read.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
import operator
from collections.abc import Iterator

from mbr.config import Limits
from mbr.intake.base import FileRead, OutOfPeriod, too_many_entries, unreadable_file
from mbr.intake.headers import (
    HEADER_SEARCH_ROWS,
    Header,
    RowReader,
    find_header,
    missing_header_problem,
    typo_message,
)
from mbr.intake.locations import LineLocations
from mbr.intake.outside import BATCH_ROWS, DateFilter, OutsideRows, kept, outside_rows
from mbr.intake.values import UndecodableText, clean_text, inspect_text
from mbr.model import Location, RawValue, Record
from mbr.rules.registry import diagnostic

_DELIMITERS = (",", ";", "\t")
_RESAVE_CSV = "save it again as CSV UTF-8 (comma delimited)"
_QUOTING_HELP = (
    "enclose a field that holds the delimiter, a quote or a line break in double quotes, "
    'and double any quote inside it ("")'
)


def read_csv(
    data: bytes,
    source: str,
    *,
    limits: Limits | None = None,
    wanted_date: DateFilter | None = None,
) -> FileRead:
    """Records from a CSV file, one per row with any field filled; a row whose
    date `wanted_date` refuses is only an OutOfPeriod."""
    try:
        info = inspect_text(data)
    except UndecodableText as error:
        return unreadable_file(
            Location(source, line=error.line),
            f"cannot be read as text: {error.reason}",
            _RESAVE_CSV,
        )
    if info.blank:
        return FileRead()
    text = _Text(data, info.encoding)
    with _fields_up_to(len(data)):
        delimiter = _excel_separator(text.start) or _best_delimiter(text)
        return _read_rows(text, delimiter, source, limits or Limits(), wanted_date)


@contextlib.contextmanager
def _fields_up_to_exactly(size: int) -> Iterator[None]:
    """csv raises "field larger than field limit" for a field over `size`."""
    previous = csv.field_size_limit(size)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


@contextlib.contextmanager
def _fields_up_to(size: int) -> Iterator[None]:
    """Let csv read a field as long as the whole file.

    csv's default limit (131,072 characters) would make one over-long cell
    the whole file's MBR000; read it instead, so MBR101 points at its line
    and the other rows are still checked. The file is in memory already, so
    no field can cost more than it.
    """
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, size))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


class _Text:
    """The file's text, opened afresh for each pass over it."""

    def __init__(self, data: bytes, encoding: str) -> None:
        self._data = data
        self._encoding = encoding
        self.start = data[:64].decode(encoding, errors="ignore")

    def lines(self) -> io.TextIOWrapper:
        # newline="" lets csv see \r\n inside quoted fields, as it requires.
        return io.TextIOWrapper(io.BytesIO(self._data), encoding=self._encoding, newline="")


def _excel_separator(start: str) -> str | None:
    """The delimiter named by Excel's optional first line `sep=;`."""
    if start[:4].lower() == "sep=" and len(start) > 4 and start[4] in _DELIMITERS:
        return start[4]
    return None


def _head_rows(text: _Text, delimiter: str) -> list[list[RawValue]]:
    rows: list[list[RawValue]] = []
    reader = csv.reader(text.lines(), delimiter=delimiter)
    try:
        for cells in reader:
            rows.append([_clean(cell) for cell in cells])
            if len(rows) == HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        pass  # the full read reports it, with its line
    return rows


def _best_delimiter(text: _Text) -> str:
    def score(delimiter: str) -> tuple[int, int]:
        rows = _head_rows(text, delimiter)
        header = find_header(rows)
        if header is not None:
            return 1, sum(column.is_field for column in header.columns)
        widest = max((len(row) for row in rows if any(row)), default=0)
        return 0, widest

    return max(_DELIMITERS, key=score)  # max keeps the first of equal scores


def _clean(value: object) -> RawValue:
    return clean_text(value) if isinstance(value, str) else None


class _Malformed(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def _read_rows(
    text: _Text,
    delimiter: str,
    source: str,
    limits: Limits,
    wanted_date: DateFilter | None,
) -> FileRead:
    head = _head_rows(text, delimiter)
    header = find_header(head)
    if header is None:
        message, help = missing_header_problem(head, "the file")
        return unreadable_file(Location(source), message, help)

    def read(batched: bool) -> FileRead:
        result = FileRead()
        max_chars = limits.max_cell_chars
        reader = RowReader(source, header, _clean, max_chars=max_chars)
        outside = outside_rows(header, _clean, wanted_date, max_chars=max_chars, text_cells=True)
        rows = _Below(source, header, result, limits, reader, outside)
        _read_records(text, delimiter, header, rows, batched=batched and outside is not None)
        return result

    try:
        try:
            return read(batched=True)
        except _Malformed:
            # A batch read past the broken row (or the over-long cell), so it
            # cannot tell which line the row starts on, nor whether max_rows
            # was reached before it: the row-by-row read says, as it always did.
            return read(batched=False)
    except _Malformed as error:
        reason = error.reason
        if "unexpected end of data" in reason:
            reason = "a quoted field that starts on this line is never closed"
        return unreadable_file(
            Location(source, line=error.line), f"malformed CSV: {reason}", _QUOTING_HELP
        )


# A row with the line it ends on: csv.reader's line_num, read once the row is.
_Numbered = tuple[list[str], int]
_LINE_NUM = operator.attrgetter("line_num")


def _read_records(
    text: _Text, delimiter: str, header: Header, rows: _Below, *, batched: bool
) -> None:
    """Every record below the header into `rows`' result; raises _Malformed.

    Locations are the line a record starts on: the line after the one the
    previous record ended on (csv.reader's line_num), so a quoted field
    spanning lines does not shift the records below it.
    """
    reader = csv.reader(text.lines(), delimiter=delimiter, strict=True)
    # zip asks the reader for a row, then the map for its line_num: the
    # number comes with the row without a line of Python per row.
    numbered: Iterator[_Numbered] = zip(
        reader, map(_LINE_NUM, itertools.repeat(reader)), strict=False
    )
    try:
        header_line = 1
        for _ in range(header.row_index + 1):
            if next(numbered, None) is None:
                return
            header_line, rows.line_after = rows.line_after + 1, reader.line_num
        rows.report_typos(header_line)
        if batched:
            # A cell longer than the limit stops csv itself, so judging a
            # batch needs no look at the cells' lengths.
            with _fields_up_to_exactly(rows.max_chars):
                rows.read_batches(numbered)
        else:
            rows.read_each(numbered)
    except csv.Error as error:
        raise _Malformed(rows.line_after + 1, str(error)) from error


class _Below:
    """The rows below the header, read into `result`.

    `line_after` is the line the last row read ended on, so the line the
    next one starts on, and the line a csv.Error is reported at, is one more.
    """

    def __init__(
        self,
        source: str,
        header: Header,
        result: FileRead,
        limits: Limits,
        reader: RowReader,
        outside: OutsideRows | None,
    ) -> None:
        self._source = source
        self._header = header
        self._result = result
        self._max_rows = limits.max_rows
        self.max_chars = limits.max_cell_chars
        self._reader = reader
        self._outside = outside
        self._keys = dict.fromkeys(column.key for column in header.columns)
        self.line_after = 0

    def report_typos(self, header_line: int) -> None:
        at = Location(self._source, line=header_line)
        for column, alias in self._header.typos:
            self._result.diagnostics.append(
                diagnostic("MBR008", typo_message("column", column.header, alias), at)
            )

    def _full_read(self, cells: list[str], line: int) -> Record | None:
        at = Location(self._source, line=line)
        return self._reader.read(cells, at, LineLocations(at, self._keys))

    def _judged(self, cells: list[str], line: int) -> Record | OutOfPeriod | None:
        """The row's record, or its OutOfPeriod; None for an empty row."""
        outside = self._outside
        # A row dated outside the period costs a date lookup and no Location.
        record = outside(cells) if outside is not None else None
        return self._full_read(cells, line) if record is None else record

    def _over_limit(self) -> bool:
        records = self._result.records
        if len(records) <= self._max_rows:
            return False
        records.clear()
        limit = self._max_rows
        self._result.diagnostics.append(too_many_entries(Location(self._source), limit))
        return True

    def read_each(self, numbered: Iterator[_Numbered]) -> None:
        """Row by row: every file without a period, and the exact fallback."""
        records = self._result.records
        outside = self._outside
        read, source, keys = self._reader.read, self._source, self._keys
        line_after = self.line_after
        try:
            # The hot loop of a whole 100,000-row file: the full read inline.
            for cells, ends_on in numbered:
                record: Record | OutOfPeriod | None = None
                if outside is not None:
                    record = outside(cells)
                if record is None:
                    at = Location(source, line=line_after + 1)
                    record = read(cells, at, LineLocations(at, keys))
                line_after = ends_on
                if record is None:
                    continue
                records.append(record)
                if len(records) > self._max_rows:
                    self._over_limit()  # stop early: a million rows are not a million entries
                    return
        finally:
            self.line_after = line_after
        self._result.diagnostics += self._reader.problems

    def read_batches(self, numbered: Iterator[_Numbered]) -> None:
        """A batch at a time, for a period build: only the rows kept (in the
        period, undatable, or with a cell too long) cost Python per row."""
        assert self._outside is not None
        records = self._result.records
        judge_batch = self._outside.judge_batch
        while batch := list(itertools.islice(numbered, BATCH_ROWS)):
            rows = list(map(operator.itemgetter(0), batch))
            judged = judge_batch(rows, lengths_checked=True)
            if judged is None:  # a batch with a row too short for the date or id
                marks = (
                    self._judged(cells, self._start_of(batch, i)) for i, cells in enumerate(rows)
                )
                records += filter(None, marks)  # drops empty rows: a record is never false
            else:
                records += kept(judged, functools.partial(self._read_in, batch))
            self.line_after = batch[-1][1]
            if self._over_limit():
                return
        self._result.diagnostics += self._reader.problems

    def _read_in(self, batch: list[_Numbered], index: int) -> Record | None:
        return self._full_read(batch[index][0], self._start_of(batch, index))

    def _start_of(self, batch: list[_Numbered], index: int) -> int:
        """The line the batch's row `index` starts on."""
        return (batch[index - 1][1] if index else self.line_after) + 1
