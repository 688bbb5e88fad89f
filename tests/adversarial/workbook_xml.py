"""Workbooks written part by part, for what openpyxl will not write.

A formula's cached error value (#REF!), a sheet declaring a million rows,
a sheet whose XML stops half-way: each is the sheet XML a broken or hostile
file would hold, zipped with the few parts openpyxl needs to open it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils.cell import get_column_letter

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _workbook(sheet: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        f'<sheet name={quoteattr(sheet)} sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )


def cell_xml(ref: str, value: object) -> str:
    """One <c>: text inline, numbers as numbers, ("=F", cached) as a formula."""
    if isinstance(value, tuple):
        formula, cached = value
        kind = ' t="e"' if str(cached).startswith("#") else ' t="str"'
        return f'<c r="{ref}"{kind}><f>{escape(formula)}</f><v>{escape(str(cached))}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row_xml(number: int, values: Sequence[object]) -> str:
    cells = "".join(
        cell_xml(f"{get_column_letter(column)}{number}", value)
        for column, value in enumerate(values, start=1)
        if value is not None
    )
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows: Iterable[str]) -> Iterable[str]:
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_MAIN}">'
    yield "<sheetData>"
    yield from rows
    yield "</sheetData></worksheet>"


def write_workbook(
    path: Path, sheet_parts: Iterable[str], *, sheet: str = "Entries", truncate: int = 0
) -> Path:
    """A workbook whose one sheet's XML is the concatenation of `sheet_parts`.

    The parts are streamed into the zip, so a million-row sheet never sits
    in memory; `truncate` cuts that many characters off the sheet's end.
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook(sheet))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        if truncate:
            text = "".join(sheet_parts)
            archive.writestr("xl/worksheets/sheet1.xml", text[:-truncate])
        else:
            with archive.open("xl/worksheets/sheet1.xml", "w") as stream:
                for part in sheet_parts:
                    stream.write(part.encode("utf-8"))
    return path
