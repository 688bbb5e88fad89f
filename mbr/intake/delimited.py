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
from dataclasses import dataclass, replace

from mbr import idle, spare
from mbr.config import Limits
from mbr.intake.base import (
    FileRead,
    OutOfPeriod,
    too_many_entries,
    undecodable_file,
    unreadable_file,
)
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
from mbr.intake.values import UTF16_BOMS, UndecodableText, clean_text, inspect_text
from mbr.model import Diagnostic, Location, RawValue, Record
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
    limits = limits or Limits()
    with _fields_up_to(len(data)):
        if len(data) >= SPLIT_BYTES and wanted_date is not None and _may_be_utf8(data):
            # A large log read for one period is taken to be UTF-8 and checked
            # as it is parsed, every byte decoded by one half or the other,
            # rather than decoded whole first (~0.07 s and a transient copy of
            # the text for 64 MB). The check below reads what is not UTF-8,
            # and a file without a header row, as it always has.
            with contextlib.suppress(UnicodeDecodeError):
                found = _read_rows(_Text(data, "utf-8-sig"), source, limits, wanted_date)
                if found is not None:
                    return found
        try:
            info = inspect_text(data)
        except UndecodableText as error:
            return undecodable_file(source, error, _RESAVE_CSV)
        if info.blank:
            return FileRead()
        text = _Text(data, info.encoding)
        found = _read_rows(text, source, limits, wanted_date)
        if found is None:
            head = _head_rows(text, _delimiter(text))
            message, help = missing_header_problem(head, "the file")
            return unreadable_file(Location(source), message, help)
        return found


def _may_be_utf8(data: bytes) -> bool:
    """False for what inspect_text must judge: a UTF-16 BOM, NUL bytes."""
    return not data.startswith(UTF16_BOMS) and b"\x00" not in data


def _delimiter(text: _Text) -> str:
    return _excel_separator(text.start) or _best_delimiter(text)


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
    """The file's text, or its first `end` bytes, opened afresh for each pass over it."""

    def __init__(self, data: bytes, encoding: str, end: int | None = None) -> None:
        self.data = data
        self.encoding = encoding
        self.end = len(data) if end is None else end
        self.start = data[: min(64, self.end)].decode(encoding, errors="ignore")

    def lines(self) -> io.TextIOWrapper:
        whole = self.end == len(self.data)
        raw: io.BytesIO | _Prefix = io.BytesIO(self.data) if whole else _Prefix(self.data, self.end)
        # newline="" lets csv see \r\n inside quoted fields, as it requires.
        return io.TextIOWrapper(raw, encoding=self.encoding, newline="")


class _Prefix(io.BufferedIOBase):
    """The first `end` bytes of `data` as a stream, without copying them first
    (a BytesIO of a slice would copy half a large file)."""

    name = "<the first part of the file>"  # what TextIOWrapper shows of its buffer

    def __init__(self, data: bytes, end: int) -> None:
        super().__init__()
        self._view = memoryview(data)[:end]
        self._at = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        start = self._at
        stop = len(self._view) if size is None or size < 0 else min(len(self._view), start + size)
        self._at = stop
        return self._view[start:stop].tobytes()

    read1 = read


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
    text: _Text, source: str, limits: Limits, wanted_date: DateFilter | None
) -> FileRead | None:
    """The file's records and diagnostics; None when it has no header row."""
    delimiter = _delimiter(text)
    header = find_header(_head_rows(text, delimiter))
    if header is None:
        return None

    def read(batched: bool) -> FileRead:
        rows = _rows_below(source, header, limits, wanted_date)
        _read_records(text, delimiter, header, rows, batched=batched)
        return rows.result

    try:
        try:
            halves = _Halves.start(text, delimiter, header, source, limits, wanted_date)
            if halves is not None:
                found = halves.read()
                if found is not None:
                    return found
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


def _rows_below(
    source: str, header: Header, limits: Limits, wanted_date: DateFilter | None
) -> _Below:
    max_chars = limits.max_cell_chars
    reader = RowReader(source, header, _clean, max_chars=max_chars)
    outside = outside_rows(header, _clean, wanted_date, max_chars=max_chars, text_cells=True)
    return _Below(source, header, FileRead(), limits, reader, outside)


