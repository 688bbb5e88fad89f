"""Who is expected to submit: the roster, and who has not submitted yet.

Used by `mbr missing` and by the unattended run's reminder mails. A roster
is a CSV (name, email, team; header aliases and a BOM tolerated) or the
`roster` list in the config. People are matched to entries by the entry's
author, against the member's name or email, ignoring case and spacing.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from mbr.config import Config, RosterMember
from mbr.dates import Period
from mbr.errors import ConfigError, InputError, UsageError
from mbr.fields import normalise_name
from mbr.model import Entry

__all__ = ["RosterMember", "load_roster", "missing_members", "roster_for"]

_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "member", "person", "author", "contributor", "employee"),
    "email": ("email", "e-mail", "mail", "email address", "e-mail address"),
    "team": ("team", "group", "org", "sub-team", "department"),
}
_HEADER_TO_COLUMN = {
    normalise_name(alias): column
    for column, aliases in _COLUMN_ALIASES.items()
    for alias in aliases
}

HOW_TO_CONFIGURE = (
    "pass --roster roster.csv (columns name,email,team), or set roster = \"roster.csv\" "
    "in mbr.toml, or list people there: roster = [{name = \"Ana Silva\", "
    "email = \"ana@example.com\", team = \"Enterprise East\"}]"
)


def load_roster(path: Path) -> list[RosterMember]:
    """Read a roster CSV. Raises InputError when it cannot be used, saying why."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"roster not found: {path}", hint=HOW_TO_CONFIGURE) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the roster: {exc.strerror}") from None
    text = _decode(raw)
    rows = list(csv.reader(io.StringIO(text), dialect=_dialect(text)))
    if not rows:
        raise InputError(f"{path}: the roster is empty", hint="add a header row: name,email,team")
    columns = {index: _HEADER_TO_COLUMN.get(normalise_name(h)) for index, h in enumerate(rows[0])}
    if "name" not in columns.values() and "email" not in columns.values():
        found = ", ".join(h.strip() for h in rows[0] if h.strip()) or "nothing"
        raise InputError(
            f"{path}:1: the roster has no name or email column (the header row holds {found})",
            hint="start the file with the header row name,email,team",
        )
    members: list[RosterMember] = []
    for row in rows[1:]:
        values = {"name": "", "email": "", "team": ""}
        for index, value in enumerate(row):
            column = columns.get(index)
            if column is not None and not values[column]:
                values[column] = " ".join(value.split())
        if values["name"] or values["email"]:
            members.append(
                RosterMember(values["name"] or values["email"], values["email"], values["team"])
            )
    return _unique(members)


def roster_for(config: Config, override: Path | None = None) -> list[RosterMember]:
    """The roster from `override`, else the config's roster file or list.

    Raises UsageError (exit 2) with how to configure one when there is none.
    """
    if override is not None:
        if not override.is_file():
            raise UsageError(f"--roster {override}: no such file", hint=HOW_TO_CONFIGURE)
        return load_roster(override)
    if config.roster_members:
        return _unique(config.roster_members)
    if config.roster is not None:
        if not config.roster.is_file():
            where = config.path or "the config"
            raise ConfigError(
                f"{where}: roster file not found: {config.roster}",
                hint="fix the `roster` path (relative to the config file) or pass --roster FILE",
            )
        return load_roster(config.roster)
    raise UsageError("no roster configured", hint=HOW_TO_CONFIGURE)


def missing_members(
    roster: Sequence[RosterMember], entries: Iterable[Entry], period: Period | None
) -> list[RosterMember]:
    """Roster members, in roster order, with no entry dated in `period` (None: any date)."""
    submitted = {
        _person_key(entry.author)
        for entry in entries
        if entry.author and (period is None or entry.date in period)
    }
    return [
        member
        for member in roster
        if _person_key(member.name) not in submitted
        and not (member.email and _person_key(member.email) in submitted)
    ]


def _person_key(text: str) -> str:
    # NFC so "é" typed two ways is one letter; casefold, not lower, for "ß".
    # Accents are kept: "Rene" and "René" may be different people.
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _unique(members: Iterable[RosterMember]) -> list[RosterMember]:
    seen: set[str] = set()
    result: list[RosterMember] = []
    for member in members:
        key = _person_key(member.email or member.name)
        if key not in seen:
            seen.add(key)
            result.append(member)
    return result


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page.
        return raw.decode("cp1252", errors="replace")


def _dialect(text: str) -> type[csv.Dialect]:
    first_line = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        return csv.excel
