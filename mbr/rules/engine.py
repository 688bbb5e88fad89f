"""The rule engine: runs the rules on entries and applies the policy to every diagnostic.

`check_entries` runs the text rules (MBR101-MBR119), the custom rules
(MBR2xx) and the collection rules (MBR005, MBR006) on entries;
`apply_policy` applies the same selection and severities to diagnostics
raised upstream while reading sources and building entries. Both return
diagnostics with the policy applied (see mbr.rules.policy).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from mbr.config import Config
from mbr.model import Diagnostic, Entry
from mbr.rules.beside import CollectionRules
from mbr.rules.policy import RuleSet
from mbr.rules.registry import RuleContext

__all__ = ["RuleSet", "apply_policy", "check_entries", "check_entry"]


def check_entry(entry: Entry, rules: RuleSet) -> list[Diagnostic]:
    """The text and custom rules' diagnostics for one entry, in code order.

    An empty field is not checked: an empty summary is MBR001's business,
    and most entries have no headline. A custom rule that requires a phrase
    in the headline does fire on an empty headline.
    """
    found: list[Diagnostic] = []
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
        for finding in check(context):
            info = resolved.info
            found.append(
                Diagnostic(
                    code=info.code,
                    name=info.name,
                    severity=resolved.severity,
                    message=finding.message,
                    help=finding.help or info.help,
                    location=entry.location_of(field),
                    entry_id=entry.id,
                    field=field,
                )
            )
    if not summary:
        return found
    for custom, resolved in rules.custom_plan(entry.category):
        text = getattr(entry, custom.field)
        context = contexts.get(custom.field)
        runs = context.watched_runs if context is not None else None
        for finding in custom.check(text, runs):
            found.append(
                Diagnostic(
                    code=custom.code,
                    name=custom.info.name,
                    severity=resolved.severity,
                    message=finding.message,
                    help=finding.help or custom.info.help,
                    location=entry.location_of(custom.field),
                    entry_id=entry.id,
                    field=custom.field,
                )
            )
    return found


_NO_OPTIONS: Mapping[str, Any] = {}


def check_entries(
    entries: Sequence[Entry],
    config: Config,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
) -> list[Diagnostic]:
    """Run every selected rule on the entries.

    Returns diagnostics with the policy applied, ordered by entry read order
    (Entry.seq, then position) and then by code; one rule's several findings
    on one entry keep the order the rule gave them.
    """
    rules = RuleSet(config, select=select, ignore=ignore)
    keyed: list[tuple[int, int, str, int, Diagnostic]] = []
    # On a large log MBR005/MBR006 run in a second process meanwhile.
    with CollectionRules(entries, rules) as collection:
        for position, entry in enumerate(entries):
            for order, diag in enumerate(check_entry(entry, rules)):
                keyed.append((entry.seq, position, diag.code, order, diag))
        for position, diag in collection.findings():
            keyed.append((entries[position].seq, position, diag.code, 0, diag))
    keyed.sort(key=lambda item: item[:4])
    return [item[4] for item in keyed]


def apply_policy(
    diagnostics: Iterable[Diagnostic],
    config: Config,
    *,
    categories_by_entry: Mapping[str, str],
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
) -> list[Diagnostic]:
    """Apply select/ignore, per-category ignores and severities to upstream diagnostics.

    A diagnostic about an entry uses that entry's category; one about a
    source (MBR000, MBR010) uses the rules' general settings. Order is kept.
    """
    rules = RuleSet(config, select=select, ignore=ignore)
    kept: list[Diagnostic] = []
    for diag in diagnostics:
        category = categories_by_entry.get(diag.entry_id) if diag.entry_id else None
        if diag.code not in rules.infos:
            kept.append(diag)  # not a catalogued rule: nothing to decide
            continue
        resolved = rules.resolve(diag.code, category)
        if resolved is None:
            continue
        if resolved.severity is not diag.severity:
            diag = replace(diag, severity=resolved.severity)
        kept.append(diag)
    return kept
