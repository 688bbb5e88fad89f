"""Finding the header row of a sheet or CSV file, and turning rows into records.

The header row is the first row (within the first 20) that names at least
two fields, so title rows above it are skipped. Columns are matched to
fields through their aliases; the first column of a field wins and any
later one is kept as extra data, as are columns that name no field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from mbr.fields import REQUIRED_FIELDS, field_for_header, looks_like_field_typo
from mbr.intake.base import too_long_value
from mbr.intake.values import cell_text, clean_text
from mbr.model import Diagnostic, Location, RawValue, Record

HEADER_SEARCH_ROWS = 20
_MIN_HEADER_FIELDS = 2
_LISTED_COLUMNS = 12
# Columns (or YAML keys) looked at for a misspelt field name: each look is a fuzzy match
# against every alias, and a sheet can have 16,384 columns (a CSV any number);
# a typo of a field sits among the first columns of any real sheet.
TYPO_CHECKED_COLUMNS = 100


@dataclass(frozen=True)
class Column:
    position: int  # 0-based index of the cell in its row
    header: str  # as written, trimmed
    key: str  # canonical field name, or the key under `extra`
    is_field: bool


@dataclass(frozen=True)
class Header:
    row_index: int  # 0-based index among the rows searched
    columns: tuple[Column, ...]
    # Extra columns that look like a misspelt field, with the alias they resemble.
    typos: tuple[tuple[Column, str], ...]

    def field_positions(self) -> dict[str, int]:
        """Field name -> the 0-based position of its column."""
        return {c.key: c.position for c in self.columns if c.is_field}


def header_text(value: RawValue) -> str:
    text = clean_text(cell_text(value)) if value is not None else None
    return text or ""


def _named_fields(cells: Sequence[RawValue]) -> set[str]:
    names = (field_for_header(header_text(cell)) for cell in cells if cell is not None)
    return {name for name in names if name is not None}


def find_header(rows: Sequence[Sequence[RawValue]]) -> Header | None:
    """The first of `rows` that names at least two fields, mapped to columns."""
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if len(_named_fields(cells)) >= _MIN_HEADER_FIELDS:
            return _map_columns(index, cells)
    return None


def _map_columns(row_index: int, cells: Sequence[RawValue]) -> Header:
    columns: list[Column] = []
    typos: list[tuple[Column, str]] = []
    used: set[str] = set()
    for position, cell in enumerate(cells):
        header = header_text(cell)
        if not header:
            continue  # a column without a header cannot be named, so it is not read
        name = field_for_header(header)
        if name is not None and name not in used:
            column = Column(position, header, name, is_field=True)
        else:
            column = Column(position, header, unique_key(header, used), is_field=False)
            checked = name is None and position < TYPO_CHECKED_COLUMNS
            alias = looks_like_field_typo(header) if checked else None
            if alias is not None:
                typos.append((column, alias))
        used.add(column.key)
        columns.append(column)
    return Header(row_index, tuple(columns), tuple(typos))


def unique_key(header: str, used: set[str]) -> str:
    """`header`, or "header (2)", "header (3)"... when a key by that name is taken."""
    if header not in used:
        return header
    number = 2
    while f"{header} ({number})" in used:
        number += 1
    return f"{header} ({number})"


def typo_message(kind: str, header: str, alias: str) -> str:
    """MBR008's message: `column "Sumary" is not a field; did you mean "summary"?`."""
    return f'{kind} "{header}" is not a field; did you mean "{alias}"?'


def missing_header_problem(rows: Sequence[Sequence[RawValue]], where: str) -> tuple[str, str]:
    """MBR000's message and help when no header row is found among `rows`."""
    first = next((cells for cells in rows if any(c is not None for c in cells)), ())
    found = [header_text(cell) for cell in first if cell is not None]
    listed = ", ".join(found[:_LISTED_COLUMNS]) + (", …" if len(found) > _LISTED_COLUMNS else "")
    message = (
        f"no header row in the first {HEADER_SEARCH_ROWS} rows of {where} "
        f"(a header row names at least {_MIN_HEADER_FIELDS} fields); "
        + (f"found columns: {listed}" if found else "found no text at all")
    )
    help = "add a header row with the columns " + ", ".join(REQUIRED_FIELDS)
    hints = [
        f'"{text}" -> "{alias}"'
        for text in found[:TYPO_CHECKED_COLUMNS]
        if field_for_header(text) is None and (alias := looks_like_field_typo(text))
    ]
    if hints:
        help += "; rename " + ", ".join(hints)
    return message, help


Clean = Callable[[object], RawValue]


# Fields whose few distinct values repeat down a sheet (authors, teams,
# categories); sharing one str per distinct value keeps 100,000 rows lean.
_REPEATING_FIELDS = frozenset({"date", "author", "team", "category", "customer", "service", "tags"})


class RowReader:
    """Turns the rows below a header into Records, one per row with any field filled.

    A row whose field columns are all empty is skipped even when a helper
    column (a live word count, say) holds a value: a person sees an empty row.
    """

    def __init__(
        self,
        source: str,
        header: Header,
        clean: Clean,
        *,
        max_chars: int,
    ) -> None:
        self._source = source
        self._max_chars = max_chars
        # Values over the limit: the entry is dropped and reported here (MBR000).
        self.problems: list[Diagnostic] = []
        self._fields = [
            (c.position, c.key, c.key in _REPEATING_FIELDS) for c in header.columns if c.is_field
        ]
        self._extras = [(c.position, c.key) for c in header.columns if not c.is_field]
        self._clean = clean
        self._shared: dict[str, str] = {}

    def read(
        self, cells: Sequence[object], origin: Location, locations: Mapping[str, Location]
    ) -> Record | None:
        width = len(cells)
        clean = self._clean
        fields: dict[str, RawValue] = {}
        filled = False
        # The hot loop of a 100,000-row read: plain one-line text (most cells)
        # is trimmed inline rather than through the general cleaning call.
        for position, key, repeating in self._fields:
            raw = cells[position] if position < width else None
            if raw is None:
                fields[key] = None
                continue
            if raw.__class__ is str and "\r" not in raw and "_x" not in raw:
                value: RawValue = raw.strip() or None
            else:
                value = clean(raw)
            if value is not None:
                filled = True
                if repeating and value.__class__ is str:
                    value = self._shared.setdefault(value, value)
            fields[key] = value
        if not filled:
            return None
        extra: dict[str, str] = {}
        for position, key in self._extras:
            raw = cells[position] if position < width else None
            extra[key] = "" if raw is None else cell_text(clean(raw))
        for key, value in (*fields.items(), *extra.items()):
            if isinstance(value, str) and len(value) > self._max_chars:
                at = locations.get(key) or origin
                self.problems.append(too_long_value(at, len(value), self._max_chars))
                return None
        return Record(self._source, origin, fields, locations, extra)
