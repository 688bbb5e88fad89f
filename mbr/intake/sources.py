"""read_sources: every SOURCE argument -> records and diagnostics, in read order.

Read order is sources in argument order, files of a directory sorted, rows
top to bottom. A file that cannot be read is one MBR000 and the rest are
still read; a file that yields no entries gets MBR010.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mbr.intake.base import (
    SUPPORTED_FORMATS,
    SUPPORTED_SUFFIXES,
    FileRead,
    unreadable,
    unreadable_file,
)
from mbr.intake.walk import check_sources_exist, walk_source
from mbr.model import Diagnostic, Location, Record
from mbr.rules.registry import diagnostic

_SUFFIX_LIST = ", ".join(SUPPORTED_SUFFIXES[:-1]) + " or " + SUPPORTED_SUFFIXES[-1]
_ACCESS_HELP = "check that you can read it (its permissions), or leave it out"


@dataclass(frozen=True)
class IntakeResult:
    records: list[Record]
    diagnostics: list[Diagnostic]
    files: list[Path]  # every file actually opened, in read order (for manifests/hashes)


def read_sources(sources: Sequence[str], *, sheet: str | None = None) -> IntakeResult:
    """Read every SOURCE (a file or a directory); `sheet` picks a workbook's sheet.

    Raises UsageError when a SOURCE does not exist; every other problem is a
    diagnostic.
    """
    check_sources_exist(list(sources))
    records: list[Record] = []
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
        for path, shown in walk.files:
            read = _read_file(path, shown, sheet, files)
            records += read.records
            diagnostics += read.diagnostics
    return IntakeResult(records, diagnostics, files)


def _read_file(path: Path, shown: str, sheet: str | None, opened: list[Path]) -> FileRead:
    suffix = os.path.splitext(shown)[1].lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return unreadable_file(
            Location(shown),
            f"unsupported file type {suffix or '(no extension)'!r}",
            f"mbr reads {SUPPORTED_FORMATS}; save the file in one of them",
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        return unreadable_file(
            Location(shown),
            f"cannot open the file: {error.strerror or error}",
            _ACCESS_HELP,
        )
    opened.append(path)
    read = _parse(data, shown, suffix, sheet)
    if not read.records and not read.failed:
        where = f'sheet "{read.sheet}"' if read.sheet is not None else "this file"
        read.diagnostics.append(
            diagnostic("MBR010", f"no entries in {where}", Location(shown, sheet=read.sheet))
        )
    return read


def _parse(data: bytes, shown: str, suffix: str, sheet: str | None) -> FileRead:
    # Each format's module (and its library) is imported only when a file
    # needs it: `mbr check one.yaml` must not pay for openpyxl.
    if suffix in (".xlsx", ".xlsm"):
        from mbr.intake.xlsx import read_xlsx

        return read_xlsx(data, shown, sheet=sheet)
    if suffix == ".csv":
        from mbr.intake.delimited import read_csv

        return read_csv(data, shown)
    from mbr.intake.yamlfile import read_yaml

    return read_yaml(data, shown)
