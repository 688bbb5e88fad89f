"""Per-row location maps that make their Location objects on demand.

A 100,000-row sheet with a dozen columns would otherwise hold over a
million Location objects for the few that a diagnostic ever points at.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from mbr.model import Location


class CellLocations(Mapping[str, Location]):
    """Field/extra key -> the cell holding it, in one spreadsheet row."""

    __slots__ = ("_letters", "_row", "_sheet", "_source")

    def __init__(self, source: str, sheet: str, row: int, letters: Mapping[str, str]) -> None:
        self._source = source
        self._sheet = sheet
        self._row = row
        self._letters = letters  # key -> column letter, shared by every row

    def __getitem__(self, key: str) -> Location:
        letter = self._letters[key]
        return Location(self._source, sheet=self._sheet, cell=f"{letter}{self._row}", row=self._row)

    def __iter__(self) -> Iterator[str]:
        return iter(self._letters)

    def __len__(self) -> int:
        return len(self._letters)

    def __repr__(self) -> str:
        return f"CellLocations({self._source!r}, {self._sheet!r}, row={self._row})"


class LineLocations(Mapping[str, Location]):
    """Every key -> the same line: a CSV record's fields all point at its first line."""

    __slots__ = ("_keys", "_location")

    def __init__(self, location: Location, keys: Mapping[str, object]) -> None:
        self._location = location
        self._keys = keys  # shared by every row; only membership and order are used

    def __getitem__(self, key: str) -> Location:
        if key not in self._keys:
            raise KeyError(key)
        return self._location

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"LineLocations({self._location})"
