"""What mbr needs from a worksheet's XML beyond its values, in one pass.

Neither reader gives all of it: openpyxl's read-only mode does not expose
merged ranges, and python-calamine gives "" for an error cell (#REF!). The
part is streamed once (a 100,000-row sheet is ~100 MB of XML) and searched
with bytes.find, which is fast, rather than parsed a second time.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

# An error cell is <c r="A2" t="e">; a chance match inside inline text only
# costs the fast path, never a wrong value.
_ERROR_CELL_MARKS = (b't="e"', b"t='e'")
# <mergeCell ref="C7:C9"/>, with or without a namespace prefix.
_MERGE_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]+[0-9]+:[A-Za-z]+[0-9]+)"
)
_CHUNK = 1 << 20
_MARK_TAIL = 8  # longer than any error mark, so one split across chunks is found
_MERGE_TAIL = 64  # room for the start of a <mergeCell> element before the name


@dataclass(frozen=True)
class SheetXml:
    """The sheet part's error-cell and merged-range facts."""

    may_hold_error_cells: bool  # True too when the part could not be read
    merge_refs: tuple[str, ...]  # "C7:C9", in document order
    failure: Exception | None = None  # why the part could not be read, if it could not


def scan_sheet_xml(data: bytes, part: str) -> SheetXml:
    """Stream the package's `part` once, looking for error cells and merges.

    <mergeCells> follows <sheetData>, so only what follows the first
    "mergeCell" is kept and matched.
    """
    error_cells = False
    marks_tail = merge_tail = b""
    merges = bytearray()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as stream:
            while chunk := stream.read(_CHUNK):
                if not error_cells:
                    window = marks_tail + chunk
                    error_cells = any(mark in window for mark in _ERROR_CELL_MARKS)
                    marks_tail = window[-_MARK_TAIL:]
                if merges:
                    merges += chunk
                    continue
                window = merge_tail + chunk
                start = window.find(b"mergeCell")
                if start >= 0:
                    merges += window[max(0, start - _MERGE_TAIL) :]
                else:
                    merge_tail = window[-_MERGE_TAIL:]
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error) as error:
        return SheetXml(may_hold_error_cells=True, merge_refs=(), failure=error)
    refs = tuple(ref.decode("ascii") for ref in _MERGE_CELL.findall(bytes(merges)))
    return SheetXml(error_cells, refs)
