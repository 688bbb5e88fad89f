"""What every format reader returns, and the MBR000 diagnostic they share."""

from __future__ import annotations

from dataclasses import dataclass, field

from mbr.intake.values import UndecodableText
from mbr.model import Diagnostic, Location, RawValue, Record
from mbr.rules.registry import diagnostic

SUPPORTED_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm", ".csv", ".yaml", ".yml")
SUPPORTED_FORMATS = "Excel workbooks (.xlsx, .xlsm), CSV (.csv) and YAML (.yaml, .yml)"
RESAVE_HELP = "open it in its application and save it again as .xlsx, .csv or .yaml"


@dataclass(frozen=True, slots=True)
class OutOfPeriod:
    """A row dated outside the period being built, read no further.

    build_entries only counts it (its `seq` stays taken) and reserves its
    written id, so a later entry repeating that id gets the "-2" it gets in
    a build of every entry.
    """

    written_id: RawValue = None  # the id cell, cleaned; None when there is none

    def __reduce__(self) -> tuple[object, tuple[RawValue, ...]]:
        # Pickled by mbr's second process (a CSV file's second half): tens of
        # thousands of rows without an id come back as the one WITHOUT_ID.
        if self.written_id is None:
            return (_without_id, ())
        return (OutOfPeriod, (self.written_id,))


# Most rows have no written id: they all share this one.
WITHOUT_ID = OutOfPeriod()


def _without_id() -> OutOfPeriod:
    return WITHOUT_ID


@dataclass
class FileRead:
    """The records one file yielded and the problems found while reading it."""

    # Rows dated outside a requested period are OutOfPeriod (see mbr.intake.outside).
    records: list[Record | OutOfPeriod] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sheet: str | None = None  # the worksheet read, for spreadsheets

    @property
    def failed(self) -> bool:
        """True when the file, or an entry in it, could not be used at all."""
        return any(d.code in ("MBR000", "MBR009") for d in self.diagnostics)


def unreadable(location: Location, message: str, help: str = RESAVE_HELP) -> Diagnostic:
    """MBR000: the file (or one node of it) cannot be read."""
    return diagnostic("MBR000", message, location, help=help)


def too_many_entries(location: Location, limit: int) -> Diagnostic:
    """MBR000: a file holds more entries than `limits.max_rows` allows."""
    return unreadable(
        location,
        f"not read: the file holds more than {limit:,} entries, the limit",
        "split the log (one file per year, say), or raise `max_rows` under [limits] in mbr.toml",
    )


def too_long_value(location: Location, length: int, limit: int) -> Diagnostic:
    """MBR000: one value is longer than `limits.max_cell_chars`; its entry is not used."""
    return unreadable(
        location,
        f"the value has {length:,} characters; the limit is {limit:,}, so the entry is not used",
        "shorten it (a summary is one paragraph), or raise `max_cell_chars` under [limits]",
    )


def unreadable_file(location: Location, message: str, help: str = RESAVE_HELP) -> FileRead:
    return FileRead(diagnostics=[unreadable(location, message, help)])


def undecodable_file(source: str, error: UndecodableText, help: str) -> FileRead:
    """MBR000 for a text file whose bytes are not text, at the line they are on."""
    return unreadable_file(
        Location(source, line=error.line), f"cannot be read as text: {error.reason}", help
    )
