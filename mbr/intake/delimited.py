"""CSV files: UTF-8 (with or without BOM) or Windows-1252; comma, semicolon or tab.

The delimiter is the one under which a header row names the most fields
(Excel's `sep=;` first line, when present, decides instead). Locations are
the physical line a record starts on, which csv.reader's line_num makes
exact even when a quoted field spans lines.

The file is decoded as it is parsed (a TextIOWrapper over the bytes): a
StringIO of a 100,000-row file would hold four bytes per character.
"""

from __future__ import annotations

import contextlib
import csv
import io
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
from mbr.intake.outside import DateFilter, OutsideRows, outside_rows
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
    result = FileRead()
    max_chars = limits.max_cell_chars
    reader = RowReader(source, header, _clean, max_chars=max_chars)
    outside = outside_rows(header, _clean, wanted_date, max_chars=max_chars, text_cells=True)
    try:
        _read_records(text, delimiter, source, header, result, limits, reader, outside)
    except _Malformed as error:
        reason = error.reason
        if "unexpected end of data" in reason:
            reason = "a quoted field that starts on this line is never closed"
        return unreadable_file(
            Location(source, line=error.line), f"malformed CSV: {reason}", _QUOTING_HELP
        )
    return result


def _read_records(
    text: _Text,
    delimiter: str,
    source: str,
    header: Header,
    result: FileRead,
    limits: Limits,
    reader: RowReader,
    outside: OutsideRows | None,
) -> None:
    """Every record below the header into `result`; raises _Malformed.

    Locations are the line a record starts on: the line after the one the
    previous record ended on (csv.reader's line_num), so a quoted field
    spanning lines does not shift the records below it.
    """
    rows = csv.reader(text.lines(), delimiter=delimiter, strict=True)
    records = result.records
    keys = dict.fromkeys(column.key for column in header.columns)
    line_after = 0  # the line the previous record ended on
    try:
        for _ in range(header.row_index + 1):
            if next(rows, None) is None:
                return
            line, line_after = line_after + 1, rows.line_num
        for column, alias in header.typos:
            result.diagnostics.append(
                diagnostic(
                    "MBR008",
                    typo_message("column", column.header, alias),
                    Location(source, line=line),
                )
            )
        # The hot loop of a 100,000-row file: a row dated outside the period
        # costs a date lookup and no Location.
        for cells in rows:
            line, line_after = line_after + 1, rows.line_num
            record: Record | OutOfPeriod | None = None
            if outside is not None:
                record = outside(cells)
            if record is None:
                at = Location(source, line=line)
                record = reader.read(cells, at, LineLocations(at, keys))
                if record is None:
                    continue
            records.append(record)
            if len(records) > limits.max_rows:
                records.clear()
                result.diagnostics.append(too_many_entries(Location(source), limits.max_rows))
                return
    except csv.Error as error:
        raise _Malformed(line_after + 1, str(error)) from error
    result.diagnostics += reader.problems
