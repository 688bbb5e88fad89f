"""One period out of a large workbook: its sheet cut down to the rows that may be in it.

python-calamine parses a whole sheet before it gives a row (~1.8 s for a
100,000-row log, 110 MB of sheet XML) and makes every row a Python list
(~0.45 s more), where one month keeps a few rows in a hundred. Here the
sheet XML is inflated with isal (2.3x faster than zlib) and searched with a
regular expression for the date column's number cells. A row whose date is
a day outside the period is left out of a smaller copy of the package,
which the usual reader then reads (calamine and openpyxl, as any workbook).

A row is left out only where the full read would have made it an
OutOfPeriod without an id (mbr.intake.outside):

- its date cell is a number that, under the cell's style, calamine gives as
  a day outside the period: each distinct (style, number) is asked of
  calamine itself, in a workbook of those cells alone;
- none of its cells could be longer than the cell limit (the row's XML is
  not), and the sheet holds no number with an exponent (whose text can be
  long) and no style calamine reads as a duration (a value the judgement
  does not take);
- it has no written id, and it is not among the rows the header is searched in.

The rows kept are renumbered 1, 2, ... after those head rows, so calamine
sees a few thousand rows; `SheetCut` maps their numbers back and says how
many rows were left out before each, and the reader puts an OutOfPeriod in
each one's place (build_entries numbers entries by their place). Whatever
the search cannot be sure of keeps its row, or leaves the workbook whole
(merged cells, rows without a reference, a broken package). The reader
checks the cut against what it finds (the same sheet and header columns,
rows from calamine) and reads the whole workbook when they differ.

For a large sheet, mbr's second process cuts the later half of the rows
while this one cuts the first (mbr.intake.xlsx_later_rows). Each finds the
header, which says where the dates and ids are, for itself: the second
process from the start of the sheet and of the shared strings alone
(mbr.intake.xlsx_head), and this one checks that both found the same.

A sheet whose XML is malformed only in rows left out reads here, where the
full read would refuse the sheet: those rows are not in the period.

The parts of the package are in mbr.intake.xlsx_package, the rows and
shared strings as XML text in mbr.intake.xlsx_rows.
"""

from __future__ import annotations

import importlib
import io
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeGuard

from mbr import idle, spare
from mbr.config import Limits
from mbr.intake.outside import MIN_JUDGED_CHARS, DateFilter
from mbr.intake.xlsx_head import Columns, columns_of
from mbr.intake.xlsx_later_rows import LaterRows, ask_later_rows, later_rows_found, rows_start
from mbr.intake.xlsx_package import Judge, Package, Sheets, sheet_part, workbook_parts
from mbr.intake.xlsx_rows import RowsFound, SharedStrings, SheetRows, renumbered

if TYPE_CHECKING:
    from mbr.intake.headers import Header

# Below this size (the package, compressed) reading the whole sheet is quick.
CUT_MIN_BYTES = 4 << 20
# From this size of sheet XML, mbr's second process cuts the later half of
# the rows (if it was started): each half is then ~0.15 s or more of work,
# more than sending the package and answering costs.
SPLIT_MIN_BYTES = 16 << 20
# The share of the sheet's XML whose rows this process cuts. The second
# process also inflates all of it (~0.25 s for 110 MB) where this one
# inflates its share; this one imports what the build needs (~0.15 s) while
# it waits for the other's answer.
FIRST_SHARE = 0.5
# How far past the middle this process inflates the sheet, for the first
# row of the second process's half to show (longer rows: no cut).
_BOUNDARY_BYTES = 1 << 20


@dataclass(frozen=True)
class SheetCut:
    """A workbook with one sheet cut to the rows that may be in the period."""

    data: bytes  # the smaller package
    part: str  # the sheet's part name, as openpyxl gives it
    date_position: int  # 0-based column of the dates the cut judged
    id_position: int | None  # 0-based column of written ids, if any
    rows_before: list[int]  # row number in the cut -> its number in the sheet
    left_out_before: list[int]  # row number in the cut -> rows left out just before it
    left_out_after: int  # rows left out after the last row kept
    shared: bool  # whether mbr's second process cut the later half of the rows

    def fits(self, part: str | None, header: Header, calamine_rows: bool) -> bool:
        """True when the reader found what the cut assumed."""
        positions = header.field_positions()
        return (
            calamine_rows
            and part == self.part
            and positions.get("date") == self.date_position
            and positions.get("id") == self.id_position
        )

    def sheet_row(self, number: int) -> int:
        rows = self.rows_before
        return rows[number] if number < len(rows) else number

    def left_out(self, number: int) -> int:
        """How many rows were left out just before the cut's row `number`."""
        gaps = self.left_out_before
        return gaps[number] if number < len(gaps) else 0


def cut_to_period(
    data: bytes, wanted_sheet: str | None, wanted_date: DateFilter, limits: Limits
) -> SheetCut | None:
    """The package with its sheet cut to the rows that may be in the
    period, or None when the whole sheet must be read."""
    if len(data) < CUT_MIN_BYTES or limits.max_cell_chars < MIN_JUDGED_CHARS:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets, strings_part = workbook_parts(archive)
            return _Cutter(Package(data, archive), sheets, strings_part, wanted_date, limits).cut(
                wanted_sheet
            )
    except Exception:  # a broken or unusual package: the full read says what is wrong
        return None


