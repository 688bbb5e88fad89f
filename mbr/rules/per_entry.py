"""The text and custom rules on one entry: what they find, before it becomes a Diagnostic.

The rules read only a few of an entry's fields (EntryFacts). Their findings
are kept apart from the Diagnostics made of them so that a second process
(mbr.rules.beside) can run the rules on a share of a large log from those
few fields alone, and send back findings that this process turns into
Diagnostics with the entry's id and locations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from mbr.model import Diagnostic, Entry, Severity
from mbr.rules.policy import RuleSet
from mbr.rules.registry import EntryFacts, RuleContext


class EntryText(NamedTuple):
    """An entry's EntryFacts alone: what a worker is sent (cheap to pickle)."""

    category: str
    summary: str
    headline: str
    customer: str
    metric: str

    @classmethod
    def of(cls, entry: Entry) -> EntryText:
        return cls(entry.category, entry.summary, entry.headline, entry.customer, entry.metric)


class RuleFinding(NamedTuple):
    """One rule's finding on one field, with the policy applied."""

    field: str
    code: str
    name: str
    severity: Severity
    message: str
    help: str


_NO_OPTIONS: Mapping[str, Any] = {}


def entry_findings(entry: EntryFacts, rules: RuleSet) -> list[RuleFinding]:
    """The text and custom rules' findings on one entry, in code order.

    An empty field is not checked: an empty summary is MBR001's business,
    and most entries have no headline. A custom rule that requires a phrase
    in the headline does fire on an empty headline.
    """
    found: list[RuleFinding] = []
    # One context per field: its text's measurements are shared by its rules.
    summary, headline, vocabulary = entry.summary, entry.headline, rules.vocabulary
    contexts = {
        "summary": RuleContext(entry, summary, "summary", _NO_OPTIONS, vocabulary)
        if summary
        else None,
        "headline": RuleContext(entry, headline, "headline", _NO_OPTIONS, vocabulary)
        if headline
        else None,
    }
    for field, check, resolved in rules.text_checks(entry.category):
        context = contexts[field]
        if context is None:
            continue
        context.options = resolved.options
        info = resolved.info
        for finding in check(context):
            found.append(
                RuleFinding(
                    field,
                    info.code,
                    info.name,
                    resolved.severity,
                    finding.message,
                    finding.help or info.help,
                )
            )
    if not summary:
        return found
    for custom, resolved in rules.custom_plan(entry.category):
        field = custom.field
        context = contexts.get(field)
        runs = context.watched_runs if context is not None else None
        info = custom.info
        for finding in custom.check(getattr(entry, field), runs):
            found.append(
                RuleFinding(
                    field,
                    custom.code,
                    info.name,
                    resolved.severity,
                    finding.message,
                    finding.help or info.help,
                )
            )
    return found


def diagnostic_for(entry: Entry, finding: RuleFinding) -> Diagnostic:
    """The Diagnostic of a finding on `entry`: its id and the field's location."""
    return Diagnostic(
        code=finding.code,
        name=finding.name,
        severity=finding.severity,
        message=finding.message,
        help=finding.help,
        location=entry.location_of(finding.field),
        entry_id=entry.id,
        field=finding.field,
    )
