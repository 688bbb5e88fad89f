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

A sheet whose XML is malformed only in rows left out reads here, where the
full read would refuse the sheet: those rows are not in the period.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import posixpath
import re
import struct
import threading
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

from mbr import idle
from mbr.config import Limits
from mbr.intake.headers import HEADER_SEARCH_ROWS, Header, find_header
from mbr.intake.outside import MIN_JUDGED_CHARS, DateFilter
from mbr.intake.values import clean_cell
from mbr.intake.xlsx_calamine import sheet_named
from mbr.model import RawValue

# Below this size (the package, compressed) reading the whole sheet is quick.
CUT_MIN_BYTES = 4 << 20

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKBOOK = "xl/workbook.xml"
_STYLES = "xl/styles.xml"
_EMPTY_SHEET = f'<worksheet xmlns="{_MAIN}"><sheetData/></worksheet>'.encode()
_EMPTY_STRINGS = f'<sst xmlns="{_MAIN}"/>'.encode()
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_ROW = b"<row "
_ROW_NUMBER = b'<row r="'
_ROW_SPLIT = re.compile(rb'<row\b(?: r="(\d+)")?')
# A number cell of one column: <c r="A7" s="1"><v>45352</v></c>, the
# attributes in the order Excel, LibreOffice and openpyxl write them; the
# second group (style and value) is the key calamine is asked about.
_NUMBER_CELL = rb'<c r="%s(\d+)"((?: s="\d+")?(?: t="n")?><v>[0-9.]+)</v></c>'
_CELL_ROW = re.compile(rb'(<c r="[A-Z]+)\d+"')
# A cell holding something (not <c r="K7"/> or <c r="K7" t="inlineStr"></c>).
_FILLED_CELL = rb'<c r="%s(\d+)"(?:[^>]*[^/])?><(?!/c>)'
_NUMBER_WITH_EXPONENT = re.compile(rb"<v>[-+]?[0-9.]*[Ee]")
_SHARED_STRING_CELL = re.compile(rb'<c r="[A-Z]+\d+"(?: s="\d+")? t="s"><v>(\d+)</v>')
_EMPTY_SI = b"<t/></si>"  # an empty string, after "<si>"


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
            return _Package(data, archive).cut(wanted_sheet, wanted_date, limits)
    except Exception:  # a broken or unusual package: the full read says what is wrong
        return None


