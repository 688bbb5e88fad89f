"""Cells whose shown text calamine's rows lack, so those rows read as openpyxl's do.

python-calamine gives values only. Two kinds of cell show a person something
else, and one such cell anywhere in a sheet would otherwise have every row
read by openpyxl, five times slower (10.5 s against 2.1 s for 50,000 rows):

- a number under a percent format (0.4 shown as "40%"): Excel turns any
  "25%" typed into a cell into 0.25 under such a format;
- an error value (#REF!, #DIV/0!), for which calamine gives "".

Instead the sheet XML is parsed once more (lxml, in the time the main
thread waits for calamine's parse) for those cells, and only they are made
the text openpyxl's path gives.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Excel's built-in number formats below this id; custom ones are numbered
# from it, in the order openpyxl keeps them (as its ReadOnlyCell does).
_BUILTIN_LIMIT = 164
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

# (row, column), both from 1 -> what the cell reads as: its number format
# (a number under a percent format) or its text (an error value).
@dataclass(frozen=True)
class Shown:
    percent: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: dict[tuple[int, int], str | None] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.percent or self.errors)


def percent_formats(workbook: Any) -> dict[int, str] | None:
    """Cell style index -> number format, for the styles showing a percentage.

    None when openpyxl's (private) style tables are missing: then openpyxl
    must read the rows.
    """
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    styles = getattr(workbook, "_cell_styles", None)
    custom = getattr(workbook, "_number_formats", None)
    if styles is None or custom is None:
        return None
    formats: dict[int, str] = {}
    for index, style in enumerate(styles):
        number = style.numFmtId
        if number < _BUILTIN_LIMIT:
            shown = BUILTIN_FORMATS.get(number, "General")
        elif number - _BUILTIN_LIMIT < len(custom):
            shown = custom[number - _BUILTIN_LIMIT]
        else:
            return None  # a format openpyxl itself could not name
        if "%" in str(shown):
            formats[index] = str(shown)
    return formats


def shown_cells(
    data: bytes, part: str, formats: Mapping[int, str], *, errors: bool
) -> Shown | None:
    """The cells of sheet `part` under one of `formats`' styles, and, if
    `errors`, its error cells.

    None when that cannot be told exactly (such a cell without its reference,
    the default style showing a percentage, XML that does not parse): then
    openpyxl must read the rows.
    """
    shown = Shown()
    if not formats and not errors:
        return shown
    if 0 in formats:  # every cell without a style of its own
        return None
    from lxml import etree
    from openpyxl.utils.cell import coordinate_to_tuple

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as stream:
            for cell in _cells(stream, formats, errors=errors):
                reference = cell.get("r")
                if reference is None:
                    return None
                at = coordinate_to_tuple(reference)
                if cell.get("t") == "e":
                    shown.errors[at] = cell.findtext(f"{_MAIN}v") or None
                else:
                    shown.percent[at] = formats[int(cell.get("s", "0"))]
    except (etree.LxmlError, zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError):
        return None
    return shown


def _cells(stream: Any, formats: Mapping[int, str], *, errors: bool) -> Iterator[Any]:
    """The <c> elements under a style of `formats`, or holding an error value
    if `errors`, row by row.

    Each row is let go once read, so a 100,000-row sheet never becomes a tree.
    """
    from lxml import etree

    rows = etree.iterparse(
        stream, events=("end",), tag=f"{_MAIN}row", resolve_entities=False, no_network=True,
        huge_tree=True,
    )  # fmt: skip
    for _, row in rows:
        for cell in row.iterchildren(f"{_MAIN}c"):
            if errors and cell.get("t") == "e":
                yield cell
                continue
            style = cell.get("s")
            if style is not None and int(style) in formats:
                yield cell
        row.clear()
        while row.getprevious() is not None:
            del row.getparent()[0]


def as_shown(
    rows: Iterator[Sequence[object]], shown: Shown, first_column: int
) -> Iterator[Sequence[object]]:
    """calamine's rows (from row 1, cells from `first_column`, 0-based) with
    each number under a percent format made the text it shows and each error
    cell its error text."""
    by_row: dict[int, list[tuple[int, Callable[[object], object]]]] = {}
    fix: Callable[[object], object]
    for (number, column), number_format in shown.percent.items():
        fix = functools.partial(_as_percent, number_format=number_format)
        by_row.setdefault(number, []).append((column - 1 - first_column, fix))
    for (number, column), text in shown.errors.items():
        fix = functools.partial(_as_error, text=text)
        by_row.setdefault(number, []).append((column - 1 - first_column, fix))
    for number, row in enumerate(rows, start=1):
        fixes = by_row.get(number)
        if fixes is None:
            yield row
            continue
        values = list(row)
        for index, fix in fixes:
            if 0 <= index < len(values):
                values[index] = fix(values[index])
        yield values


def _as_percent(value: object, *, number_format: str) -> object:
    if value.__class__ is float or value.__class__ is int:
        return percent_text(value, number_format)
    return value


def _as_error(value: object, *, text: str | None) -> object:
    # An error cell is "" on calamine's row; its text, as openpyxl gives it.
    return "" if text is None else text


def percent_text(value: float, number_format: str) -> str:
    """0.4 under "0%" is "40%"; under "0.0%" it is "40.0%"."""
    positive = number_format.split(";")[0]
    fraction = positive.partition(".")[2]
    decimals = sum(1 for char in fraction.split("%")[0] if char in "0#?")
    return f"{value * 100:.{decimals}f}%"
