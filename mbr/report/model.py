"""What a report template sees: entries grouped, ordered and counted.

Ordering is deterministic: configured category order, then configured team
order (teams that are not configured follow, alphabetically), then date
(unknown dates last), author and id. Every string that reaches a template is
cleaned by `clean_text`, so nothing a contributor typed can put characters
into the document that XML forbids.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from mbr.config import Config
from mbr.dates import Period, span_of
from mbr.fields import normalise_name
from mbr.model import Diagnostic, Entry

# Characters removed from report text: C0/C1 controls other than tab and
# newline, the zero-width space/word joiner/BOM (SPEC MBR119), the XML
# non-characters U+FFFE/U+FFFF, and lone surrogates (which can arrive from
# badly decoded files and cannot be encoded at all). Joiners (U+200C/U+200D)
# and variation selectors stay: they are part of emoji and of some scripts.
_REMOVED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # controls except tab, newline, carriage return
    "\u200b\u2060\ufeff"  # zero-width space, word joiner, byte order mark
    "\ufffe\uffff\ud800-\udfff]"  # not characters at all
)
_ASCII_CONTROLS = bytes([*range(0x20), 0x7F])  # the ASCII characters that are not printable
_LINE_ENDINGS = re.compile(r"\r\n?")
# "Contoso Health Ltd" is "Contoso Health" in a headline.
_LEGAL_SUFFIXES = (
    "inc", "corp", "corporation", "llc", "ltd", "limited", "gmbh", "plc", "ag", "sa", "bv", "co"
)
_LEGAL_SUFFIX = re.compile(rf",?\s+(?:{'|'.join(_LEGAL_SUFFIXES)})\.?$", re.IGNORECASE)
# A name whose last letter (before one optional ".") ends none of the suffixes
# cannot have one, and skips the regex; only ASCII letters fold to these
# letters under re.IGNORECASE.
_SUFFIX_LAST_LETTERS = frozenset(suffix[-1] for suffix in _LEGAL_SUFFIXES)


def clean_text(text: str) -> str:
    """`text` without characters that must not reach the report.

    Windows and old-Mac line endings become newlines and tabs become spaces;
    everything else is kept exactly as typed.
    """
    if text.isprintable():  # the common case: nothing to remove (checked in C)
        return text
    text = _LINE_ENDINGS.sub("\n", text).replace("\t", " ")
    return _REMOVED.sub("", text)


@dataclass(frozen=True)
class Problem:
    """A diagnostic as a draft report shows it (a Word comment on the paragraph)."""

    code: str
    name: str
    severity: str
    message: str
    help: str
    location: str

    @property
    def text(self) -> str:
        lines = [f"{self.code} [{self.severity}] {self.message}"]
        if self.help:
            lines.append(f"= help: {self.help}")
        lines.append(f"at {self.location}")
        return "\n".join(lines)

    @classmethod
    def from_diagnostic(cls, diagnostic: Diagnostic) -> Problem:
        # The fields go into the instance dict at once: a frozen dataclass's
        # __init__ sets each through object.__setattr__, which for the 90,000
        # problems of a 50,000-entry draft cost more than the rest of this.
        problem = object.__new__(cls)
        problem.__dict__.update(
            code=diagnostic.code,
            name=diagnostic.name,
            severity=diagnostic.severity._value_,  # `.value` is a slow descriptor
            message=clean_text(diagnostic.message),
            help=clean_text(diagnostic.help),
            location=clean_text(str(diagnostic.location)),
        )
        return problem


@dataclass(slots=True)
class ReportEntry:
    """One paragraph of the report, with every field a template may use.

    `lead_in` is "Customer — Headline", or whichever of the two is set ("" for
    neither); a headline that already names the customer stands alone, so the
    report never reads "Acme — Acme cuts costs". `lead_in_sentence` is the
    lead-in ending in punctuation, ready to stand before the summary, and
    `attribution` is "Author, Team". `lead_in` is computed once, here (a
    template reads it twice per entry, and it costs); the other two when read,
    so a 100,000-entry model does not hold them all.
    """

    id: str
    date: dt.date | None
    author: str
    team: str
    category: str  # the configured key (or the text as written, in a draft)
    category_title: str
    summary: str
    customer: str = ""
    headline: str = ""
    service: str = ""
    metric: str = ""
    link: str = ""
    tags: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    # The entry this shows, for `location`: worked out only when a template
    # asks (the built-in ones never do), as it costs more than the rest.
    _source: Entry | None = field(default=None, repr=False, compare=False)
    lead_in: str = field(init=False)

    def __post_init__(self) -> None:
        self.lead_in = _lead_in(self.customer, self.headline)

    @property
    def lead_in_sentence(self) -> str:
        lead = self.lead_in
        return lead if not lead or lead[-1] in ".!?:…" else lead + "."

    @property
    def attribution(self) -> str:
        author, team = self.author, self.team
        return f"{author}, {team}" if author and team else author or team

    @property
    def location(self) -> str:
        """Where the entry's summary is, as diagnostics name it ("" without a source)."""
        if self._source is None:
            return ""
        return clean_text(str(self._source.location_of("summary")))

    @property
    def date_label(self) -> str:
        return f"{self.date.day} {self.date.strftime('%b %Y')}" if self.date else ""


