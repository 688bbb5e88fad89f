"""A sheet's <row> elements and shared strings as XML text, for cutting a
sheet to a period (mbr.intake.xlsx_period).

The rows are split apart with one regular expression and searched, never
parsed one by one: a match object a row would cost more than the search.
One `SheetRows` may be the whole sheet or a run of its rows (the part mbr's
second process cuts, or the head of the sheet); what it finds to keep and
leave out is a `RowsFound`, which pickles.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from xml.etree import ElementTree

from mbr.intake.values import clean_cell
from mbr.intake.xlsx_package import MAIN
from mbr.model import RawValue

if TYPE_CHECKING:
    from mbr.intake.xlsx_package import Judge

ROW_SPLIT = re.compile(rb'<row\b(?: r="(\d+)")?')
_ROW = b"<row "
_ROW_NUMBER = b'<row r="'
# A number cell of one column: <c r="A7" s="1"><v>45352</v></c>, the
# attributes in the order Excel, LibreOffice and openpyxl write them; the
# second group (style and value) is the key calamine is asked about (Judge).
_NUMBER_CELL = rb'<c r="%s(\d+)"((?: s="\d+")?(?: t="n")?><v>[0-9.]+)</v></c>'
_CELL_ROW = re.compile(rb'(<c r="[A-Z]+)\d+"')
# A cell holding something (not <c r="K7"/> or <c r="K7" t="inlineStr"></c>).
_FILLED_CELL = rb'<c r="%s(\d+)"(?:[^>]*[^/])?><(?!/c>)'
_NUMBER_WITH_EXPONENT = re.compile(rb"<v>[-+]?[0-9.]*[Ee]")
# A shared-string cell, split around its index: split() gives [text, cell
# up to the index, index, text, ...], the indexes in every third place.
_SHARED_STRING_CELL = re.compile(rb'(<c r="[A-Z]+\d+"(?: s="\d+")? t="s"><v>)(\d+)(?=</v>)')
_SI = b"<si>"
_SI_OPEN = f'<si xmlns="{MAIN}">'.encode()
# The table's counts, dropped from a table cut to the strings a month uses
# (both are optional; no reader relies on them).
_STRING_COUNTS = re.compile(rb'\s(?:count|uniqueCount)="\d*"')

# Where a run of rows ends: with the sheet's </sheetData>, with a whole row
# (the XML was split at a row's start), or anywhere (a prefix of the sheet,
# whose last row may be cut short and is dropped).
Ending = Literal["sheet", "row", "anywhere"]


@dataclass(frozen=True)
class RowsFound:
    """What a run of rows keeps and leaves out."""

    before: bytes  # the XML before its first row
    after: bytes  # the XML from </sheetData> on (b"" unless the run ends the sheet)
    numbers: list[int]  # each row's r
    left_out: set[int]  # the numbers of the rows left out
    head: list[bytes]  # the head rows (kept), their XML as written
    kept: list[bytes]  # each other row kept, in order: its XML after r="N"


class SheetRows:
    """A run of a sheet's <row> elements, split apart but not parsed."""

    def __init__(
        self,
        xml: bytes | memoryview,
        parts: list[bytes],
        numbers: list[int],
        after: bytes,
        head_until: int,
    ) -> None:
        self._xml = xml  # the whole run, for searches
        self.numbers = numbers  # each row's r
        self._texts = parts[1::2]  # the same as written
        self._bodies = parts[2::2]  # each row's XML after its r="..."
        # The XML before the first row, and from </sheetData> on.
        self._before, self._after = parts[0], after
        # The rows numbered up to `head_until` are those the header may be
        # in: kept as they are, never left out. The numbers rise (checked in
        # `of`): a bisection, not a pass over every row.
        self.head_count = bisect.bisect_right(numbers, head_until)

    @classmethod
    def of(
        cls, xml: bytes | memoryview, ends: Ending, head_until: int | None = None
    ) -> SheetRows | None:
        """The rows of `xml` (a memoryview of part of a sheet's XML needs no
        copy of it), or None when they cannot be cut: no rows, a
        row without its number first, rows out of order, merged cells.
        `head_until` defaults to the first row's number plus the rows the
        header is searched in (calamine may give rows from the first one used)."""
        from mbr.intake.headers import HEADER_SEARCH_ROWS

        parts = ROW_SPLIT.split(xml)
        if ends == "anywhere" and len(parts) > 3:
            del parts[-2:]  # the last row, which may be cut short
        texts = parts[1::2]
        if not texts or None in texts:
            return None
        after = b""
        if ends == "sheet":
            last = parts[-1]
            end = last.rfind(b"</sheetData>")
            if end < 0 or b"<mergeCell" in last[end:]:
                return None  # merged cells fill rows from others: the full read
            parts[-1], after = last[:end], last[end:]
        numbers = list(map(int, texts))
        if any(map(int.__ge__, numbers, numbers[1:])):
            return None
        if head_until is None:
            head_until = numbers[0] + HEADER_SEARCH_ROWS
        return cls(xml, parts, numbers, after, head_until)

    def has_exponent(self) -> bool:
        """Whether a number is written with an exponent: its text can be
        long, which the full read looks at."""
        return _NUMBER_WITH_EXPONENT.search(self._xml) is not None

    def head_is_whole(self) -> bool:
        """Whether a row past the head rows follows them (so none of them is cut short)."""
        return self.head_count < len(self.numbers)

    def head_xml(self) -> bytes:
        return b"".join(map(self._element, range(self.head_count)))

    def head_values(self, strings: SharedStrings) -> list[list[RawValue]]:
        """The head rows' values, from row 1 and column A, as the reader would clean them."""
        values: list[list[RawValue]] = []
        for index in range(self.head_count):
            number = self.numbers[index]
            values.extend([] for _ in range(number - 1 - len(values)))
            element = self._element(index).replace(_ROW, f'<row xmlns="{MAIN}" '.encode(), 1)
            values.append(_row_values(ElementTree.fromstring(element), strings))
        return values

    def found(
        self, date: bytes, written_id: bytes | None, judge: Judge, max_chars: int
    ) -> RowsFound | None:
        """The rows to leave out and those to keep, or None when the whole sheet must be read."""
        left_out = self._left_out(date, written_id, judge, max_chars)
        if left_out is None:
            return None
        head = list(map(self._element, range(self.head_count)))
        numbers = self.numbers
        kept = [
            body for number, body in zip(numbers, self._bodies, strict=True)
            if number not in left_out
        ][self.head_count :]  # fmt: skip
        return RowsFound(self._before, self._after, numbers, left_out, head, kept)

    def _left_out(
        self, date: bytes, written_id: bytes | None, judge: Judge, max_chars: int
    ) -> set[int] | None:
        bodies = self._bodies
        # (row number, the date cell's style and value), by one search of the
        # whole run: a match object a row would cost more than the search.
        dated = re.findall(_NUMBER_CELL % date, self._xml)
        outside = judge.outside({key for _, key in dated})
        if outside is None:
            return None
        left = {int(number) for number, key in dated if key in outside}
        left.difference_update(self.numbers[: self.head_count])
        if max(map(len, bodies)) > max_chars:  # the row's XML is no longer than its text
            left.difference_update(
                number for number, body in zip(self.numbers, bodies, strict=True)
                if len(body) > max_chars
            )  # fmt: skip
        if written_id is not None:
            left.difference_update(map(int, re.findall(_FILLED_CELL % written_id, self._xml)))
        return left

    def _element(self, index: int) -> bytes:
        return b'%s%s"%s' % (_ROW_NUMBER, self._texts[index], self._bodies[index])


