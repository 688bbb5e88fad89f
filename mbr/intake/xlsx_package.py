"""A workbook package's parts, for cutting a sheet to a period (mbr.intake.xlsx_period).

The parts are inflated with isal (2.3x faster than zlib, and it lets go of
the GIL), in whole or in part, and the package is written again with some
parts replaced. `Judge` asks calamine itself which date cells fall outside
the period, in a small workbook of those cells alone.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import struct
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from xml.etree import ElementTree

from mbr.intake.outside import DateFilter
from mbr.intake.values import clean_cell
from mbr.intake.xlsx_calamine import sheet_named

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKBOOK = "xl/workbook.xml"
_STYLES = "xl/styles.xml"
_EMPTY_SHEET = f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'.encode()
_EMPTY_STRINGS = f'<sst xmlns="{MAIN}"/>'.encode()
_LOCAL_HEADER = struct.Struct("<4s22xHH")

# (name, part, state) of a worksheet.
Sheets = Sequence[tuple[str, str, str]]


class Package:
    """A package's bytes, opened: its parts by name, inflated on request."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile) -> None:
        self.data = data
        self._archive = archive
        self.parts = {info.filename: info for info in archive.infolist()}  # by name

    def inflated(self, part: str) -> bytes | None:
        """A part's bytes, checked against the package's size and CRC; None if they differ."""
        from isal import isal_zlib

        info = self.parts[part]
        content = self.prefix(part, 0)
        if content is None or len(content) != info.file_size:
            return None
        return content if isal_zlib.crc32(content) == info.CRC else None

    def prefix(self, part: str, size: int) -> bytes | None:
        """The first `size` bytes of a part (all of it when `size` is 0 or
        more than it holds), unchecked; None for a part not stored or deflated."""
        from isal import isal_zlib

        info = self.parts[part]
        start = info.header_offset
        magic, name_length, extra_length = _LOCAL_HEADER.unpack_from(self.data, start)
        if magic != b"PK\x03\x04":
            return None
        start += _LOCAL_HEADER.size + name_length + extra_length
        packed = memoryview(self.data)[start : start + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            return bytes(packed[:size] if size else packed)
        if info.compress_type == zipfile.ZIP_DEFLATED:
            if not size:
                return isal_zlib.decompress(packed, -15)
            return isal_zlib.decompressobj(-15).decompress(packed, size)
        return None

    def read(self, part: str) -> bytes:
        return self._archive.read(part)

    def inflated_while(
        self, work: Callable[[], None], *parts: tuple[str | None, int]
    ) -> list[bytes | None]:
        """Each (part, size): its first `size` bytes, or all of it checked
        (size 0), inflated in a thread (isal lets go of the GIL) while this
        one does `work`; None for a part that is None or broken."""
        inflated: list[bytes | None] = [None] * len(parts)

        def inflate() -> None:
            for index, (part, size) in enumerate(parts):
                try:
                    if part is not None:
                        inflated[index] = self.prefix(part, size) if size else self.inflated(part)
                except Exception:  # a broken part: the full read says what is wrong
                    inflated[index] = None

        thread = threading.Thread(target=inflate, name="mbr-inflate", daemon=True)
        thread.start()
        try:
            work()
        finally:
            thread.join()
        return inflated

    def with_sheet(
        self,
        sheets: Sheets,
        part: str,
        xml: bytes,
        strings_part: str | None,
        strings: bytes | None,
    ) -> bytes:
        """The package with sheet `part` made `xml`, its shared strings made
        `strings` (if it has them), and its other worksheets empty (no reader
        opens them), stored uncompressed: it is only read here."""
        replaced = {other: _EMPTY_SHEET for _, other, _ in sheets if other in self.parts}
        replaced[part] = xml
        if strings_part is not None and strings is not None:
            replaced[strings_part] = strings
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
            for info in self._archive.infolist():
                content = replaced.get(info.filename)
                if content is None:
                    content = self._archive.read(info)
                out.writestr(info.filename, content)
        return buffer.getvalue()


def workbook_parts(archive: zipfile.ZipFile) -> tuple[list[tuple[str, str, str]], str | None]:
    """(name, part, state) of each worksheet in order, and the shared-string table's part."""
    workbook = ElementTree.fromstring(archive.read(_WORKBOOK))
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets: dict[str, tuple[str, str]] = {}
    strings = None
    for relation in relations.iter(f"{{{_RELS}}}Relationship"):
        target = relation.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target)
        )
        kind = relation.get("Type", "")
        targets[relation.get("Id", "")] = (part, kind)
        if kind.endswith("/sharedStrings"):
            strings = part
    sheets = []
    for sheet in workbook.iter(f"{{{MAIN}}}sheet"):
        part, kind = targets.get(sheet.get(f"{{{_OFFICE_RELS}}}id", ""), ("", ""))
        if kind.endswith("/worksheet"):
            sheets.append((sheet.get("name", ""), part, sheet.get("state", "visible")))
    return sheets, strings


