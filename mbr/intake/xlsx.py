"""Excel workbooks (.xlsx, .xlsm), read with openpyxl in read-only mode.

Read-only mode streams rows (fast and lean for 50,000-row sheets) but does
not expose merged ranges, so those come from the sheet XML's <mergeCells>
element, found by a byte search rather than a second XML parse (sheet_xml).
Rows come from python-calamine when it gives the same values (xlsx_calamine);
a build of one period judges those rows a batch at a time (OutsideRows.judge_batch),
and out of a large workbook reads its sheet cut to the rows that may be in
the period (xlsx_period).
"""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mbr.config import Limits
from mbr.intake.base import (
    WITHOUT_ID,
    FileRead,
    OutOfPeriod,
    too_many_entries,
    unreadable,
    unreadable_file,
)
from mbr.intake.headers import (
    HEADER_SEARCH_ROWS,
    RowReader,
    find_header,
    missing_header_problem,
    typo_message,
)
from mbr.intake.locations import CellLocations
from mbr.intake.outside import BATCH_ROWS, DateFilter, OutsideRows, kept, outside_rows
from mbr.intake.sheet_xml import SheetXml, scan_sheet_xml
from mbr.intake.shown_cells import as_shown, percent_formats, percent_text, shown_cells
from mbr.intake.values import UndecodableText, clean_cell, decode_text
from mbr.intake.xlsx_calamine import CalamineSheet, openpyxl_like, sheet_named
from mbr.model import Location, RawValue, Record
from mbr.rules.registry import diagnostic

if TYPE_CHECKING:  # imported where used: it imports openpyxl, which calamine's parse overlaps
    from mbr.intake.xlsx_open import Workbook
    from mbr.intake.xlsx_period import SheetCut

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MAGIC = b"PK\x03\x04"

Row = Sequence[object]

# Read rows with python-calamine when it gives the same values (the default).
FAST_ROWS = True


class _SheetError(Exception):
    """openpyxl failed part-way through a sheet (corrupt XML)."""


class _CutMisfit(Exception):
    """The sheet cut to a period is not what the reader found (see xlsx_period)."""


def read_xlsx(
    data: bytes,
    source: str,
    *,
    sheet: str | None = None,
    fast: bool | None = None,
    limits: Limits | None = None,
    wanted_date: DateFilter | None = None,
) -> FileRead:
    """Records from the first visible sheet, or from `sheet`.

    Rows come from python-calamine when it can give the same values (see
    xlsx_calamine), else from openpyxl; `fast=False` forces openpyxl, and
    None means FAST_ROWS. A row whose date `wanted_date` refuses is only an
    OutOfPeriod.
    """
    at_file = Location(source)
    problem = _not_a_workbook(data)
    if problem is not None:
        return unreadable_file(at_file, *problem)
    fast = FAST_ROWS if fast is None else fast
    limits = limits or Limits()
    if fast and wanted_date is not None:
        from mbr.intake.xlsx_period import cut_to_period

        cut = cut_to_period(data, sheet, wanted_date, limits)
        if cut is not None:
            reading = _Reading(None, limits, wanted_date, cut)
            try:
                return _read_calamine(cut.data, source, sheet, reading)
            except _CutMisfit:
                pass  # the reader found what the cut did not assume: read it all
    if not fast:
        return _read_package(data, source, sheet, _Reading(None, limits, wanted_date))
    return _read_calamine(data, source, sheet, _Reading(None, limits, wanted_date))


def _read_calamine(data: bytes, source: str, sheet: str | None, reading: _Reading) -> FileRead:
    # calamine starts parsing now, while openpyxl is imported and opens the workbook.
    calamine = CalamineSheet(data, sheet)
    try:
        return _read_package(data, source, sheet, dataclasses.replace(reading, calamine=calamine))
    finally:
        calamine.close()


def _read_package(data: bytes, source: str, sheet: str | None, reading: _Reading) -> FileRead:
    # Imported here, not at the top: openpyxl takes a few tenths of a second
    # to import, which calamine's parse overlaps.
    from mbr.intake.xlsx_open import Workbook

    with warnings.catch_warnings():
        # openpyxl warns about workbook features it drops (data validation
        # extensions, default styles); none of them matter for reading values.
        warnings.simplefilter("ignore")
        # openpyxl's workbook is a web of reference cycles that outlives
        # close() until the cycle collector runs, and that collector is paused
        # while sources are read (mbr.gcpause): closing the buffer lets the
        # file's bytes go now (14 MB for a 100,000-row log), not at the end.
        with io.BytesIO(data) as buffer:
            try:
                workbook = Workbook(buffer)
            except Exception as error:  # any failure to parse foreign bytes is MBR000
                return unreadable_file(Location(source), f"not an Excel workbook: {_reason(error)}")
            try:
                return _read_workbook(workbook, data, source, sheet, reading)
            finally:
                workbook.close()


