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

from mbr.config import Config
from mbr.gcpause import without_cycle_collection
from mbr.model import Diagnostic, Entry, Severity
from mbr.rules.beside import RulesBeside
from mbr.rules.per_entry import diagnostic_for, entry_findings
from mbr.rules.policy import RuleSet

__all__ = ["RuleSet", "apply_policy", "check_entries", "check_entry"]


def check_entry(entry: Entry, rules: RuleSet) -> list[Diagnostic]:
    """The text and custom rules' diagnostics for one entry, in code order."""
    return [diagnostic_for(entry, finding) for finding in entry_findings(entry, rules)]


@without_cycle_collection()
def check_entries(
    entries: Sequence[Entry],
    config: Config,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    errors_only: bool = False,
) -> list[Diagnostic]:
    """Run every selected rule on the entries (`errors_only`: only where
    its severity is error).

    Returns diagnostics with the policy applied, ordered by entry read order
    (Entry.seq, then position) and then by code; one rule's several findings
    on one entry keep the order the rule gave them.
    """
    rules = RuleSet(config, select=select, ignore=ignore, errors_only=errors_only)
    keyed: list[tuple[int, int, str, int, Diagnostic]] = []
    # On a large log a second process takes MBR006's join and a share of the text rules.
    with RulesBeside(entries, rules) as beside:
        for position, findings in beside.text_findings():
            entry = entries[position]
            for order, finding in enumerate(findings):
                diag = diagnostic_for(entry, finding)
                keyed.append((entry.seq, position, diag.code, order, diag))
        for position, diag in beside.collection_findings():
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
    errors_only: bool = False,
) -> list[Diagnostic]:
    """Apply select/ignore, per-category ignores and severities to upstream
    diagnostics (`errors_only`: keep only those whose severity is error).

    A diagnostic about an entry uses that entry's category; one about a
    source (MBR000, MBR010) uses the rules' general settings. Order is kept.
    """
    rules = RuleSet(config, select=select, ignore=ignore, errors_only=errors_only)
    kept: list[Diagnostic] = []
    for diag in diagnostics:
        category = categories_by_entry.get(diag.entry_id) if diag.entry_id else None
        if diag.code not in rules.infos:  # not a catalogued rule: nothing to decide
            if not errors_only or diag.severity is Severity.ERROR:
                kept.append(diag)
            continue
        resolved = rules.resolve(diag.code, category)
        if resolved is None:
            continue
        if resolved.severity is not diag.severity:
            diag = replace(diag, severity=resolved.severity)
        kept.append(diag)
    return kept