def sheet_part(sheets: Sheets, wanted: str | None) -> str | None:
    """The part of the sheet read_xlsx reads: `wanted`, else the first visible worksheet."""
    if wanted is not None:
        name = sheet_named([name for name, _, _ in sheets], wanted)
        return next((part for n, part, _ in sheets if n == name), None)
    visible = [part for _, part, state in sheets if state == "visible"]
    first = visible or [part for _, part, _ in sheets]
    return first[0] if first else None


def column_letter(position: int) -> bytes:
    from openpyxl.utils.cell import get_column_letter

    letter: str = get_column_letter(position + 1)
    return letter.encode("ascii")


class Judge:
    """Which (style, number) date cells calamine gives as a day outside the period."""

    def __init__(
        self,
        package: Package,
        part: str,
        sheets: Sheets,
        strings_part: str | None,
        wanted_date: DateFilter,
    ) -> None:
        self._package = package
        self._part = part
        self._sheets = sheets
        self._strings_part = strings_part
        self._wanted_date = wanted_date

    def outside(self, cells: set[bytes]) -> set[bytes] | None:
        """Those of `cells` (a number cell's style and value, as
        `<c r="A1"` + key + `</v></c>` writes it) outside the period; None
        when a style of the workbook reads as something the judgement does not take."""
        asked = sorted(cells)
        styles = self._styles()
        if styles is None:
            return None
        # Row 1 holds a number under each style, so a duration style shows;
        # row i + 2 holds asked[i].
        probe = b'<c r="%s1" s="%d"><v>1</v></c>'
        probes = b"".join(probe % (column_letter(s), s) for s in styles)
        rows = [b'<row r="1">%s</row>' % probes]
        for i, key in enumerate(asked, start=2):
            rows.append(b'<row r="%d"><c r="A%d"%s</v></c></row>' % (i, i, key))
        xml = b'<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (
            MAIN.encode(),
            b"".join(rows),
        )
        given = list(self._given(xml))
        if not given or not _plain(given[0]):
            return None
        wanted = self._wanted_date
        outside: set[bytes] = set()
        for cell, values in zip(asked, given[1:], strict=False):
            # Only a cell calamine gives as a day: a number it gives as a
            # number may be shown otherwise (a percentage) by the reader.
            day = values[0] if values else None
            if isinstance(day, dt.date):
                date = clean_cell(day)
                if date is not None and not wanted(date):
                    outside.add(cell)
        return outside

    def _styles(self) -> range | None:
        """Every cell style's index; None when the styles are not where Excel keeps them."""
        if _STYLES not in self._package.parts:
            return None
        xml = self._package.read(_STYLES)
        found = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", xml, re.S)
        return range(found[1].count(b"<xf") if found else 1)

    def _given(self, xml: bytes) -> Iterator[Sequence[object]]:
        """calamine's rows of a sheet `xml` put in the sheet's place."""
        from python_calamine import CalamineWorkbook

        data = self._package.with_sheet(
            self._sheets, self._part, xml, self._strings_part, _EMPTY_STRINGS
        )
        name = next(n for n, part, _ in self._sheets if part == self._part)
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(name)
        yield from sheet.iter_rows()


def _plain(values: Sequence[object]) -> bool:
    """True when every value is one the date judgement takes (not a duration)."""
    return not any(isinstance(value, dt.timedelta) for value in values)
