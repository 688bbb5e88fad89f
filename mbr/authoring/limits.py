"""The rules as a given config applies them: severities, limits, on or off.

The intake spreadsheet's Instructions sheet, its live word count and the
comments in a new YAML entry all state the limits people are checked
against. They read them here, resolved by the same RuleSet `mbr check`
uses, so what authors are told is what the check enforces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mbr.config import Config
from mbr.model import Severity
from mbr.rules.policy import RuleSet


@dataclass(frozen=True)
class ConfiguredRule:
    """One rule with the config's selection, severity and options applied."""

    code: str
    name: str
    severity: Severity
    summary: str
    help: str
    enabled: bool
    options: Mapping[str, Any] = field(default_factory=dict)
    # category key -> (severity, options) where they differ from the general setting
    per_category: Mapping[str, tuple[Severity, Mapping[str, Any]]] = field(
        default_factory=dict
    )
    # category keys for which the config switches the rule off
    ignored_for: tuple[str, ...] = ()


def configured_rules(config: Config) -> list[ConfiguredRule]:
    """Every rule, custom rules included, in code order, as this config applies them.

    Raises ConfigError for invalid rule settings, as `mbr check` would.
    """
    rules = RuleSet(config)
    result: list[ConfiguredRule] = []
    for code in sorted(rules.infos):
        info = rules.infos[code]
        general = rules.resolve(code, None)
        severity = general.severity if general else info.severity
        options = general.options if general else info.options
        per_category: dict[str, tuple[Severity, Mapping[str, Any]]] = {}
        ignored_for: list[str] = []
        for category in config.categories if general else ():
            resolved = rules.resolve(code, category.key)
            if resolved is None:
                ignored_for.append(category.key)
            elif resolved.severity is not severity or resolved.options != options:
                per_category[category.key] = (resolved.severity, resolved.options)
        result.append(
            ConfiguredRule(
                code=code,
                name=info.name,
                severity=severity,
                summary=info.summary,
                help=info.help,
                enabled=general is not None,
                options=options,
                per_category=per_category,
                ignored_for=tuple(ignored_for),
            )
        )
    return result


def describe_options(options: Mapping[str, Any]) -> str:
    """`max_words = 120, min_words = 25`: options as they are written in mbr.toml."""
    return ", ".join(f"{key} = {toml_value(value)}" for key, value in options.items())


def toml_value(value: Any) -> str:
    """A value as TOML writes it (strings, numbers, booleans, lists of them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return str(value)