def _not_a_workbook(data: bytes) -> tuple[str, str] | None:
    """(message, help) when the bytes are plainly not an .xlsx package."""
    if data.startswith(_OLE_MAGIC):
        return (
            "the workbook is encrypted (password-protected) or in the old .xls format",
            "open it in Excel, remove the password (File > Info > Protect Workbook) "
            "and save it as .xlsx (Excel Workbook)",
        )
    if data.startswith(_ZIP_MAGIC):
        return None
    if not data:
        return "not an Excel workbook: the file is empty", "save the workbook again from Excel"
    try:
        decode_text(data[:4096])
    except UndecodableText:
        return "not an Excel workbook: the file is not a zip package", (
            "open it in its application and save it as .xlsx (Excel Workbook)"
        )
    return "not an Excel workbook: the file holds plain text", (
        "if it holds comma-separated values rename it to .csv; "
        "otherwise open it and save it as .xlsx (Excel Workbook)"
    )


def _reason(error: Exception) -> str:
    if isinstance(error, zipfile.BadZipFile | KeyError):
        return "the zip package does not hold a workbook"
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return text or type(error).__name__


def _read_workbook(
    workbook: Workbook, data: bytes, source: str, wanted: str | None, reading: _Reading
) -> FileRead:
    worksheets = list(workbook.openpyxl.worksheets)
    if not worksheets:
        return unreadable_file(Location(source), "the workbook holds no worksheet")
    if wanted is not None:
        sheet = _named_sheet(worksheets, wanted)
        if sheet is None:
            names = ", ".join(f'"{ws.title}"' for ws in worksheets)
            return unreadable_file(
                Location(source),
                f'no sheet named "{wanted}"; the sheets are {names}',
                "pass one of them with --sheet, or set `sheet` in the config",
            )
    else:
        visible = [ws for ws in worksheets if ws.sheet_state == "visible"]
        sheet = (visible or worksheets)[0]
    try:
        return _read_sheet(sheet, data, source, reading, workbook.load_strings)
    except _SheetError as error:
        cause = error.__cause__ if isinstance(error.__cause__, Exception) else error
        return unreadable_file(
            Location(source, sheet=sheet.title),
            f"the sheet cannot be read: {_reason(cause)}",
        )


def _named_sheet(worksheets: list[Any], wanted: str) -> Any | None:
    name = sheet_named([ws.title for ws in worksheets], wanted)
    return next((ws for ws in worksheets if ws.title == name), None)


@dataclass(frozen=True)
class _Reading:
    calamine: CalamineSheet | None  # None: openpyxl reads the rows
    limits: Limits
    wanted_date: DateFilter | None
    cut: SheetCut | None = None  # the workbook read is this cut of the source


