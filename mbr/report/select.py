"""Which entries go into the report, which stay out, and why.

Nothing is lost silently: every entry in the period (or with an unknown
date) is either included or excluded with the errors that excluded it, and
`Accounting` adds it all up in one line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Protocol

from mbr.dates import Period
from mbr.model import Diagnostic, Entry, Severity


class CollectedLike(Protocol):
    """What the report needs from mbr.pipeline.Collected (kept structural so the
    report does not depend on how sources are read)."""

    @property
    def read(self) -> int: ...

    @property
    def in_period(self) -> Sequence[Entry]: ...

    @property
    def diagnostics(self) -> Sequence[Diagnostic]: ...

    @property
    def period(self) -> Period | None: ...


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    location: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "location": self.location}


@dataclass(frozen=True)
class Rejected:
    """An entry in the period that was left out of the report, with its errors."""

    entry_id: str
    location: str
    author: str
    team: str
    category: str
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(reason.code for reason in self.reasons))

    def as_dict(self) -> dict[str, object]:
        return {
            "entry_id": self.entry_id,
            "location": self.location,
            "author": self.author,
            "team": self.team,
            "category": self.category,
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


@dataclass(frozen=True)
class Accounting:
    """read N · in period M · included I · excluded X, with I + X = M."""

    read: int
    in_period: int
    included: int
    excluded: int

    @property
    def line(self) -> str:
        return (
            f"read {self.read} · in period {self.in_period} · "
            f"included {self.included} · excluded {self.excluded}"
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "in_period": self.in_period,
            "included": self.included,
            "excluded": self.excluded,
        }


@dataclass(frozen=True)
class Selection:
    included: list[Entry]  # read order
    excluded: list[Rejected]  # read order
    # Every diagnostic of every included entry (all severities): a draft shows
    # them as comments.
    problems_by_entry: dict[str, list[Diagnostic]]
    accounting: Accounting


def select_entries(collected: CollectedLike, *, draft: bool = False) -> Selection:
    """Split the period's entries into included and excluded.

    An entry with an error-severity diagnostic is excluded, unless `draft`,
    where every entry is included and its problems travel with it.
    """
    by_entry: dict[str, list[Diagnostic]] = {}
    for diagnostic in collected.diagnostics:
        entry_id = diagnostic.entry_id
        if entry_id is not None:
            found = by_entry.get(entry_id)
            if found is None:
                by_entry[entry_id] = [diagnostic]
            else:
                found.append(diagnostic)
    included: list[Entry] = []
    excluded: list[Rejected] = []
    error = Severity.ERROR
    for entry in sorted(collected.in_period, key=attrgetter("seq")):
        found = by_entry.get(entry.id)
        if found and not draft:
            errors = [d for d in found if d.severity is error]
            if errors:
                excluded.append(_rejected(entry, errors))
                continue
        included.append(entry)
    accounting = Accounting(
        read=collected.read,
        in_period=len(collected.in_period),
        included=len(included),
        excluded=len(excluded),
    )
    problems = {e.id: by_entry[e.id] for e in included if e.id in by_entry}
    return Selection(included, excluded, problems, accounting)


def _rejected(entry: Entry, errors: Sequence[Diagnostic]) -> Rejected:
    return Rejected(
        entry_id=entry.id,
        location=str(entry.origin),
        author=entry.author,
        team=entry.team,
        category=entry.category,
        reasons=tuple(Reason(d.code, d.message, str(d.location)) for d in errors),
    )


def rejects_json(rejected: Sequence[Rejected]) -> str:
    """The `--rejects FILE` document: a JSON list, one object per excluded entry."""
    return json.dumps([r.as_dict() for r in rejected], indent=2, ensure_ascii=False) + "\n"