class _Package:
    def __init__(self, data: bytes, archive: zipfile.ZipFile) -> None:
        self._data = data
        self._archive = archive
        self.parts = {info.filename: info for info in archive.infolist()}  # by name

    def inflated(self, part: str) -> bytes | None:
        """A part's bytes (isal inflates them faster than zipfile would), or None."""
        from isal import isal_zlib

        info = self.parts[part]
        start = info.header_offset
        magic, name_length, extra_length = _LOCAL_HEADER.unpack_from(self._data, start)
        if magic != b"PK\x03\x04":
            return None
        start += _LOCAL_HEADER.size + name_length + extra_length
        packed = memoryview(self._data)[start : start + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            content = bytes(packed)
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            content = isal_zlib.decompress(packed, -15)
        else:
            return None
        if len(content) != info.file_size or isal_zlib.crc32(content) != info.CRC:
            return None
        return content

    def read(self, part: str) -> bytes:
        return self._archive.read(part)

    def _inflated_while_importing(self, *parts: str | None) -> list[bytes | None]:
        """The parts inflated in a thread (isal lets go of the GIL), while this
        one imports what the build will need (mbr.idle)."""
        inflated: list[bytes | None] = [None] * len(parts)

        def inflate() -> None:
            for index, part in enumerate(parts):
                try:
                    inflated[index] = None if part is None else self.inflated(part)
                except Exception:  # a broken part: the full read says what is wrong
                    inflated[index] = None

        thread = threading.Thread(target=inflate, name="mbr-inflate", daemon=True)
        thread.start()
        idle.import_pending()
        thread.join()
        return inflated

    def cut(
        self, wanted_sheet: str | None, wanted_date: DateFilter, limits: Limits
    ) -> SheetCut | None:
        sheets, strings_part = _workbook_parts(self._archive)
        part = _sheet_part(sheets, wanted_sheet)
        if part is None or part not in self.parts:
            return None
        if strings_part is not None and strings_part not in self.parts:
            strings_part = None
        sheet, table = self._inflated_while_importing(part, strings_part)
        if sheet is None:
            return None
        strings = _SharedStrings.of(strings_part, table, limits.max_cell_chars)
        if strings is None:
            return None
        if _NUMBER_WITH_EXPONENT.search(sheet):
            return None  # its text can be long, which the full read looks at
        rows = _Rows.of(sheet)
        if rows is None or len(rows.numbers) > limits.max_rows:
            return None
        header = find_header(rows.head_values(strings))
        if header is None:
            return None
        positions = header.field_positions()
        date_position, id_position = positions.get("date"), positions.get("id")
        if date_position is None:
            return None
        judge = _Judge(self, part, sheets, strings.part, wanted_date)
        left_out = rows.left_out(
            _column_letter(date_position),
            None if id_position is None else _column_letter(id_position),
            judge,
            limits.max_cell_chars,
        )
        if left_out is None or not left_out:
            return None
        return self._cut(part, sheets, strings, rows, left_out, date_position, id_position)

    def _cut(
        self,
        part: str,
        sheets: Sequence[tuple[str, str, str]],
        strings: _SharedStrings,
        rows: _Rows,
        left_out: set[int],
        date_position: int,
        id_position: int | None,
    ) -> SheetCut | None:
        kept_xml, rows_before, gaps, after = rows.kept(left_out)
        table = None
        if strings.part is not None:
            table = strings.kept(kept_xml)
            if table is None:
                return None
        return SheetCut(
            data=self.with_sheet(sheets, part, kept_xml, strings.part, table),
            part=part,
            date_position=date_position,
            id_position=id_position,
            rows_before=rows_before,
            left_out_before=gaps,
            left_out_after=after,
        )

    def with_sheet(
        self,
        sheets: Sequence[tuple[str, str, str]],
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


def _workbook_parts(archive: zipfile.ZipFile) -> tuple[list[tuple[str, str, str]], str | None]:
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
    for sheet in workbook.iter(f"{{{_MAIN}}}sheet"):
        part, kind = targets.get(sheet.get(f"{{{_OFFICE_RELS}}}id", ""), ("", ""))
        if kind.endswith("/worksheet"):
            sheets.append((sheet.get("name", ""), part, sheet.get("state", "visible")))
    return sheets, strings


def _sheet_part(sheets: Sequence[tuple[str, str, str]], wanted: str | None) -> str | None:
    """The part of the sheet read_xlsx reads: `wanted`, else the first visible worksheet."""
    if wanted is not None:
        name = sheet_named([name for name, _, _ in sheets], wanted)
        return next((part for n, part, _ in sheets if n == name), None)
    visible = [part for _, part, state in sheets if state == "visible"]
    first = visible or [part for _, part, _ in sheets]
    return first[0] if first else None


def _column_letter(position: int) -> bytes:
    from openpyxl.utils.cell import get_column_letter

    letter: str = get_column_letter(position + 1)
    return letter.encode("ascii")


class _SharedStrings:
    """The shared-string table, split into its <si> elements."""

    def __init__(self, part: str | None, pieces: list[bytes]) -> None:
        self.part = part
        # The XML before the first <si>, each element without its "<si>",
        # the last one's followed by the rest of the table.
        self._pieces = pieces

    @classmethod
    def of(cls, part: str | None, table: bytes | None, max_chars: int) -> _SharedStrings | None:
        if part is None:
            return cls(None, [b""])
        if table is None:
            return None
        pieces = table.split(_SI)
        end = pieces[-1].rfind(b"</sst>")
        if end < 0 or table.count(b"<si") != len(pieces) - 1:
            return None  # <si/> or another spelling: keep the table whole
        # A string longer than the limit sends its rows to the full read,
        # whatever their date: the search does not look into rows for it.
        if max(map(len, pieces[1:]), default=0) > max_chars:
            return None
        return cls(part, pieces)

    def element(self, index: int) -> bytes:
        piece = self._pieces[index + 1]
        if index + 2 == len(self._pieces):
            piece = piece[: piece.rfind(b"</sst>")]
        return _SI + piece

    def text(self, index: int) -> str:
        item = ElementTree.fromstring(self.element(index).replace(_SI, _SI_OPEN, 1))
        return _text(item)

    def kept(self, rows: bytes) -> bytes | None:
        """The table with only the strings `rows` use; the others are made
        empty, so every index stays (None when a shared-string cell is written
        in a way not searched for)."""
        used = _SHARED_STRING_CELL.findall(rows)
        if len(used) != rows.count(b't="s"'):
            return None
        pieces = self._pieces
        indices = set(map(int, used))
        kept = [_EMPTY_SI] * (len(pieces) - 1)
        for index in indices:
            kept[index] = pieces[index + 1]
        if len(kept) - 1 not in indices:  # the last piece ends the table
            last = pieces[-1]
            kept[-1] = _EMPTY_SI + last[last.rfind(b"</sst>") :]
        return _SI.join([pieces[0], *kept])


_SI = b"<si>"
_SI_OPEN = f'<si xmlns="{_MAIN}">'.encode()


def _text(item: ElementTree.Element) -> str:
    """The text of an <si> or <is>: its <t> elements, without phonetic runs."""
    parts = []
    for child in item:
        if child.tag == f"{{{_MAIN}}}t":
            parts.append(child.text or "")
        elif child.tag == f"{{{_MAIN}}}r":
            parts.extend(t.text or "" for t in child.iter(f"{{{_MAIN}}}t"))
    return "".join(parts)


class _Rows:
    """The <row> elements of a sheet's XML, split apart but not parsed."""

    def __init__(self, xml: bytes, parts: list[bytes], numbers: list[int], after: bytes) -> None:
        self._xml = xml  # the whole sheet, for searches
        self.numbers = numbers  # each row's r
        self._texts = parts[1::2]  # the same as written
        self._bodies = parts[2::2]  # each row's XML after its r="..."
        # The sheet's XML before the first row, and from </sheetData> on.
        self._before, self._after = parts[0], after
        self._head_count = self._count_head()

    @classmethod
    def of(cls, xml: bytes) -> _Rows | None:
        # One split gives every row's number and XML: far cheaper than a
        # match object a row.
        parts = _ROW_SPLIT.split(xml)
        texts = parts[1::2]
        if not texts or None in texts:
            return None  # no rows, or a row without its number first
        last = parts[-1]
        end = last.rfind(b"</sheetData>")
        if end < 0 or b"<mergeCell" in last[end:]:
            return None  # merged cells fill rows from others: the full read
        parts[-1] = last[:end]
        numbers = list(map(int, texts))
        if any(map(int.__ge__, numbers, numbers[1:])):
            return None  # rows out of order
        return cls(xml, parts, numbers, last[end:])

    def _element(self, index: int, number: int | None = None) -> bytes:
        """Row `index`'s XML, renumbered `number` if given."""
        body = self._bodies[index]
        if number is None:
            return b'%s%s"%s' % (_ROW_NUMBER, self._texts[index], body)
        digits = b'%d"' % number
        # A function, not a template: 3.11 parses a bytes template on every call.
        renumbered = _CELL_ROW.sub(lambda cell: cell[1] + digits, body)
        return b"%s%s%s" % (_ROW_NUMBER, digits, renumbered)

    def _count_head(self) -> int:
        """The rows the header may be in, kept as they are: calamine may give
        rows from the first one used, so from there, with room to spare."""
        # The numbers rise (checked in `of`): a bisection, not a pass over every row.
        return bisect.bisect_right(self.numbers, self.numbers[0] + HEADER_SEARCH_ROWS)

    def head_values(self, strings: _SharedStrings) -> list[list[RawValue]]:
        """The head rows' values, from row 1 and column A, as the reader would clean them."""
        values: list[list[RawValue]] = []
        for index in range(self._head_count):
            number = self.numbers[index]
            values.extend([] for _ in range(number - 1 - len(values)))
            element = self._element(index).replace(_ROW, f'<row xmlns="{_MAIN}" '.encode(), 1)
            values.append(_row_values(ElementTree.fromstring(element), strings))
        return values

    def left_out(
        self, date: bytes, written_id: bytes | None, judge: _Judge, max_chars: int
    ) -> set[int] | None:
        """The numbers of the rows to leave out, or None when the whole sheet must be read."""
        bodies = self._bodies
        # (row number, the date cell's style and value), by one search of the
        # whole sheet: a match object a row would cost more than the search.
        dated = re.findall(_NUMBER_CELL % date, self._xml)
        outside = judge.outside({key for _, key in dated})
        if outside is None:
            return None
        left = {int(number) for number, key in dated if key in outside}
        left.difference_update(self.numbers[: self._head_count])
        if max(map(len, bodies)) > max_chars:  # the row's XML is no longer than its text
            left.difference_update(
                number for number, body in zip(self.numbers, bodies, strict=True)
                if len(body) > max_chars
            )  # fmt: skip
        if written_id is not None:
            left.difference_update(map(int, re.findall(_FILLED_CELL % written_id, self._xml)))
        return left

    def kept(self, left_out: set[int]) -> tuple[bytes, list[int], list[int], int]:
        """The sheet XML without the rows left out, the rows kept renumbered
        after the head rows; each cut row's sheet number; the rows left out
        before each; the rows left out after the last."""
        head_count = self._head_count
        last_head = self.numbers[head_count - 1]
        rows_before = list(range(last_head + 1))
        gaps = [0] * (last_head + 1)
        # <dimension> stays the whole sheet's: calamine sizes rows by their
        # cells, and without it openpyxl would parse the sheet to find its size.
        parts = [self._before, *map(self._element, range(head_count))]
        gap = 0
        for index in range(head_count, len(self.numbers)):
            number = self.numbers[index]
            if number in left_out:
                gap += 1
                continue
            rows_before.append(number)
            gaps.append(gap)
            gap = 0
            parts.append(self._element(index, len(rows_before) - 1))
        parts.append(self._after)
        return b"".join(parts), rows_before, gaps, gap


def _row_values(row: ElementTree.Element, strings: _SharedStrings) -> list[RawValue]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    values: list[RawValue] = []
    for cell in row.iter(f"{{{_MAIN}}}c"):
        letters, _ = coordinate_from_string(cell.get("r", ""))
        position = column_index_from_string(letters) - 1
        values.extend([None] * (position + 1 - len(values)))
        values[position] = clean_cell(_cell_value(cell, strings))
    return values


def _cell_value(cell: ElementTree.Element, strings: _SharedStrings) -> object:
    """Near enough what the reader gives, for finding the header: text as text."""
    kind = cell.get("t", "n")
    value = cell.findtext(f"{{{_MAIN}}}v")
    if kind == "inlineStr":
        item = cell.find(f"{{{_MAIN}}}is")
        return None if item is None else _text(item)
    if value is None:
        return None
    if kind == "s":
        return strings.text(int(value))
    if kind in ("str", "e"):
        return value
    if kind == "b":
        return value == "1"
    return float(value)


class _Judge:
    """Which (style, number) date cells calamine gives as a day outside the period."""

    def __init__(
        self,
        package: _Package,
        part: str,
        sheets: Sequence[tuple[str, str, str]],
        strings_part: str | None,
        wanted_date: DateFilter,
    ) -> None:
        self._package = package
        self._part = part
        self._sheets = sheets
        self._strings_part = strings_part
        self._wanted_date = wanted_date

    def outside(self, cells: set[bytes]) -> set[bytes] | None:
        """Those of `cells` (_NUMBER_CELL's keys) outside the period; None
        when a style of the workbook reads as something the judgement does not take."""
        asked = sorted(cells)
        styles = self._styles()
        if styles is None:
            return None
        # Row 1 holds a number under each style, so a duration style shows;
        # row i + 2 holds asked[i].
        probe = b'<c r="%s1" s="%d"><v>1</v></c>'
        probes = b"".join(probe % (_column_letter(s), s) for s in styles)
        rows = [b'<row r="1">%s</row>' % probes]
        for i, key in enumerate(asked, start=2):
            rows.append(b'<row r="%d"><c r="A%d"%s</v></c></row>' % (i, i, key))
        xml = b'<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (
            _MAIN.encode(),
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