class _Cutter:
    def __init__(
        self,
        package: Package,
        sheets: Sheets,
        strings_part: str | None,
        wanted_date: DateFilter,
        limits: Limits,
    ) -> None:
        self._package = package
        self._sheets = sheets
        self._strings_part = strings_part if strings_part in package.parts else None
        self._wanted_date = wanted_date
        self._limits = limits

    def cut(self, wanted_sheet: str | None) -> SheetCut | None:
        part = sheet_part(self._sheets, wanted_sheet)
        if part is None or part not in self._package.parts:
            return None
        # Asked first: the second process starts inflating the sheet while
        # this one imports; each finds the header for itself.
        starts_at, later = self._ask_later_rows(part)
        try:
            found = self._found(part, starts_at, later)
        finally:
            if later is not None:
                # Its answer is waited for, if not read yet: the rules take it next.
                later.release(wait=True)
        if found is None:
            return None
        return self._cut(part, *found, shared=later is not None)

    def _ask_later_rows(self, part: str) -> tuple[int, spare.Asked | None]:
        """Where the later half of the rows starts, and the job that asks
        mbr's second process to cut it (None for a smaller sheet)."""
        size = self._package.parts[part].file_size
        if size < SPLIT_MIN_BYTES:
            return size, None
        job = LaterRows(
            self._package.data, part, tuple(self._sheets), self._strings_part,
            int(size * FIRST_SHARE),
            self._wanted_date, self._limits.max_cell_chars,
        )  # fmt: skip
        return job.starts_at, ask_later_rows(job)

    def _found(
        self, part: str, starts_at: int, later: spare.Asked | None
    ) -> tuple[Columns, list[RowsFound], SharedStrings] | None:
        """The date and id columns, what each half of the rows keeps and
        leaves out, and the shared strings."""
        limits = self._limits
        size = 0 if later is None else starts_at + _BOUNDARY_BYTES
        sheet, table = self._inflated_while_importing(
            (part, size), (self._strings_part, 0), rest_later=later is not None
        )
        if sheet is None:
            return None
        strings = SharedStrings.of(self._strings_part, table, limits.max_cell_chars)
        if strings is None:
            return None
        if later is None:
            rows = SheetRows.of(sheet, "sheet")
        else:
            start = rows_start(sheet, starts_at)
            if start is None:
                return None
            rows = SheetRows.of(memoryview(sheet)[:start], "row")
        del sheet
        if rows is None or rows.has_exponent():
            return None
        columns = columns_of(rows, strings)
        if columns is None:
            return None
        judge = Judge(self._package, part, self._sheets, strings.part, self._wanted_date)
        found = [rows.found(columns.date, columns.written_id, judge, limits.max_cell_chars)]
        if later is not None:
            idle.import_pending()  # while the second process may still be cutting its half
            answer = later_rows_found(later)
            if answer is None or answer[0] != columns:
                return None
            found.append(answer[1])
        if not _one_run(found) or sum(len(f.numbers) for f in found) > limits.max_rows:
            return None
        return columns, found, strings

    def _inflated_while_importing(
        self, *parts: tuple[str | None, int], rest_later: bool
    ) -> list[bytes | None]:
        """The parts inflated (Package.inflated_while) while this thread
        imports openpyxl and, unless `rest_later`, what the build will need
        (mbr.idle)."""

        def imports() -> None:
            # openpyxl first (~0.1 s): the head rows' cells are named with it
            # next, and the reader opens the cut with it.
            importlib.import_module("openpyxl")
            if not rest_later:
                idle.import_pending()

        return self._package.inflated_while(imports, *parts)

    def _cut(
        self,
        part: str,
        columns: Columns,
        found: list[RowsFound],
        strings: SharedStrings,
        *,
        shared: bool,
    ) -> SheetCut | None:
        if not any(run.left_out for run in found):
            return None
        kept_xml, rows_before, gaps, after = _joined(found)
        table = None
        if strings.part is not None:
            renumbered = strings.kept(kept_xml)
            if renumbered is None:
                return None
            kept_xml, table = renumbered
        data = self._package.with_sheet(self._sheets, part, kept_xml, strings.part, table)
        return SheetCut(
            data=data,
            part=part,
            date_position=columns.date_position,
            id_position=columns.id_position,
            rows_before=rows_before,
            left_out_before=gaps,
            left_out_after=after,
            shared=shared,
        )


def _one_run(found: list[RowsFound | None]) -> TypeGuard[list[RowsFound]]:
    """True when the runs of rows were all cut and make one sheet: the head
    rows in the first, the numbers rising from one to the next."""
    if any(run is None for run in found):
        return False
    runs = [run for run in found if run is not None]
    later = runs[1:]
    if any(run.head for run in later) or not runs[0].head:
        return False
    return all(
        not run.numbers or run.numbers[0] > earlier.numbers[-1]
        for earlier, run in zip(runs, later, strict=False)
    )


def _joined(found: list[RowsFound]) -> tuple[bytes, list[int], list[int], int]:
    """The sheet XML without the rows left out, the rows kept renumbered
    after the head rows; each cut row's sheet number; the rows left out
    before each; the rows left out after the last."""
    first = found[0]
    head_count = len(first.head)
    last_head = first.numbers[head_count - 1]
    rows_before = list(range(last_head + 1))
    gaps = [0] * (last_head + 1)
    # <dimension> stays the whole sheet's: calamine sizes rows by their
    # cells, and without it openpyxl would parse the sheet to find its size.
    parts = [first.before, *first.head]
    gap = 0
    for run in found:
        kept = iter(run.kept)
        numbers = run.numbers[head_count:] if run is first else run.numbers
        left_out = run.left_out
        for number in numbers:
            if number in left_out:
                gap += 1
                continue
            rows_before.append(number)
            gaps.append(gap)
            gap = 0
            parts.append(renumbered(next(kept), len(rows_before) - 1))
    parts.append(found[-1].after)
    return b"".join(parts), rows_before, gaps, gap