def _read_sheet(
    sheet: Any, data: bytes, source: str, reading: _Reading, load_strings: Callable[[], None]
) -> FileRead:
    limits = reading.limits
    title: str = sheet.title
    # openpyxl keeps the sheet's part name on read-only worksheets.
    part: str | None = getattr(sheet, "_worksheet_path", None)
    xml: SheetXml | None = None
    rows: Iterator[Row] | None = None
    # Rows as calamine gives them are made what openpyxl gives only when they
    # are read in full: a row dated outside the period is judged as it is.
    convert: Callable[[Row], Row] | None = None
    first_column = 0
    if reading.calamine is not None and part is not None:
        xml = scan_sheet_xml(data, part)
        formats = percent_formats(sheet.parent)
        shown = (
            None
            if formats is None or xml.failure is not None
            else shown_cells(data, part, formats, errors=xml.may_hold_error_cells)
        )
        found = None if shown is None else reading.calamine.rows(title)
        if found is not None and shown is not None:
            rows, first_column = found
            if shown:
                rows = as_shown(rows, shown, first_column)
            convert = functools.partial(openpyxl_like, first_column=first_column)
    if rows is None:
        try:
            load_strings()
        except Exception as error:  # a broken shared-string table, as load_workbook said it
            return unreadable_file(Location(source), f"not an Excel workbook: {_reason(error)}")
        # The <dimension> element is often missing or wrong (many writers emit
        # A1); trusting it would cut rows short.
        sheet.reset_dimensions()
        rows = map(_row_values, _guarded(sheet.iter_rows()))
    head = [
        _clean_row(convert(row) if convert is not None else row)
        for _, row in zip(range(HEADER_SEARCH_ROWS), rows, strict=False)
    ]
    header = find_header(head)
    cut = reading.cut
    if cut is not None and (header is None or not cut.fits(part, header, convert is not None)):
        raise _CutMisfit
    result = FileRead(sheet=title)
    if header is None:
        if _any_value(head) or _any_value(_clean_row(row) for row in rows):
            message, help = missing_header_problem(head, f'sheet "{title}"')
            result.diagnostics.append(unreadable(Location(source, sheet=title), message, help))
        return result

    from openpyxl.utils.cell import get_column_letter

    header_row = header.row_index + 1
    letters = {c.key: get_column_letter(c.position + 1) for c in header.columns}
    for column, alias in header.typos:
        cell = f"{letters[column.key]}{header_row}"
        result.diagnostics.append(
            diagnostic(
                "MBR008",
                typo_message("column", column.header, alias),
                Location(source, sheet=title, cell=cell, row=header_row),
            )
        )
    max_chars = limits.max_cell_chars
    reader = RowReader(source, header, clean_cell, max_chars=max_chars)
    outside = outside_rows(header, clean_cell, reading.wanted_date, max_chars=max_chars)
    below: Iterable[Row] = head[header.row_index + 1 :]
    if xml is None and part is not None:
        xml = scan_sheet_xml(data, part)
    merges = _VerticalMerges(_merged_ranges(xml), below_row=header_row)
    if convert is not None and (merges or first_column):
        # Merges fill the cells openpyxl would give, and OutsideRows looks up
        # cells by their column: both need rows made as openpyxl gives them.
        rows, convert = map(convert, rows), None
    below_rows = _RowsBelow(source, title, letters, reader, outside, result, limits.max_rows)
    below_rows.number = header_row
    below_rows.cut = cut
    if not below_rows.read_each(below, merges, convert):
        return result
    # Rows as calamine gives them, from column A and without merges to fill:
    # a month's build judges them a batch at a time (a cut's few, one at a time).
    if outside is not None and convert is not None and not merges and cut is None:
        if not below_rows.read_batches(rows, convert):
            return result
    elif not below_rows.read_each(rows, merges, convert):
        return result
    if cut is not None:
        result.records += [WITHOUT_ID] * cut.left_out_after
    result.diagnostics += reader.problems
    return result


class _RowsBelow:
    """The rows below the header, read into `result`. `number` is the sheet
    row number of the last row read (the header's, to start with)."""

    def __init__(
        self,
        source: str,
        title: str,
        letters: dict[str, str],
        reader: RowReader,
        outside: OutsideRows | None,
        result: FileRead,
        max_rows: int,
    ) -> None:
        self._source = source
        self._title = title
        self._letters = letters
        self._reader = reader
        self._outside = outside
        self._result = result
        self._max_rows = max_rows
        self.number = 0
        # When the sheet read is a cut (xlsx_period): its rows' numbers in
        # the source, and the rows left out, each an OutOfPeriod in its place.
        self.cut: SheetCut | None = None

    def _full_read(self, cells: Row, number: int) -> Record | None:
        source, title = self._source, self._title
        return self._reader.read(
            cells,
            Location(source, sheet=title, row=number),
            CellLocations(source, title, number, self._letters),
        )

    def _read_in(
        self, batch: list[Row], convert: Callable[[Row], Row], index: int
    ) -> Record | None:
        """The full read of the batch's row `index` (the batch starts after row `number`)."""
        return self._full_read(convert(batch[index]), self.number + 1 + index)

    def _over_limit(self) -> bool:
        """True, with the records dropped, once there are more than max_rows."""
        records = self._result.records
        if len(records) <= self._max_rows:
            return False
        # Stop early: a sheet of a million rows must not become a million entries.
        records.clear()
        at_sheet = Location(self._source, sheet=self._title)
        self._result.diagnostics.append(too_many_entries(at_sheet, self._max_rows))
        return True

    def read_each(
        self,
        rows: Iterable[Row],
        merges: _VerticalMerges | None,
        convert: Callable[[Row], Row] | None,
    ) -> bool:
        """Row by row; False once max_rows is passed."""
        records = self._result.records
        outside = self._outside
        number = self.number
        reader, source, title, letters = self._reader, self._source, self._title, self._letters
        cut = self.cut
        try:
            for row in rows:
                number += 1
                at = number
                if cut is not None:
                    records += [WITHOUT_ID] * cut.left_out(number)
                    at = cut.sheet_row(number)
                cells = merges.fill(number, row) if merges else row
                # A row dated outside the period costs a date lookup and no Location.
                record: Record | OutOfPeriod | None = None
                if outside is not None:
                    record = outside(cells)
                if record is None:
                    if convert is not None:
                        cells = convert(cells)
                    record = reader.read(
                        cells,
                        Location(source, sheet=title, row=at),
                        CellLocations(source, title, at, letters),
                    )
                    if record is None:
                        continue
                records.append(record)
                if len(records) > self._max_rows:
                    return not self._over_limit()
        finally:
            self.number = number
        return True

    def read_batches(self, rows: Iterator[Row], convert: Callable[[Row], Row]) -> bool:
        """A batch at a time: only the rows kept (in the period, undatable,
        or holding a cell the judgement cannot measure) cost Python per row.
        False once max_rows is passed."""
        assert self._outside is not None
        judge_batch = self._outside.judge_batch
        records = self._result.records
        while batch := list(itertools.islice(rows, BATCH_ROWS)):
            judged = judge_batch(batch)
            if judged is None:
                if not self.read_each(batch, None, convert):
                    return False
                continue
            records += kept(judged, functools.partial(self._read_in, batch, convert))
            self.number += len(batch)
            if self._over_limit():
                return False
        return True


