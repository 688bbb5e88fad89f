"""The later half of a large sheet's rows, cut by mbr's second process (mbr.spare).

Cutting a sheet to a period is XML work in Python's C loops: splitting the
rows apart, searching them for dates and ids. For a large sheet, mbr's
second process (started before the file was read) does that for the rows
from the middle of the sheet's XML on, while this process does it for the
rows before: the worker inflates the whole sheet itself (a deflate stream
cannot be entered midway), this process only as far as the middle.

Both find the same boundary: the first row that starts at or after the
agreed offset. The worker checks the whole sheet against the package's CRC,
and answers None for a run of rows that cannot be cut; this process then
reads the whole workbook, as for any cut it cannot make.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from mbr import spare
from mbr.intake.outside import DateFilter
from mbr.intake.xlsx_head import Columns, columns_of, head_rows, head_strings
from mbr.intake.xlsx_package import Judge, Package
from mbr.intake.xlsx_rows import ROW_SPLIT, RowsFound, SheetRows

# A boundary found this close to the end of an inflated prefix might be
# read otherwise in the whole XML (`<row` then the prefix's end).
_BOUNDARY_ROOM = 64


def rows_start(xml: bytes, at: int) -> int | None:
    """Where the first row starting at or after `at` starts, if `xml` shows it for sure."""
    found = ROW_SPLIT.search(xml, at)
    if found is None or found.start() + _BOUNDARY_ROOM > len(xml):
        return None
    return found.start()


@dataclass(frozen=True)
class LaterRows:
    """The job mbr's second process runs: the date and id columns, and what
    the rows of sheet `part` that start at or after byte `starts_at` of its
    XML keep and leave out."""

    data: bytes  # the whole package
    part: str
    sheets: tuple[tuple[str, str, str], ...]
    strings_part: str | None
    starts_at: int
    wanted_date: DateFilter
    max_chars: int

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        import pickle

        # Pickled straight from the package's bytes: no copy is made first.
        data = pickle.PickleBuffer(memoryview(self.data))
        return LaterRows, (
            data, self.part, self.sheets, self.strings_part, self.starts_at, self.wanted_date,
            self.max_chars,
        )  # fmt: skip

    def run(self) -> tuple[Columns, RowsFound] | None:
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            package = Package(self.data, archive)
            # The head rows' cells are named with openpyxl, the dates judged
            # with calamine: imported while the sheet inflates.
            (xml,) = package.inflated_while(_import_readers, (self.part, 0))
            if xml is None:
                return None
            columns = self._columns(package, xml)
            start = rows_start(xml, self.starts_at)
            if columns is None or start is None:
                return None
            rows = SheetRows.of(memoryview(xml)[start:], "sheet", columns.head_until)
            if rows is None or rows.has_exponent():
                return None
            judge = Judge(package, self.part, self.sheets, self.strings_part, self.wanted_date)
            found = rows.found(columns.date, columns.written_id, judge, self.max_chars)
            return None if found is None else (columns, found)

    def _columns(self, package: Package, xml: bytes) -> Columns | None:
        """The date and id columns, from the head rows at the start of `xml`."""
        head = head_rows(xml)
        if head is None:
            return None
        strings = head_strings(package, self.strings_part, head)
        return None if strings is None else columns_of(head, strings)


def _import_readers() -> None:
    import openpyxl  # noqa: F401
    import python_calamine  # noqa: F401


def ask_later_rows(job: LaterRows) -> spare.Asked | None:
    """The job sent to mbr's second process, or None when none was started."""
    return spare.Asked.send(job, "mbr-send-rows")


def later_rows_found(asked: spare.Asked) -> tuple[Columns, RowsFound] | None:
    """The second process's answer; None if it found its rows cannot be cut, or failed."""
    found = asked.answer()
    if not isinstance(found, tuple):
        return None
    columns, rows = found
    return (columns, rows) if isinstance(columns, Columns) and isinstance(rows, RowsFound) else None
