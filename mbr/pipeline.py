"""sources -> records -> entries -> diagnostics: the part every command shares."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mbr import idle
from mbr.config import Config
from mbr.dates import Period
from mbr.entries import build_entries, dated_in
from mbr.errors import InputError, UsageError
from mbr.gcpause import without_cycle_collection
from mbr.intake import read_sources
from mbr.model import Diagnostic, Entry, Severity
from mbr.rules.engine import apply_policy, check_entries
from mbr.rules.registry import BUILTIN_RULE_MODULES
from mbr.spare import worker_started_early


@dataclass(frozen=True)
class Collected:
    """Everything read and found, before any report is built."""

    read: int  # records read from the sources, in the period or not
    in_period: list[Entry]  # entries in the period, and entries whose date is unknown
    diagnostics: list[Diagnostic]  # for in_period entries and for the sources themselves
    files: list[Path]  # every file read, for manifests
    period: Period | None
    # Only diagnostics of error severity were looked for (collect's errors_only).
    errors_only: bool = False

    @property
    def out_of_period(self) -> int:
        return self.read - len(self.in_period)

    def errors_by_entry(self) -> dict[str, list[Diagnostic]]:
        found: dict[str, list[Diagnostic]] = {}
        for diagnostic in self.diagnostics:
            if diagnostic.entry_id is not None and diagnostic.severity is Severity.ERROR:
                found.setdefault(diagnostic.entry_id, []).append(diagnostic)
        return found

    @property
    def unreadable(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.code == "MBR000"]


def resolve_sources(sources: Sequence[str], config: Config) -> list[str]:
    """The SOURCE arguments, or the config's `sources` when none were given."""
    if sources:
        return list(sources)
    if not config.sources:
        raise UsageError(
            "no SOURCE given and the config lists no `sources`",
            hint="pass a file or directory, e.g. `mbr check intake.xlsx`, "
            'or set sources = ["entries"] in mbr.toml',
        )
    return [_display_path(path) for path in config.sources]


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def collect(
    sources: Sequence[str],
    config: Config,
    *,
    today: dt.date,
    period: Period | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    errors_only: bool = False,
) -> Collected:
    """Read every source, build entries and check them.

    `errors_only`: the rules run only where their severity is error, and
    only error diagnostics are kept; a compile without --draft shows no
    other, and the warnings' rules (MBR006's join among them) are most of
    a large log's checking.

    Raises UsageError when a SOURCE does not exist and InputError when no
    source yields any entry (both exit 2).
    """
    paths = resolve_sources(sources, config)
    # The rule catalogue, compiled patterns and all: imported while a large
    # source's reading waits, if it does (mbr.idle), else where first used.
    idle.import_later(*BUILTIN_RULE_MODULES)
    # Paused across the stages too (each pauses it for itself): resumed in
    # between, the collector would walk everything the stage before made.
    with worker_started_early(_large(paths)), without_cycle_collection():
        return _collect(paths, config, today, period, select, ignore, errors_only)


# Sources this large hold thousands of entries, whose reading and rules take
# a second process (mbr.spare): it is started before they are read.
_LARGE_BYTES = 1 << 20


def _large(paths: Sequence[str]) -> bool:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):  # a missing file is read_sources' to report
            if os.path.isfile(path):
                total += os.path.getsize(path)
    return total >= _LARGE_BYTES


def _collect(
    paths: Sequence[str],
    config: Config,
    today: dt.date,
    period: Period | None,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    errors_only: bool,
) -> Collected:
    intake = read_sources(
        paths,
        sheet=config.sheet,
        limits=config.limits,
        wanted_date=None if period is None else dated_in(period, config),
    )
    # Entries are built for the period (and unknown dates) only: the other
    # years of a multi-year log are read, counted and nothing more.
    in_period, entry_diagnostics = build_entries(intake.records, config, today=today, period=period)
    read, source_diagnostics, files = len(intake.records), intake.diagnostics, intake.files
    # The records are not needed past this point; a 100,000-row log's are
    # ~100 MB that the rules and the report would otherwise sit on top of.
    del intake
    if not read and not any(d.code == "MBR000" for d in source_diagnostics):
        found = "".join(f"\n  {d.location}: {d.code} {d.message}" for d in source_diagnostics)
        raise InputError(
            f"no entries found in any source{found}",
            hint="check that the files hold a header row and at least one filled row",
        )
    diagnostics = [
        *apply_policy(
            [*source_diagnostics, *entry_diagnostics],
            config,
            categories_by_entry={e.id: e.category for e in in_period},
            select=select,
            ignore=ignore,
            errors_only=errors_only,
        ),
        # Text and collection rules run on the period's entries only: one month
        # out of a multi-year log must not pay for the other years.
        *check_entries(in_period, config, select=select, ignore=ignore, errors_only=errors_only),
    ]
    return Collected(read, in_period, diagnostics, files, period, errors_only)
