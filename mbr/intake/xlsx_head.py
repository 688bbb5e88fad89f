"""Where a sheet's dates and written ids are, from its header, for cutting
it to a period (mbr.intake.xlsx_period).

Both processes that cut a large sheet find them for themselves: mbr's
second process from the start of the sheet and of the shared strings alone,
inflated only as far as the head rows need.
"""

from __future__ import annotations

from dataclasses import dataclass

from mbr.intake.headers import HEADER_SEARCH_ROWS, find_header
from mbr.intake.xlsx_package import Package, column_letter
from mbr.intake.xlsx_rows import SharedStrings, SheetRows

# The start of the sheet (and of the shared strings) looked at for the head
# rows: this much, then 4 times more, up to the whole.
_HEAD_BYTES = 64 << 10


@dataclass(frozen=True)
class Columns:
    """Where the header puts the dates and written ids."""

    date_position: int  # 0-based
    id_position: int | None
    head_until: int  # rows numbered up to this are those the header is searched in

    @property
    def date(self) -> bytes:
        return column_letter(self.date_position)

    @property
    def written_id(self) -> bytes | None:
        return None if self.id_position is None else column_letter(self.id_position)


def columns_of(rows: SheetRows, strings: SharedStrings) -> Columns | None:
    """The columns the header in `rows` names; None without a header or a date column."""
    header = find_header(rows.head_values(strings))
    if header is None:
        return None
    positions = header.field_positions()
    date_position = positions.get("date")
    if date_position is None:
        return None
    return Columns(date_position, positions.get("id"), rows.numbers[0] + HEADER_SEARCH_ROWS)


def head_rows(xml: bytes) -> SheetRows | None:
    """The head rows of a sheet's XML, split out of as little of its start as holds them."""
    size = _HEAD_BYTES
    while True:
        whole = size >= len(xml)
        rows = SheetRows.of(xml[:size], "sheet" if whole else "anywhere")
        if whole or (rows is not None and rows.head_is_whole()):
            return rows
        size *= 4


def head_strings(package: Package, part: str | None, rows: SheetRows) -> SharedStrings | None:
    """The shared strings the head `rows` use, inflated only as far as they go."""
    if part is None:
        return SharedStrings(None, [b""])
    head = rows.head_xml()
    size = _HEAD_BYTES
    while True:
        table = package.prefix(part, size)
        if table is None:
            return None
        whole = len(table) < size
        strings = SharedStrings.head_of(part, table, whole, head)
        if strings is not None or whole:
            return strings
        size *= 4
