"""read_sources: every SOURCE argument -> records and diagnostics, in read order.

Read order is sources in argument order, files of a directory sorted, rows
top to bottom. A file that cannot be read is one MBR000 and the rest are
still read; a file that yields no entries gets MBR010.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mbr.config import Limits
from mbr.gcpause import without_cycle_collection
from mbr.intake.base import (
    SUPPORTED_FORMATS,
    SUPPORTED_SUFFIXES,
    FileRead,
    OutOfPeriod,
    unreadable,
    unreadable_file,
)
from mbr.intake.outside import DateFilter
from mbr.intake.walk import check_sources_exist, walk_source
from mbr.model import Diagnostic, Location, Record
from mbr.rules.registry import diagnostic

_SUFFIX_LIST = ", ".join(SUPPORTED_SUFFIXES[:-1]) + " or " + SUPPORTED_SUFFIXES[-1]
_ACCESS_HELP = "check that you can read it (its permissions), or leave it out"


@dataclass(frozen=True)
class IntakeResult:
    # In read order; with a `wanted_date`, a row dated outside is an OutOfPeriod.
    records: list[Record | OutOfPeriod]
    diagnostics: list[Diagnostic]
    files: list[Path]  # every file actually opened, in read order (for manifests/hashes)


@without_cycle_collection()
def read_sources(
    sources: Sequence[str],
    *,
    sheet: str | None = None,
    limits: Limits | None = None,
    wanted_date: DateFilter | None = None,
) -> IntakeResult:
    """Read every SOURCE (a file or a directory); `sheet` picks a workbook's sheet.

    `limits` bounds file size, entries per file and characters per value.
    A spreadsheet or CSV row whose date `wanted_date` refuses is an
    OutOfPeriod (build_entries only counts it and reserves its id).

    Raises UsageError when a SOURCE does not exist; every other problem is a
    diagnostic.
    """
    check_sources_exist(list(sources))
    limits = limits or Limits()
    records: list[Record | OutOfPeriod] = []
    diagnostics: list[Diagnostic] = []
    files: list[Path] = []
    for source in sources:
        walk = walk_source(source)
        for shown, reason in walk.unlisted:
            diagnostics.append(
                unreadable(Location(shown), f"cannot list the directory: {reason}", _ACCESS_HELP)
            )
        if walk.is_directory and not walk.files and not walk.unlisted:
            diagnostics.append(
                diagnostic(
                    "MBR010",
                    f"no {_SUFFIX_LIST} files in this directory",
                    Location(source),
                    help="put entry files in it, or point at the directory that holds them",
                )
            )
        for shown, target in walk.dangling:
            diagnostics.append(
                unreadable(
                    Location(shown),
                    f"a symbolic link to {target}, which does not exist",
                    "restore the file it points at, or delete the link",
                )
            )
        for path, shown in walk.files:
            read = _read_file(path, shown, _Reading(sheet, limits, wanted_date), files)
            records += read.records
            diagnostics += read.diagnostics
    return IntakeResult(records, diagnostics, files)


@dataclass(frozen=True)
class _Reading:
    sheet: str | None
    limits: Limits
    wanted_date: DateFilter | None


def _read_file(path: Path, shown: str, reading: _Reading, opened: list[Path]) -> FileRead:
    limits = reading.limits
    suffix = os.path.splitext(shown)[1].lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return unreadable_file(
            Location(shown),
            f"unsupported file type {suffix or '(no extension)'!r}",
            f"mbr reads {SUPPORTED_FORMATS}; save the file in one of them",
        )
    try:
        kind = _special_kind(path)
        if kind is not None:
            # Reading a named pipe would wait for a writer forever.
            return unreadable_file(
                Location(shown),
                f"not a regular file: it is {kind}",
                "pass the file that holds the entries",
            )
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return unreadable_file(
                Location(shown),
                f"not read: the file is {size / (1 << 20):,.1f} MB; "
                f"the limit is {limits.max_file_mb} MB",
                "split the log (one file per year, say), or raise `max_file_mb` under "
                "[limits] in mbr.toml",
            )
        data = path.read_bytes()
    except OSError as error:
        return unreadable_file(
            Location(shown),
            f"cannot open the file: {error.strerror or error}",
            _ACCESS_HELP,
        )
    opened.append(path)
    read = _parse(data, shown, suffix, reading)
    if not read.records and not read.failed:
        where = f'sheet "{read.sheet}"' if read.sheet is not None else "this file"
        read.diagnostics.append(
            diagnostic("MBR010", f"no entries in {where}", Location(shown, sheet=read.sheet))
        )
    return read


def _special_kind(path: Path) -> str | None:
    mode = path.stat().st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


# Sheet XML deflates 5-20 times; a part that claims to expand over 100 times
# into tens of megabytes was built to make the reader work for minutes (a zip
# bomb). Small parts (styles, shared strings of a short sheet) may compress
# better, so only parts over the size below are judged.
_MAX_EXPANSION = 100
_JUDGED_FROM = 16 << 20
_MAX_EXPANDED = 2 << 30  # all parts together, whatever their ratio


def _zip_bomb(data: bytes) -> tuple[str, str] | None:
    """(message, help) when a workbook's parts expand far beyond any real workbook's."""
    import io
    import zipfile  # here, like the readers: a YAML-only run need not import it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None  # not a readable zip: the workbook reader says so
    help = "if it is a real workbook, open it in Excel, delete the unused rows and save it again"
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _JUDGED_FROM and ratio > _MAX_EXPANSION:
            return (
                f"not read: its part {part.filename} expands from {_size(part.compress_size)} "
                f"to {_size(part.file_size)} ({ratio:,.0f} times), which no real workbook does",
                help,
            )
    total = sum(part.file_size for part in parts)
    if total > _MAX_EXPANDED:
        return f"not read: it expands to {_size(total)}, too large for a workbook of entries", help
    return None


def _size(count: int) -> str:
    if count < 1 << 20:
        return f"{count / 1024:,.0f} KB"
    return f"{count / (1 << 20):,.0f} MB"


def _parse(data: bytes, shown: str, suffix: str, reading: _Reading) -> FileRead:
    limits = reading.limits
    # Each format's module (and its library) is imported only when a file
    # needs it: `mbr check one.yaml` must not pay for openpyxl.
    if suffix in (".xlsx", ".xlsm"):
        from mbr.intake.xlsx import read_xlsx

        bomb = _zip_bomb(data)
        if bomb is not None:
            return unreadable_file(Location(shown), *bomb)
        return read_xlsx(
            data, shown, sheet=reading.sheet, limits=limits, wanted_date=reading.wanted_date
        )
    if suffix == ".csv":
        from mbr.intake.delimited import read_csv

        return read_csv(data, shown, limits=limits, wanted_date=reading.wanted_date)
    from mbr.intake.yamlfile import read_yaml

    return read_yaml(data, shown, limits=limits)
