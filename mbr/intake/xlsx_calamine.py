"""Sheet rows read with python-calamine: about eight times faster than openpyxl.

openpyxl's read-only mode takes ~5 s for 50,000 rows; calamine (Rust) takes
well under one. It gives values only, so mbr still opens the workbook with
openpyxl (sheet names, visibility, merged ranges, styles) and falls back to
openpyxl's rows whenever calamine cannot give the same values:

- a sheet whose numbers under a percent format (0.4 shown as "40%") or
  error values (#REF!, for which calamine gives "") cannot all be found
  (shown_cells, which otherwise puts back what openpyxl gives for them);
- calamine not installed, or failing on the package.

calamine parses the whole sheet before giving a row (about 2 s for 100,000
rows) and lets go of the GIL while it does, so it parses in a thread while
openpyxl is imported and opens the workbook and the sheet XML is searched
for error cells (sheet_xml): on two cores the parse costs little more than
that work.

Values are made to match openpyxl's: empty cells are None (calamine gives
""), and whole numbers are int (calamine gives 42.0 where openpyxl gives 42).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from mbr import idle


class CalamineSheet:
    """A sheet being parsed by python-calamine in a thread.

    The sheet is the one openpyxl is expected to pick (`wanted`, else the
    first visible worksheet); `rows` parses the one it did pick if the guess
    was wrong. Call `close` when done, so no parse outlives the read.
    """

    def __init__(self, data: bytes, wanted: str | None) -> None:
        self._data = data
        self._workbook: Any = None
        self._title: str | None = None
        self._sheet: Any = None
        self._thread = threading.Thread(
            target=self._parse, args=(wanted,), name="mbr-calamine", daemon=True
        )
        self._thread.start()

    def _parse(self, wanted: str | None) -> None:
        try:
            from python_calamine import CalamineWorkbook

            self._workbook = CalamineWorkbook.from_filelike(io.BytesIO(self._data))
            self._title = _likely_sheet(self._workbook, wanted)
            if self._title is not None:
                self._sheet = self._workbook.get_sheet_by_name(self._title)
        # Not installed, or a corrupt or unusual package: openpyxl reads it or
        # says why not. BaseException too: a Rust panic is a PanicException,
        # which would otherwise end the thread with a traceback on stderr.
        except BaseException:
            self._sheet = None

    def rows(self, sheet_title: str) -> tuple[Iterator[list[object]], int] | None:
        """The sheet's rows from its first row down, as calamine gives them,
        and the first used column (their first cell's); None when openpyxl
        must read them. openpyxl_like turns a row into what openpyxl gives
        (after shown_cells has put back what calamine does not give).
        """
        if self._thread.is_alive():
            idle.import_pending()  # while calamine parses
        self._thread.join()
        try:
            sheet = self._sheet
            if self._title != sheet_title:
                if self._workbook is None:
                    return None
                sheet = self._workbook.get_sheet_by_name(sheet_title)
            if sheet is None:
                return None
            # Rows are made one at a time, so a 100,000-row sheet is never a
            # Python list of a million cells.
            rows = sheet.iter_rows()
            start = sheet.start
        except Exception:  # corrupt or unusual package: openpyxl reads it or says why not
            return None
        return rows, start[1] if start is not None else 0

    def close(self) -> None:
        self._thread.join()


def sheet_named(names: Sequence[str], wanted: str) -> str | None:
    """The sheet name `wanted` picks: the same name, else the same ignoring
    case (Excel itself treats sheet names case-insensitively)."""
    if wanted in names:
        return wanted
    folded = wanted.casefold()
    return next((name for name in names if name.casefold() == folded), None)


def _likely_sheet(workbook: Any, wanted: str | None) -> str | None:
    """The sheet read_xlsx will pick, as far as calamine's metadata tells."""
    if wanted is not None:
        return sheet_named(workbook.sheet_names, wanted)
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    worksheets = [m for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    visible = [m for m in worksheets if m.visible == SheetVisibleEnum.Visible]
    first = (visible or worksheets)[:1]
    return first[0].name if first else None


def openpyxl_like(row: Sequence[object], first_column: int = 0) -> list[object]:
    """A row as calamine gives it -> the row openpyxl gives.

    calamine's cells start at the first used column, openpyxl's at column A;
    calamine gives "" for an empty cell and 42.0 for a whole number.
    """
    values: list[object] = [None] * first_column
    for value in row:
        if value == "" and value.__class__ is str:
            values.append(None)
        elif value.__class__ is float and value.is_integer():
            values.append(int(value))
        else:
            values.append(value)
    while values and values[-1] is None:
        values.pop()
    return values
