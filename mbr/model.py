"""The values that flow through mbr: records as read, entries, diagnostics.

Data flows one way: sources -> records -> entries -> diagnostics -> report.
Everything here is a frozen dataclass so no stage can change what an earlier
stage produced.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

# A raw cell/YAML value before interpretation. Spreadsheets give dates,
# numbers and booleans; YAML readers are told to give strings and dates only.
RawValue = str | int | float | bool | dt.date | dt.datetime | None


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


_NEEDS_QUOTES = re.compile(r"[^A-Za-z0-9_.]")


# A log has a sheet or two, and every diagnostic's location names one: each
# name is quoted once, not once per message.
@lru_cache(maxsize=256)
def quote_sheet(name: str) -> str:
    """Quote a sheet name the way Excel does in a reference ('Field Log'!H7)."""
    if _NEEDS_QUOTES.search(name) or name[:1].isdigit():
        return "'" + name.replace("'", "''") + "'"
    return name


@dataclass(frozen=True, slots=True)
class Location:
    """Where a person goes to fix something.

    `source` is the path as the user gave it (joined with the path below a
    directory argument). Spreadsheet locations have sheet/cell/row, text
    formats have line (and column for YAML).
    """

    source: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            sheet = f"{self.source}:{quote_sheet(self.sheet)}"
            if self.cell is not None:
                return f"{sheet}!{self.cell}"
            # A whole row reads as Excel writes it: Entries!7:7.
            return f"{sheet}!{self.row}:{self.row}" if self.row else sheet
        if self.line is not None:
            if self.column is not None:
                return f"{self.source}:{self.line}:{self.column}"
            return f"{self.source}:{self.line}"
        return self.source

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "line": self.line,
            "column": self.column,
        }


@dataclass(frozen=True, slots=True)
class Record:
    """One spreadsheet row or YAML mapping as read, before any validation.

    `fields` maps canonical field names (see mbr.fields) to raw values;
    `extra` holds columns/keys that are not fields, as text. `locations`
    maps each present field (and each extra key) to where it was read;
    `origin` is the row / mapping itself.
    """

    source: str
    origin: Location
    fields: Mapping[str, RawValue]
    locations: Mapping[str, Location]
    extra: Mapping[str, str] = field(default_factory=dict)

    def location_of(self, name: str) -> Location:
        return self.locations.get(name, self.origin)


@dataclass(frozen=True, slots=True)
class Entry:
    """One contribution to the report: a single-paragraph summary and its facts.

    Text fields are trimmed strings ("" when absent). `category` is the
    configured category key when it matched one, otherwise the text as
    written. `date` is None when it was missing or could not be parsed.
    """

    id: str
    date: dt.date | None
    author: str
    team: str
    category: str
    summary: str
    source: str
    origin: Location
    locations: Mapping[str, Location]
    customer: str = ""
    headline: str = ""
    service: str = ""
    metric: str = ""
    link: str = ""
    tags: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)
    # Position in read order (sources in argument order, files sorted, rows
    # top to bottom); the tie-breaker for "earlier entry".
    seq: int = 0

    def location_of(self, name: str) -> Location:
        return self.locations.get(name, self.origin)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found in the input, with where it is and how to fix it."""

    code: str
    name: str
    severity: Severity
    message: str
    help: str
    location: Location
    entry_id: str | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "help": self.help,
            "entry_id": self.entry_id,
            "field": self.field,
            "location": self.location.as_dict(),
        }
