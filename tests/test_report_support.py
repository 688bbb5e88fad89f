"""Builders for report tests: entries, diagnostics and collections made in code.

The report needs only what mbr.pipeline.collect() returns, so these tests
build it directly rather than going through the readers (the end-to-end
CLI tests in test_compile_cli.py do that).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import docx

from mbr.config import Config
from mbr.dates import Period
from mbr.model import Diagnostic, Entry, Location, Severity

NOVEMBER = Period(dt.date(2024, 11, 1), dt.date(2024, 11, 30), "month")
SUMMARY = (
    "Moved 40 production workloads to the new platform two weeks early, cutting "
    "monthly run cost by 28% for the customer."
)


def make_entry(
    entry_id: str,
    *,
    date: dt.date | None = dt.date(2024, 11, 5),
    author: str = "Dana Reyes",
    team: str = "Enterprise East",
    category: str = "win",
    summary: str = SUMMARY,
    customer: str = "",
    headline: str = "",
    seq: int = 0,
    source: str = "entries.xlsx",
    row: int = 2,
) -> Entry:
    origin = Location(source, sheet="Entries", row=row)
    return Entry(
        id=entry_id,
        date=date,
        author=author,
        team=team,
        category=category,
        summary=summary,
        source=source,
        origin=origin,
        locations={"summary": Location(source, sheet="Entries", cell=f"E{row}", row=row)},
        customer=customer,
        headline=headline,
        seq=seq,
    )


def problem(
    entry: Entry | None,
    code: str,
    message: str,
    severity: Severity = Severity.ERROR,
    *,
    location: Location | None = None,
) -> Diagnostic:
    where = location or (entry.location_of("summary") if entry else Location("entries.xlsx"))
    return Diagnostic(
        code=code,
        name=code.lower(),
        severity=severity,
        message=message,
        help=f"fix {code}",
        location=where,
        entry_id=entry.id if entry else None,
    )


@dataclass
class FakeCollected:
    """The shape of mbr.pipeline.Collected that the report reads."""

    read: int
    in_period: list[Entry]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    period: Period | None = NOVEMBER


def collected(
    entries: Sequence[Entry],
    diagnostics: Sequence[Diagnostic] = (),
    *,
    period: Period | None = NOVEMBER,
) -> FakeCollected:
    """Entries numbered in read order; the period's entries (and undated ones) in_period."""
    numbered = [_with_seq(entry, index) for index, entry in enumerate(entries)]
    in_period = [e for e in numbered if period is None or e.date is None or e.date in period]
    return FakeCollected(len(numbered), in_period, list(diagnostics), period)


def _with_seq(entry: Entry, seq: int) -> Entry:
    from dataclasses import replace

    return replace(entry, seq=seq)


def config(**changes: object) -> Config:
    values: dict[str, object] = {"root": Path.cwd(), "org": "Field Engineering"}
    values.update(changes)
    return Config(**values)  # type: ignore[arg-type]


def paragraphs(data: bytes) -> list[tuple[str, str]]:
    """(style name, text) for every body paragraph, table cells included, in order."""
    document = docx.Document(io.BytesIO(data))
    found: list[tuple[str, str]] = []
    body = document.element.body
    for element in body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
        paragraph = docx.text.paragraph.Paragraph(element, document.part)
        found.append((paragraph.style.name if paragraph.style else "", paragraph.text))
    return found


def body_text(data: bytes) -> str:
    return "\n".join(text for _, text in paragraphs(data))
