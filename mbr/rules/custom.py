"""User-defined rules (MBR2xx) from `[[rules.custom]]` in the config.

A custom rule names phrases or a regex that must (`require`) or must not
(`forbid`) appear in the summary or the headline, for chosen categories
(none: every category). Phrases match case-insensitively as whole words;
regexes are used as written (add `(?i)` for case-insensitive). Everything is
compiled once, when the rule set is built, so a bad regex is a config error
before any entry is read.

`message` may contain `{found}` (the forbidden text found) and `{field}`; a
forbid message without `{found}` gets the found text appended, so the author
always sees what to remove.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from mbr.config import Config, CustomRule
from mbr.errors import ConfigError
from mbr.rules.registry import Finding, RuleDoc, RuleInfo
from mbr.rules.textutil import PhraseMatcher


def _quoted(phrases: Sequence[str]) -> str:
    return ", ".join(f'"{p}"' for p in phrases)


@dataclass(frozen=True)
class CompiledCustomRule:
    rule: CustomRule
    info: RuleInfo
    categories: frozenset[str]  # empty: every category
    require: PhraseMatcher | None
    forbid: PhraseMatcher | None
    require_regex: re.Pattern[str] | None
    forbid_regex: re.Pattern[str] | None

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def field(self) -> str:
        return self.rule.field

    def applies_to(self, category: str) -> bool:
        return not self.categories or category in self.categories

    def check(self, text: str, runs: frozenset[str] | None = None) -> list[Finding]:
        """What is wrong with `text` (the configured field's value) under this rule.

        `runs` are the text's letter runs (or its watched runs, see
        textutil.watch_words), when the caller has them.
        """
        rule, field = self.rule, self.rule.field
        findings: list[Finding] = []
        if self.require is not None and not self.require.search(text, runs):
            findings.append(
                self._finding(
                    f"{field} has none of the required phrases {_quoted(rule.require)}",
                    f"add one of {_quoted(rule.require)} to the {field}",
                )
            )
        if self.forbid is not None:
            found = self.forbid.search(text, runs)
            if found is not None:
                findings.append(
                    self._finding(
                        f'{field} contains "{found.group(0)}", which is not allowed',
                        f'remove or reword "{found.group(0)}"',
                        found.group(0),
                    )
                )
        if self.require_regex is not None and not self.require_regex.search(text):
            findings.append(
                self._finding(
                    f"{field} does not match the required pattern `{rule.require_regex}`",
                    f"reword the {field} so it matches `{rule.require_regex}`",
                )
            )
        if self.forbid_regex is not None:
            found = self.forbid_regex.search(text)
            if found is not None:
                findings.append(
                    self._finding(
                        f'{field} contains "{found.group(0)}", which matches the forbidden '
                        f"pattern `{rule.forbid_regex}`",
                        f'remove or reword "{found.group(0)}"',
                        found.group(0),
                    )
                )
        return findings

    def _finding(
        self, default_message: str, default_help: str, found: str | None = None
    ) -> Finding:
        message = self.rule.message or default_message
        if self.rule.message:
            message = message.replace("{field}", self.rule.field)
            if found is not None:
                if "{found}" in message:
                    message = message.replace("{found}", found)
                else:
                    message = f'{message} ("{found}")'
        return Finding(message, self.rule.help or default_help)


def custom_rule_info(rule: CustomRule) -> RuleInfo:
    """The catalogue entry for a custom rule, so `mbr rules` shows it like the others."""
    conditions: list[str] = []
    if rule.require:
        conditions.append(f"has none of {_quoted(rule.require)}")
    if rule.forbid:
        conditions.append(f"contains any of {_quoted(rule.forbid)}")
    if rule.require_regex:
        conditions.append(f"does not match `{rule.require_regex}`")
    if rule.forbid_regex:
        conditions.append(f"matches `{rule.forbid_regex}`")
    scope = f" ({', '.join(rule.categories)})" if rule.categories else ""
    summary = f"The {rule.field} {' or '.join(conditions)}{scope}."
    what = (
        f"A custom rule from the config: it fires when the {rule.field} "
        f"{' or '.join(conditions)}"
        + (f", for the categories {', '.join(rule.categories)}." if rule.categories else ".")
    )
    return RuleInfo(
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        summary=summary,
        help=rule.help or "reword the text so it meets the rule",
        doc=RuleDoc(
            what=what,
            why="your organisation set this rule in its mbr config"
            + (f": {rule.message}" if rule.message else "."),
            example=f"a {rule.field} that {conditions[0]}" if conditions else "",
            fix=rule.help or "reword the text so it meets the rule",
        ),
        fields=(rule.field,),
    )


def _compile_regex(
    pattern: str | None, rule: CustomRule, key: str, origin: str
) -> re.Pattern[str] | None:
    if pattern is None or pattern == "":
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(
            f"{origin}: custom rule {rule.code} ({rule.name}): invalid {key} {pattern!r}: {exc}",
            hint="check the regular expression (Python syntax); in TOML, use a literal "
            "string ('...') so backslashes stay as written",
        ) from None


def compile_custom_rules(config: Config) -> list[CompiledCustomRule]:
    """Compile the config's custom rules; raise ConfigError for anything unusable."""
    origin = str(config.path) if config.path else "config"
    keys = [c.key for c in config.categories]
    compiled: list[CompiledCustomRule] = []
    seen: set[str] = set()
    for rule in config.rules.custom:
        if rule.code in seen:
            raise ConfigError(f"{origin}: custom rule {rule.code} is configured twice")
        seen.add(rule.code)
        categories: set[str] = set()
        for written in rule.categories:
            category = config.category_for(written)
            if category is None:
                match = difflib.get_close_matches(written, keys, n=1)
                raise ConfigError(
                    f"{origin}: custom rule {rule.code} ({rule.name}) names unknown category "
                    f"`{written}`",
                    hint=f"did you mean `{match[0]}`?"
                    if match
                    else f"categories: {', '.join(keys)}",
                )
            categories.add(category.key)
        compiled.append(
            CompiledCustomRule(
                rule=rule,
                info=custom_rule_info(rule),
                categories=frozenset(categories),
                require=PhraseMatcher(rule.require) if rule.require else None,
                forbid=PhraseMatcher(rule.forbid) if rule.forbid else None,
                require_regex=_compile_regex(rule.require_regex, rule, "require_regex", origin),
                forbid_regex=_compile_regex(rule.forbid_regex, rule, "forbid_regex", origin),
            )
        )
    return compiled