def renumbered(body: bytes, number: int) -> bytes:
    """A row's element from its XML after r="N", numbered `number`."""
    digits = b'%d"' % number
    # A function, not a template: 3.11 parses a bytes template on every call.
    cells = _CELL_ROW.sub(lambda cell: cell[1] + digits, body)
    return b"%s%s%s" % (_ROW_NUMBER, digits, cells)


class SharedStrings:
    """The shared-string table, or its first part, split into its <si> elements."""

    def __init__(self, part: str | None, pieces: list[bytes]) -> None:
        self.part = part
        # The XML before the first <si>, each element without its "<si>",
        # the last one's followed by the rest of the table.
        self._pieces = pieces

    @classmethod
    def of(cls, part: str | None, table: bytes | None, max_chars: int) -> SharedStrings | None:
        """The whole table; None when it holds a string longer than
        `max_chars`, or is written in a way not searched for."""
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

    @classmethod
    def head_of(cls, part: str, table: bytes, whole: bool, rows: bytes) -> SharedStrings | None:
        """The first part of a table (all of it if `whole`), if it holds
        every string that the XML `rows` uses; else None."""
        used = _SHARED_STRING_CELL.split(rows)[2::3]
        if len(used) != rows.count(b't="s"'):
            return None
        pieces = table.split(_SI)
        # An element is whole when another follows it, or when the table is.
        whole_elements = len(pieces) - 1 if whole else len(pieces) - 2
        if max(map(int, used), default=-1) >= whole_elements:
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

    def kept(self, rows: bytes) -> tuple[bytes, bytes] | None:
        """`rows` with their shared-string cells renumbered, and a table of
        only the strings they use, in the order first used (None when a
        shared-string cell is written in a way not searched for).

        A month of a long log uses a few thousand of its strings: a table of
        every index, the unused ones empty, still cost the reader a step per
        string (249,000 of them in a LibreOffice-saved 100,000-row log).
        """
        # The indexes are renumbered in place, without a call per cell.
        parts = _SHARED_STRING_CELL.split(rows)
        used = parts[2::3]
        if len(used) != rows.count(b't="s"'):
            return None
        pieces = self._pieces
        tail = pieces[-1][pieces[-1].rfind(b"</sst>") :]
        # Old index -> new; first use first, so the table reads in row order.
        renumber = {old: b"%d" % new for new, old in enumerate(dict.fromkeys(used))}
        kept = [self.element(int(old)) for old in renumber]
        parts[2::3] = [renumber[old] for old in used]
        head = _STRING_COUNTS.sub(b"", pieces[0])
        return b"".join(parts), b"".join([head, *kept, tail])


def _text(item: ElementTree.Element) -> str:
    """The text of an <si> or <is>: its <t> elements, without phonetic runs."""
    parts = []
    for child in item:
        if child.tag == f"{{{MAIN}}}t":
            parts.append(child.text or "")
        elif child.tag == f"{{{MAIN}}}r":
            parts.extend(t.text or "" for t in child.iter(f"{{{MAIN}}}t"))
    return "".join(parts)


def _row_values(row: ElementTree.Element, strings: SharedStrings) -> list[RawValue]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    values: list[RawValue] = []
    for cell in row.iter(f"{{{MAIN}}}c"):
        letters, _ = coordinate_from_string(cell.get("r", ""))
        position = column_index_from_string(letters) - 1
        values.extend([None] * (position + 1 - len(values)))
        values[position] = clean_cell(_cell_value(cell, strings))
    return values


def _cell_value(cell: ElementTree.Element, strings: SharedStrings) -> object:
    """Near enough what the reader gives, for finding the header: text as text."""
    kind = cell.get("t", "n")
    value = cell.findtext(f"{{{MAIN}}}v")
    if kind == "inlineStr":
        item = cell.find(f"{{{MAIN}}}is")
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