def _lead_in(customer: str, headline: str) -> str:
    if customer and headline:
        folded = headline.casefold()
        for name in _customer_names(customer):
            if name in folded:
                return headline
        return f"{customer} — {headline}"
    return customer or headline


@functools.lru_cache(maxsize=4096)
def _customer_names(customer: str) -> tuple[str, ...]:
    """How a headline may name the customer: as written, or without "Ltd", "Inc." ..."""
    folded = customer.casefold()
    last = customer[-2:-1] if customer.endswith(".") else customer[-1:]
    # (`$` also matches before a final line break, so such a name takes the regex.)
    if last.lower() not in _SUFFIX_LAST_LETTERS and not customer.endswith("\n"):
        return (folded,) if folded else ()  # no suffix to take off
    names = {folded, _LEGAL_SUFFIX.sub("", customer).casefold()}
    return tuple(name for name in names if name)


@dataclass(frozen=True)
class TeamGroup:
    team: str
    entries: tuple[ReportEntry, ...]


@dataclass(frozen=True)
class Section:
    """One category's part of the narrative report."""

    key: str
    title: str
    teams: tuple[TeamGroup, ...]

    @property
    def count(self) -> int:
        return sum(len(group.entries) for group in self.teams)


@dataclass(frozen=True)
class Quadrant:
    title: str
    categories: tuple[str, ...]
    entries: tuple[ReportEntry, ...]


@dataclass(frozen=True)
class TeamView:
    """One team's 2x2: its quadrants in reading order (top left, top right, ...)."""

    team: str
    quadrants: tuple[Quadrant, ...]

    @property
    def count(self) -> int:
        return sum(len(quadrant.entries) for quadrant in self.quadrants)

    @property
    def rows(self) -> tuple[tuple[Quadrant, ...], ...]:
        """The quadrants two by two, for a template that draws a table."""
        return tuple(self.quadrants[i : i + 2] for i in range(0, len(self.quadrants), 2))


@dataclass(frozen=True)
class SummaryRow:
    label: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class SummaryTable:
    """Teams x categories: how many entries each team has in each category."""

    columns: tuple[str, ...]  # category titles
    rows: tuple[SummaryRow, ...]
    totals: SummaryRow


@dataclass(frozen=True)
class Counts:
    entries: int
    contributors: int
    teams: int

    @property
    def line(self) -> str:
        """The counts as a sentence: "42 entries from 17 contributors in 5 teams"."""
        return (
            f"{_plural(self.entries, 'entry', 'entries')} from "
            f"{_plural(self.contributors, 'contributor')} in {_plural(self.teams, 'team')}"
        )


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