def _read_records(
    text: _Text,
    delimiter: str,
    header: Header,
    rows: _Below,
    *,
    batched: bool,
    below_header: bool = False,
) -> None:
    """Every record below the header into `rows`' result; raises _Malformed.

    Locations are the line a record starts on: the line after the one the
    previous record ended on (csv.reader's line_num), so a quoted field
    spanning lines does not shift the records below it. `below_header`: the
    text is a part of the file below the header, whose lines count from 1.
    """
    reader = csv.reader(text.lines(), delimiter=delimiter, strict=True)
    # zip asks the reader for a row, then the map for its line_num: the
    # number comes with the row without a line of Python per row.
    line_nums = map(_LINE_NUM, itertools.repeat(reader))
    numbered: Iterator[_Numbered] = zip(reader, line_nums, strict=False)
    batched = batched and rows.judges_batches
    try:
        if not below_header:
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
        self.over_limit = False  # max_rows was passed: the records are dropped

    @property
    def result(self) -> FileRead:
        return self._result

    @property
    def judges_batches(self) -> bool:
        return self._outside is not None

    @property
    def problems_found(self) -> int:
        """How many diagnostics the rows added to the result (once read to the end)."""
        return len(self._reader.problems)

    def report_typos(self, header_line: int) -> None:
        at = Location(self._source, line=header_line)
        for column, alias in self._header.typos:
            self._result.diagnostics.append(
                diagnostic("MBR008", typo_message("column", column.header, alias), at)
            )

    def moved(self, record: Record | OutOfPeriod, lines: int) -> Record | OutOfPeriod:
        """A record read from a later part of the file, at its line in the whole file."""
        if isinstance(record, OutOfPeriod):
            return record  # it has no location
        origin = replace(record.origin, line=(record.origin.line or 0) + lines)
        return Record(
            record.source, origin, record.fields, LineLocations(origin, self._keys), record.extra
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
        if len(self._result.records) <= self._max_rows:
            return False
        self.drop_past_max_rows()
        return True

    def drop_past_max_rows(self) -> None:
        """No records, and the one MBR000 saying why: past max_rows."""
        self._result.records.clear()
        limit = self._max_rows
        self._result.diagnostics.append(too_many_entries(Location(self._source), limit))
        self.over_limit = True

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


# A file this large has its second half read by mbr's second process when one
# was started for it (mbr.spare). Each half of 16 MB is ~0.15 s of csv's
# parse; below that the worker's own imports would take longer.
SPLIT_BYTES = 16 << 20
# The share of the file read here. Both sides have more to do than their
# part's parse: the worker ~0.1 s (the bytes sent and unpickled, its records
# pickled and unpickled here), this process what waits for the worker's
# answer (mbr.idle): for a compile ~0.25 s of imports, for a check ~0.05 s.
# With the whole parse ~1.2 s on two busy vCPUs, a compile is even at ~0.44
# of the file and a check at ~0.52; this is between the two. (Before the
# imports waited here, an even split left this process 0.18-0.20 s idle.)
FIRST_SHARE = 0.47
# Encodings in which a quote and a line end are the one byte they are in
# ASCII and no other character holds that byte, so the bytes can be split.
_BYTE_PER_LINE_END = frozenset({"utf-8-sig", "utf-8", "cp1252"})
# How many lines past the split a record boundary is looked for.
_SPLIT_SEARCH_LINES = 10_000


@dataclass(frozen=True)
class _SecondHalf:
    """The job mbr's second process runs: the records of the file from byte
    `start` on, their lines counted from 1 (the part's first line)."""

    data: bytes  # the whole file here; the worker is sent only the part
    start: int
    encoding: str
    delimiter: str
    header: Header
    source: str
    limits: Limits
    wanted_date: DateFilter | None
    whole_size: int

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        import pickle

        # Pickled straight from the file's bytes: no copy of the part is made first.
        part = pickle.PickleBuffer(memoryview(self.data)[self.start :])
        return _SecondHalf, (
            part, 0, self.encoding, self.delimiter, self.header, self.source,
            self.limits, self.wanted_date, self.whole_size,
        )  # fmt: skip

    def run(self) -> tuple[list[Record | OutOfPeriod], list[Diagnostic], bool]:
        """The records, the problems found reading them, and whether max_rows was passed."""
        rows = _rows_below(self.source, self.header, self.limits, self.wanted_date)
        # A BOM counts at the start of the file only: one at the start of the
        # part is a character of its first cell, as the one-process read has it.
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        with _fields_up_to(self.whole_size):
            text = _Text(self.data[self.start :], encoding)
            _read_records(text, self.delimiter, self.header, rows, batched=True, below_header=True)
        return rows.result.records, rows.result.diagnostics, rows.over_limit


class _Halves:
    """A large file read in two halves at once: the first here, the second
    by mbr's second process, split at a record boundary.

    The boundary is a line end with an even number of quotes before it,
    which is where csv's records end unless a quote stands inside an
    unquoted field; the first half is parsed strictly, so it parses only if
    it ends where a record does, and otherwise the whole file is read here
    as before. Whatever fails (the worker, its answer, a malformed row), the
    file is read here again from the start: the records and diagnostics are
    always those of the one-process read.

    The worker numbers the lines of its part from 1; the lines of the first
    part, as csv counted them reading it here, are added once it answers.
    Counting them here first would cost a pass over the bytes before either
    half could start, and would miss a lone \r, which csv counts as a line.
    """

    def __init__(self, asked: spare.Asked, text: _Text, job: _SecondHalf) -> None:
        self._asked = asked
        self._text = text
        self._job = job

    @classmethod
    def start(
        cls,
        text: _Text,
        delimiter: str,
        header: Header,
        source: str,
        limits: Limits,
        wanted_date: DateFilter | None,
    ) -> _Halves | None:
        """The halves being read, or None when the file is read in one piece."""
        data = text.data
        if len(data) < SPLIT_BYTES or wanted_date is None:
            # Only a period build gains: a row of the second half then comes
            # back as a marker, where a Record and its Locations would cost
            # more to pickle and unpickle than to read here.
            return None
        if text.encoding not in _BYTE_PER_LINE_END:
            return None  # in UTF-16 a newline byte may be half of a character
        split_at = _record_boundary(data, FIRST_SHARE)
        if split_at is None:
            return None
        job = _SecondHalf(
            data, split_at, text.encoding, delimiter, header, source, limits, wanted_date,
            len(data),
        )  # fmt: skip
        asked = spare.Asked.send(job, "mbr-send-half")
        return None if asked is None else cls(asked, text, job)

    def read(self) -> FileRead | None:
        """The whole file's records and diagnostics, or None when it must be read again."""
        header, job = self._job.header, self._job
        first = _rows_below(job.source, header, job.limits, job.wanted_date)
        second = None
        try:
            before = _Text(self._text.data, self._text.encoding, end=job.start)
            _read_records(before, job.delimiter, header, first, batched=True)
            if self._asked.sent() and not first.over_limit:
                idle.import_pending()  # while the worker may still be parsing its part
                second = self._answer()
        except _Malformed:
            pass  # read again in one piece: that read reports it, at its line
        finally:
            # A worker that answered is waiting for its next request; one
            # that may be mid-job is ended, not waited for.
            self._asked.release(wait=False)
        if first.over_limit:
            return first.result
        if second is None:
            return None
        return self._joined(first, *second)

    def _answer(self) -> tuple[list[Record | OutOfPeriod], list[Diagnostic], bool] | None:
        answer = self._asked.answer()
        if not isinstance(answer, tuple):
            return None
        records, problems, over_limit = answer
        return records, problems, over_limit

    def _joined(
        self,
        first: _Below,
        records: list[Record | OutOfPeriod],
        problems: list[Diagnostic],
        over_limit: bool,
    ) -> FileRead:
        """As the one-process read ends: every record, or none past max_rows."""
        result = first.result
        if over_limit or len(result.records) + len(records) > self._job.limits.max_rows:
            # One read would have stopped there, its problems unreported.
            del result.diagnostics[len(result.diagnostics) - first.problems_found :]
            first.drop_past_max_rows()
            return result
        # The worker counted the lines of its part from 1; here the lines of
        # the first part, as csv counted them, come before them.
        lines = first.line_after
        result.records += [first.moved(record, lines) for record in records]
        result.diagnostics += [_moved_diagnostic(problem, lines) for problem in problems]
        return result


def _moved_diagnostic(problem: Diagnostic, lines: int) -> Diagnostic:
    line = problem.location.line
    if line is None:
        return problem
    return replace(problem, location=replace(problem.location, line=line + lines))


def _record_boundary(data: bytes, share: float = 0.5) -> int | None:
    """The start of the first line past `share` of the data with an even
    number of quotes before it; None if none comes soon."""
    at = data.find(b"\n", int(len(data) * share)) + 1
    if at == 0:
        return None
    quotes = data.count(b'"', 0, at)
    for _ in range(_SPLIT_SEARCH_LINES):
        if quotes % 2 == 0:
            return at if at < len(data) else None
        following = data.find(b"\n", at) + 1
        if following == 0:
            return None
        quotes += data.count(b'"', at, following)
        at = following
    return None