def _row_values(cells: Sequence[Any]) -> list[object]:
    """Cell values; a percent-formatted number reads as the percentage it shows."""
    values = [cell.value for cell in cells]
    for index, value in enumerate(values):
        if value.__class__ is float or value.__class__ is int:
            number_format: str = cells[index].number_format
            if "%" in number_format:
                values[index] = percent_text(value, number_format)
    return values


def _clean_row(row: Row) -> list[RawValue]:
    return [clean_cell(value) for value in row]


def _any_value(rows: Iterable[Sequence[RawValue]]) -> bool:
    return any(any(value is not None for value in row) for row in rows)


def _guarded(rows: Iterator[Row]) -> Iterator[Row]:
    """openpyxl's row iterator, with its failures on corrupt XML made _SheetError."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # corrupt sheet XML can raise anything
            raise _SheetError(str(error)) from error
        yield row


def _merged_ranges(xml: SheetXml | None) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range in the sheet."""
    from openpyxl.utils.cell import range_boundaries

    if xml is None:
        return []
    if xml.failure is not None:
        raise _SheetError(str(xml.failure)) from xml.failure
    ranges = []
    for ref in xml.merge_refs:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        ranges.append((min_col, min_row, max_col, max_row))
    return ranges


class _VerticalMerges:
    """Gives a vertically merged cell's value to every row the merge spans.

    Only the merge's first column is filled: a merge across columns shows
    one value, which belongs to the column it starts in.
    """

    def __init__(self, ranges: list[tuple[int, int, int, int]], *, below_row: int) -> None:
        self._anchor_rows: dict[int, list[int]] = {}  # row -> 0-based columns of anchors
        self._fills: dict[int, list[tuple[int, int]]] = {}  # row -> (column, anchor row)
        self._values: dict[tuple[int, int], object] = {}
        for min_col, min_row, _max_col, max_row in ranges:
            if max_row <= min_row or min_row <= below_row:
                continue  # one row only, or starting in the header/title rows
            column = min_col - 1
            self._anchor_rows.setdefault(min_row, []).append(column)
            for number in range(min_row + 1, max_row + 1):
                self._fills.setdefault(number, []).append((column, min_row))

    def __bool__(self) -> bool:
        return bool(self._anchor_rows)

    def fill(self, number: int, row: Row) -> Row:
        for column in self._anchor_rows.get(number, ()):
            self._values[(number, column)] = row[column] if column < len(row) else None
        fills = self._fills.get(number)
        if not fills:
            return row
        cells = list(row)
        for column, anchor in fills:
            if column >= len(cells):
                cells.extend([None] * (column + 1 - len(cells)))
            if cells[column] is None:
                cells[column] = self._values.get((anchor, column))
        return cells