@dataclass(frozen=True)
class ReportModel:
    """Everything the template renders. Templates reach it as `report`."""

    title: str
    subject: str
    author: str  # the document's author property
    org: str
    classification: str
    period_label: str  # "" when there is neither a period nor a dated entry
    draft: bool
    counts: Counts
    summary: SummaryTable
    sections: tuple[Section, ...]
    teams: tuple[TeamView, ...]
    entries: tuple[ReportEntry, ...]  # every included entry, in report order
    excluded: int  # entries in the period left out because of errors
    problems: int  # problems shown as comments (draft)

    @property
    def is_empty(self) -> bool:
        return not self.entries


@dataclass(frozen=True)
class ReportInput:
    """What build_report_model needs besides the config."""

    entries: Sequence[Entry]
    period: Period | None
    problems_by_entry: Mapping[str, Sequence[Diagnostic]] = field(default_factory=dict)
    draft: bool = False
    excluded: int = 0
    title: str | None = None


def build_report_model(report_input: ReportInput, config: Config) -> ReportModel:
    """Group, order and count the included entries for the template."""
    categories = _CategoryOrder(config)
    teams = _TeamOrder(config)
    entries = [
        _report_entry(entry, categories, teams, report_input.problems_by_entry)
        for entry in report_input.entries
    ]
    _sort_entries(entries, categories, teams)

    period = report_input.period or span_of(e.date for e in entries if e.date is not None)
    period_label = period.label if period else ""
    org = clean_text(config.org).strip()
    subject = "Monthly Business Review" + (f" — {period_label}" if period_label else "")
    title = (
        clean_text(report_input.title).strip()
        if report_input.title
        else (f"{org} {subject}" if org else subject)
    )
    column_keys = categories.keys_in_use(entries)
    return ReportModel(
        title=title,
        subject=subject,
        author=org or "mbr",
        org=org,
        classification=clean_text(config.classification).strip(),
        period_label=period_label,
        draft=report_input.draft,
        counts=Counts(
            entries=len(entries),
            contributors=len({normalise_name(a) for a in {e.author for e in entries} if a}),
            teams=len({e.team for e in entries}),
        ),
        summary=_summary_table(entries, column_keys, categories, teams),
        sections=_sections(entries, column_keys, categories),
        teams=_team_views(entries, config, teams),
        entries=tuple(entries),
        excluded=report_input.excluded,
        problems=sum(len(e.problems) for e in entries),
    )


