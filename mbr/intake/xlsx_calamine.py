"""Sheet rows read with python-calamine: about eight times faster than openpyxl.

openpyxl's read-only mode takes ~5 s for 50,000 rows; calamine (Rust) takes
well under one. It gives values only, so mbr still opens the workbook with
openpyxl (sheet names, visibility, merged ranges, styles) and falls back to
openpyxl's rows whenever calamine cannot give the same values:

- a workbook with a percent number format (0.4 shown as "40%" must read as
  "40%", and calamine does not expose number formats);
- a sheet holding an error value (#REF!, #DIV/0!): calamine gives "" for it,
  openpyxl its text, which rules report (MBR002, MBR110);
- calamine not installed, or failing on the package.

Values are made to match openpyxl's: empty cells are None (calamine gives
""), and whole numbers are int (calamine gives 42.0 where openpyxl gives 42).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

# Excel's built-in number formats 9 and 10 are "0%" and "0.00%".
_BUILTIN_PERCENT_FORMATS = (9, 10)


def calamine_rows(
    data: bytes, sheet_title: str, workbook: Any, part: str | None
) -> Iterator[list[object]] | None:
    """The sheet's rows from A1 down, or None when openpyxl must read them.

    `part` is the sheet's XML part in the package (xl/worksheets/sheet1.xml).
    """
    if part is None or _has_percent_format(workbook) or _may_hold_error_cells(data, part):
        return None
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return None
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet_title)
        # iter_rows gives rows from the first row of the sheet but cells from
        # the first used column (sheet.start); rows are made one at a time, so
        # a 100,000-row sheet is never a Python list of a million cells.
        rows = sheet.iter_rows()
        start = sheet.start
    except Exception:  # corrupt or unusual package: openpyxl reads it or says why not
        return None
    return _openpyxl_like(rows, start[1] if start is not None else 0)


def _has_percent_format(workbook: Any) -> bool:
    # openpyxl keeps the workbook's cell formats on these (private) attributes
    # in read-only mode too; if they are missing, play safe.
    styles = getattr(workbook, "_cell_styles", None)
    formats = getattr(workbook, "_number_formats", None)
    if styles is None or formats is None:
        return True
    if any("%" in str(number_format) for number_format in formats):
        return True
    return any(style.numFmtId in _BUILTIN_PERCENT_FORMATS for style in styles)


# An error cell is <c r="A2" t="e">; a chance match inside inline text only
# costs the fast path, never a wrong value.
_ERROR_CELL_MARKS = (b't="e"', b"t='e'")
_CHUNK = 1 << 20


def _may_hold_error_cells(data: bytes, part: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as stream:
            tail = b""
            while chunk := stream.read(_CHUNK):
                window = tail + chunk
                if any(mark in window for mark in _ERROR_CELL_MARKS):
                    return True
                tail = window[-8:]
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error):
        return True  # let openpyxl read it and say what is wrong
    return False


def _openpyxl_like(rows: Iterator[list[Any]], first_column: int) -> Iterator[list[object]]:
    # calamine's cells start at the first used column; openpyxl's at column A.
    padding: list[object] = [None] * first_column
    for row in rows:
        values: list[object] = [*padding]
        for value in row:
            if value == "" and value.__class__ is str:
                values.append(None)
            elif value.__class__ is float and value.is_integer():
                values.append(int(value))
            else:
                values.append(value)
        while values and values[-1] is None:
            values.pop()
        yield values
