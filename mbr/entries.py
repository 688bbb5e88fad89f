"""records -> entries: interpret raw values and report what is missing or unknown.

Every record becomes exactly one Entry, however incomplete, so nothing is
silently dropped: later stages leave out entries with errors and list them.
Raised here: MBR001 missing-field, MBR002 bad-date, MBR003 unknown-category,
MBR004 unknown-team, MBR007 future-date.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence

from mbr.config import Category, Config
from mbr.dates import Period, parse_date
from mbr.fields import normalise_name
from mbr.gcpause import without_cycle_collection
from mbr.intake.base import OutOfPeriod
from mbr.intake.outside import DateFilter
from mbr.intake.values import cell_text
from mbr.model import Diagnostic, Entry, RawValue, Record
from mbr.rules.registry import diagnostic

# Text fields other than the summary are names and labels: a stray line break
# or double space in them is never meant (MBR103 needs the summary's kept).
_SINGLE_LINE_FIELDS = (
    "author",
    "team",
    "category",
    "customer",
    "headline",
    "service",
    "metric",
    "link",
    "id",
)
_TEXT_FIELDS = (*_SINGLE_LINE_FIELDS, "summary")
_FOLDABLE = re.compile(r"\s\s|[^\S ]")
# Fields whose few distinct values repeat down a log: their text is worked
# out once per distinct value.
_REPEATING_FIELDS = frozenset({"author", "team", "category", "customer", "service"})


def value_text(value: RawValue) -> str:
    """A raw value as the text a person sees in it (mbr.intake.values.cell_text),
    NFC-normalised so the same word typed on two systems compares equal."""
    text = cell_text(value)
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def split_tags(text: str) -> tuple[str, ...]:
    """Tags written as "a, b; c": trimmed, empties dropped, in written order."""
    if not text:
        return ()
    return tuple(filter(None, map(str.strip, text.replace(";", ",").split(","))))


def derived_id(author: str, date_text: str, category: str, summary: str) -> str:
    """A stable id from what an entry says, for entries without an `id`.

    The same entry keeps the same id across runs and across formats (a date
    cell and the ISO text of that date give the same id).
    """
    content = "|".join((author, date_text, category, _single_line(summary.strip())))
    return "e-" + hashlib.sha1(content.encode("utf-8")).hexdigest()[:10]


class _UniqueIds:
    """Hands out ids that are unique in read order: the second "x" is "x-2"."""

    def __init__(self) -> None:
        self._used: set[str] = set()
        self._next_suffix: dict[str, int] = {}

    def claim(self, wanted: str) -> str:
        result = wanted
        if result in self._used:
            suffix = self._next_suffix.get(wanted, 2)
            while f"{wanted}-{suffix}" in self._used:
                suffix += 1
            self._next_suffix[wanted] = suffix + 1
            result = f"{wanted}-{suffix}"
        self._used.add(result)
        return result


class _Names:
    """Configured categories and teams, matched the way SPEC §1.2 says.

    Lookups and suggestions are memoised per written value: 100,000 records
    repeat a handful of category and team spellings.
    """

    def __init__(self, config: Config) -> None:
        self._config = config
        self._teams = {normalise_name(team): team for team in config.teams}
        self.checks_teams = bool(self._teams)
        self._category_names: dict[str, Category] = {}
        for category in config.categories:
            for name in (category.key, category.title, *category.aliases):
                self._category_names.setdefault(normalise_name(name), category)
        listed = ", ".join(f"{c.title} ({c.key})" for c in config.categories)
        self.category_help = f"use one of the configured categories: {listed}"
        self.team_help = "use one of the configured teams: " + ", ".join(config.teams)
        self.category = functools.cache(self._config.category_for)
        self.team = functools.cache(self._team)
        self.closest_category = functools.cache(self._closest_category)
        self.closest_team = functools.cache(self._closest_team)
        # The text of a name or label as written (see _texts).
        self.single_line = functools.cache(_single_line_text)

    def _team(self, text: str) -> str | None:
        return self._teams.get(normalise_name(text))

    def _closest_category(self, text: str) -> str | None:
        match = _closest(normalise_name(text), list(self._category_names))
        return self._category_names[match].title if match else None

    def _closest_team(self, text: str) -> str | None:
        match = _closest(normalise_name(text), list(self._teams))
        return self._teams[match] if match else None


def _closest(word: str, candidates: list[str], cutoff: float = 0.6) -> str | None:
    """The most similar candidate; ties go to the one configured first.

    (difflib.get_close_matches breaks ties by reverse alphabetical order, so
    "Enterprise Est" would suggest "Enterprise West" over "Enterprise East".)
    """
    matcher = difflib.SequenceMatcher(b=word)
    best, best_score = None, cutoff
    for candidate in candidates:
        matcher.set_seq1(candidate)
        score = matcher.ratio()
        if score > best_score or (score == best_score and best is None):
            best, best_score = candidate, score
    return best


@without_cycle_collection()
def build_entries(
    records: Sequence[Record | OutOfPeriod],
    config: Config,
    *,
    today: dt.date,
    period: Period | None = None,
) -> tuple[list[Entry], list[Diagnostic]]:
    """One Entry per record, in read order, and the diagnostics about them.

    Diagnostics for a record come in field order (date, author, team,
    category, summary) and point at the offending field's cell or line, or at
    the record itself when the field is absent.

    With a `period`, records dated outside it are only counted by the caller
    (len(records) - len(entries)): no entry is built for them and nothing is
    reported about them, which is what keeps one month out of a multi-year
    log cheap. Entries whose date is unknown are built: they must be listed.
    Their `seq` and ids are the ones a build without `period` gives. An
    OutOfPeriod (a row intake already found dated outside the period it was
    asked for) is treated the same way, with or without `period`.
    """
    names = _Names(config)
    ids = _UniqueIds()
    entries: list[Entry] = []
    diagnostics: list[Diagnostic] = []
    wanted = dated_in(period, config) if period is not None else None
    for seq, record in enumerate(records):
        if isinstance(record, OutOfPeriod):
            written = record.written_id
        elif wanted is not None and not wanted(record.fields.get("date")):
            written = record.fields.get("id")
        else:
            entry, date_text = _interpret(record, seq, config, names, ids)
            entries.append(entry)
            diagnostics.extend(_check(entry, record, date_text, names, config, today))
            continue
        # Dated outside: its written id is still taken, so a later entry
        # repeating it gets the same "-2" suffix as in a build without a period.
        if written is not None:
            written_id = _single_line(value_text(written))
            if written_id:
                ids.claim(written_id)
    return entries, diagnostics


def dated_in(period: Period, config: Config) -> DateFilter:
    """False for a date value that reads as a day outside `period` (intake's
    filter of rows, and build_entries' own for records read without it)."""
    return _DatedIn(period, config.date_order, config.languages)


class _DatedIn:
    """dated_in's filter: a class, not a closure, so it pickles (mbr.spare's
    worker filters a CSV file's second half with it)."""

    def __init__(self, period: Period, date_order: str, languages: tuple[str, ...]) -> None:
        self._period = period
        self._date_order = date_order
        self._languages = languages
        # A log repeats its dates: each distinct value is parsed once.
        self._answers: dict[RawValue, bool] = {}

    def __call__(self, value: RawValue) -> bool:
        answer = self._answers.get(value)
        if answer is None:
            date = parse_date(value, date_order=self._date_order, languages=self._languages)
            answer = self._answers[value] = date is None or date in self._period
        return answer


def _interpret(
    record: Record, seq: int, config: Config, names: _Names, ids: _UniqueIds
) -> tuple[Entry, str]:
    """The entry a record stands for, and its date as written."""
    text = _texts(record, names)
    raw_date = record.fields.get("date")
    date_text = value_text(raw_date)
    date = (
        parse_date(raw_date, date_order=config.date_order, languages=config.languages)
        if date_text
        else None
    )
    category = names.category(text["category"]) if text["category"] else None
    category_value = category.key if category else text["category"]
    team = names.team(text["team"]) if text["team"] and names.checks_teams else None
    # The parsed date, not the text, goes into a derived id: a date cell and
    # the ISO text of the same day must give the same id.
    wanted_id = text["id"] or derived_id(
        text["author"],
        date.isoformat() if date else date_text,
        category_value,
        text["summary"],
    )
    entry = Entry(
        id=ids.claim(wanted_id),
        date=date,
        author=text["author"],
        team=team or text["team"],
        category=category_value,
        summary=text["summary"],
        source=record.source,
        origin=record.origin,
        locations=record.locations,
        customer=text["customer"],
        headline=text["headline"],
        service=text["service"],
        metric=text["metric"],
        link=text["link"],
        tags=split_tags(value_text(record.fields.get("tags"))),
        extra=record.extra,
        seq=seq,
    )
    return entry, date_text


def _check(
    entry: Entry,
    record: Record,
    date_text: str,
    names: _Names,
    config: Config,
    today: dt.date,
) -> list[Diagnostic]:
    problems = _Problems(entry, record)
    if not date_text:
        problems.missing("date", "write the date as YYYY-MM-DD, e.g. 2024-11-05")
    elif entry.date is None:
        problems.bad_date(record.fields.get("date"), date_text, config.date_order)
    elif entry.date > today:
        problems.add(
            "MBR007", "date", f"date {entry.date.isoformat()} is after today ({today.isoformat()})"
        )
    if not entry.author:
        problems.missing("author")
    if not entry.team:
        problems.missing("team", names.team_help if names.checks_teams else None)
    elif names.checks_teams and names.team(entry.team) is None:
        closest = names.closest_team(entry.team)
        problems.add(
            "MBR004",
            "team",
            f"unknown team {entry.team!r}" + (f"; did you mean {closest!r}?" if closest else ""),
            help=names.team_help,
        )
    if not entry.category:
        problems.missing("category", names.category_help)
    elif names.category(entry.category) is None:
        closest = names.closest_category(entry.category)
        problems.add(
            "MBR003",
            "category",
            f"unknown category {entry.category!r}"
            + (f"; did you mean {closest!r}?" if closest else ""),
            help=names.category_help,
        )
    if not entry.summary:
        problems.missing("summary", "write the entry's paragraph in the summary field")
    return problems.found


def _texts(record: Record, names: _Names) -> dict[str, str]:
    text = dict.fromkeys(_TEXT_FIELDS, "")
    for name, value in record.fields.items():
        if name not in text or value is None:
            continue
        if name == "summary":
            text[name] = value_text(value)
        elif name in _REPEATING_FIELDS and value.__class__ is str:
            text[name] = names.single_line(value)
        else:
            text[name] = _single_line(value_text(value))
    return text


def _single_line_text(value: str) -> str:
    return _single_line(value_text(value))


def _single_line(text: str) -> str:
    # Fold whitespace only where there is something to fold. Printable ASCII
    # holds no whitespace but the space, so a double space is all to look for.
    if text.isascii() and text.isprintable():
        foldable = "  " in text
    else:
        foldable = _FOLDABLE.search(text) is not None
    return " ".join(text.split()) if foldable else text


class _Problems:
    """Collects one entry's diagnostics, each pointing at the field concerned."""

    def __init__(self, entry: Entry, record: Record) -> None:
        self._entry = entry
        self._record = record
        self.found: list[Diagnostic] = []

    def add(self, code: str, field: str, message: str, *, help: str | None = None) -> None:
        self.found.append(
            diagnostic(
                code,
                message,
                self._record.location_of(field),
                help=help,
                entry_id=self._entry.id,
                field=field,
                category=self._entry.category or None,
            )
        )

    def missing(self, field: str, help: str | None = None) -> None:
        if field in self._record.fields:
            message = f"required field `{field}` is empty"
        elif self._record.source.lower().endswith((".yaml", ".yml")):
            message = f"required field `{field}` is missing (no `{field}` key)"
        else:
            message = f"required field `{field}` is missing (no {field} column)"
        self.add("MBR001", field, message, help=help)

    def bad_date(self, raw: RawValue, text: str, date_order: str) -> None:
        if isinstance(raw, bool | int | float):
            message = f"date cell holds {text!r}, which is not a date"
        else:
            message = f"cannot read the date {text!r} (date_order = {date_order})"
        self.add("MBR002", "date", message)