class _CategoryOrder:
    """Configured categories first, in configured order; anything else (a draft
    can include entries whose category is unknown) after them, alphabetically."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.rank = {category.key: index for index, category in enumerate(config.categories)}
        self._titles: dict[str, str] = {}

    def key(self, category: str) -> tuple[int, str]:
        return (self.rank.get(category, len(self.rank)), category.casefold())

    def title(self, category: str) -> str:
        found = self._titles.get(category)
        if found is None:
            title = self.config.category_title(category) if category else "(no category)"
            found = self._titles[category] = clean_text(title)
        return found

    def keys_in_use(self, entries: Iterable[ReportEntry]) -> list[str]:
        unknown = {e.category for e in entries if e.category not in self.rank}
        return [c.key for c in self.config.categories] + sorted(unknown, key=self.key)


class _TeamOrder:
    """Configured teams first, in configured order, then the rest alphabetically.

    Team names are matched like headers (case, spaces, hyphens and
    underscores ignored), so "enterprise east" joins "Enterprise East" and
    shows the configured spelling.
    """

    def __init__(self, config: Config) -> None:
        self.configured = {normalise_name(team): team for team in config.teams}
        self.rank = {normalise_name(team): index for index, team in enumerate(config.teams)}
        self.spelling: dict[str, str] = {}
        self._display: dict[str, str] = {}
        self._keys: dict[str, tuple[int, str]] = {}

    def display(self, team: str) -> str:
        found = self._display.get(team)
        if found is None:
            found = self._display[team] = self._display_of(team)
        return found

    def _display_of(self, team: str) -> str:
        team = clean_text(team).strip()
        if not team:
            return "(no team)"
        key = normalise_name(team)
        if key in self.configured:
            return clean_text(self.configured[key])
        # The first spelling seen names a team that is not configured.
        return self.spelling.setdefault(key, team)

    def key(self, team: str) -> tuple[int, str]:
        found = self._keys.get(team)
        if found is None:
            rank = self.rank.get(normalise_name(team), len(self.rank))
            found = self._keys[team] = (rank, team.casefold())
        return found

    def configured_teams(self) -> list[str]:
        return [clean_text(team) for team in self.configured.values()]


def _report_entry(
    entry: Entry,
    categories: _CategoryOrder,
    teams: _TeamOrder,
    problems_by_entry: Mapping[str, Sequence[Diagnostic]],
) -> ReportEntry:
    found = problems_by_entry.get(entry.id) if problems_by_entry else None
    return ReportEntry(
        id=entry.id,
        date=entry.date,
        # `x and f(x)`: most optional fields are empty, and "" needs no call.
        author=entry.author and _clean_stripped(entry.author),
        team=teams.display(entry.team),
        category=entry.category,
        category_title=categories.title(entry.category),
        summary=entry.summary and _clean_stripped(entry.summary),
        customer=entry.customer and _clean_stripped(entry.customer),
        headline=entry.headline and _clean_stripped(entry.headline),
        service=entry.service and _clean_stripped(entry.service),
        metric=entry.metric and _clean_stripped(entry.metric),
        link=entry.link and _clean_stripped(entry.link),
        tags=tuple(clean_text(tag) for tag in entry.tags) if entry.tags else (),
        extra={clean_text(k): clean_text(v) for k, v in entry.extra.items()}
        if entry.extra
        else _NO_EXTRA,
        problems=tuple(Problem.from_diagnostic(d) for d in found) if found else (),
        _source=entry,
    )


_NO_EXTRA: Mapping[str, str] = MappingProxyType({})  # shared: an empty dict per entry adds up


def _clean_stripped(text: str) -> str:
    """clean_text(text).strip(), quicker for the common printable text.

    A long ASCII text (a summary) is printable when it holds no control
    character: bytes.translate finds out in a fraction of the time
    str.isprintable takes to look every character up in the Unicode
    database (it first builds a table, so short text is quicker the plain way).
    """
    if len(text) > 64 and text.isascii():
        printable = len(text.encode("ascii").translate(None, _ASCII_CONTROLS)) == len(text)
    else:
        printable = text.isprintable()
    return text.strip() if printable else clean_text(text).strip()


def _entry_key(
    entry: ReportEntry, categories: _CategoryOrder, teams: _TeamOrder
) -> tuple[tuple[int, str], tuple[int, str], int, dt.date, str, str]:
    """The report order of one entry (what `_sort_entries` sorts by)."""
    return (
        categories.key(entry.category),
        teams.key(entry.team),
        entry.date is None,  # unknown dates last
        entry.date or dt.date.min,
        entry.author.casefold(),
        entry.id,
    )


_NO_DATE = dt.date.max.toordinal() + 1  # unknown dates sort after every date


def _sort_entries(
    entries: list[ReportEntry], categories: _CategoryOrder, teams: _TeamOrder
) -> None:
    """Sort by `_entry_key`, in the same order, for less per entry.

    The category and team parts of the key are the same for every entry of
    a (category, team) pair, so each pair's key is ranked once and entries
    compare a small int, then the date as a number, author and id.
    """
    pair_keys: dict[tuple[str, str], tuple[tuple[int, str], tuple[int, str]]] = {}
    for entry in entries:
        pair = (entry.category, entry.team)
        if pair not in pair_keys:
            pair_keys[pair] = (categories.key(entry.category), teams.key(entry.team))
    # Equal keys (e.g. "Wins" and "wins", neither configured) share a rank.
    rank = {key: index for index, key in enumerate(sorted(set(pair_keys.values())))}
    group = {pair: rank[key] for pair, key in pair_keys.items()}
    folded: dict[str, str] = {}  # author -> casefold: one string per author, not per entry

    def key(entry: ReportEntry) -> tuple[int, int, str, str]:
        date = entry.date
        author = entry.author
        author_key = folded.get(author)
        if author_key is None:
            author_key = folded[author] = author.casefold()
        return (
            group[entry.category, entry.team],
            date.toordinal() if date is not None else _NO_DATE,
            author_key,
            entry.id,
        )

    entries.sort(key=key)


def _runs(entries: Sequence[ReportEntry], attribute: str) -> list[tuple[str, list[ReportEntry]]]:
    """Consecutive entries that share `attribute`, as (value, entries) pairs."""
    groups: list[tuple[str, list[ReportEntry]]] = []
    for entry in entries:
        value = getattr(entry, attribute)
        if groups and groups[-1][0] == value:
            groups[-1][1].append(entry)
        else:
            groups.append((value, [entry]))
    return groups


def _sections(
    entries: Sequence[ReportEntry], column_keys: Sequence[str], categories: _CategoryOrder
) -> tuple[Section, ...]:
    by_category = dict(_runs(entries, "category"))
    return tuple(
        Section(
            key=key,
            title=categories.title(key),
            teams=tuple(
                TeamGroup(team, tuple(group))
                for team, group in _runs(by_category.get(key, []), "team")
            ),
        )
        for key in column_keys
    )


def _summary_table(
    entries: Sequence[ReportEntry],
    column_keys: Sequence[str],
    categories: _CategoryOrder,
    teams: _TeamOrder,
) -> SummaryTable:
    column = {key: index for index, key in enumerate(column_keys)}
    width = len(column_keys)
    counts: dict[str, list[int]] = {team: [0] * width for team in teams.configured_teams()}
    for entry in entries:
        row = counts.get(entry.team)
        if row is None:
            row = counts[entry.team] = [0] * width
        row[column[entry.category]] += 1
    ordered = sorted(counts, key=teams.key)
    rows = tuple(SummaryRow(team, tuple(counts[team])) for team in ordered)
    totals = tuple(sum(row.counts[i] for row in rows) for i in range(len(column_keys)))
    return SummaryTable(
        columns=tuple(categories.title(key) for key in column_keys),
        rows=rows,
        totals=SummaryRow("Total", totals),
    )


def _team_views(
    entries: Sequence[ReportEntry], config: Config, teams: _TeamOrder
) -> tuple[TeamView, ...]:
    quadrant_of = {key: index for index, (_, keys) in enumerate(config.quadrants) for key in keys}
    by_team: dict[str, list[ReportEntry]] = {}
    for entry in entries:
        by_team.setdefault(entry.team, []).append(entry)
    views: list[TeamView] = []
    for team in sorted(by_team, key=teams.key):
        team_entries = by_team[team]  # already in category, date, author, id order
        buckets: list[list[ReportEntry]] = [[] for _ in config.quadrants]
        unplaced = [e for e in team_entries if e.category not in quadrant_of]
        for entry in team_entries:
            if entry.category in quadrant_of:
                buckets[quadrant_of[entry.category]].append(entry)
        quadrants = [
            Quadrant(clean_text(title), keys, tuple(buckets[index]))
            for index, (title, keys) in enumerate(config.quadrants)
        ]
        if unplaced:  # a draft's unknown categories, or categories no quadrant names
            quadrants.append(Quadrant("Other", (), tuple(unplaced)))
        views.append(TeamView(team, tuple(quadrants)))
    return tuple(views)
