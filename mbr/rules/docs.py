"""Rule documentation: `mbr rules`, `mbr rules CODE` and the README's rule table.

All of it is generated from the rule catalogue (each rule's docstring and
metadata), plus the custom rules of a config, so the docs cannot drift from
the rules.
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Mapping
from typing import Any

from mbr.config import Config
from mbr.errors import UsageError
from mbr.model import Severity
from mbr.rules.policy import RuleSet, closest_code
from mbr.rules.registry import RuleInfo, all_rules

CUSTOM_ROW = (
    "| MBR2xx | (custom) | as configured | User-defined rules in the config: phrases or a regex "
    "that must (`require`) or must not (`forbid`) appear in `summary` or `headline`, for "
    "chosen categories, with message and severity |"
)


def severity_text(info: RuleInfo) -> str:
    """The default severity in words: "error", or "error for win / launch, warning otherwise"."""
    if not info.category_severity:
        return info.severity.value
    by_severity: dict[Severity, list[str]] = {}
    for category, severity in info.category_severity.items():
        by_severity.setdefault(severity, []).append(category)
    parts = [f"{sev.value} for {' / '.join(cats)}" for sev, cats in by_severity.items()]
    return f"{', '.join(parts)}, {info.severity.value} otherwise"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def rule_table_markdown() -> str:
    """The README's rule table: code | name | default | fires when, one row per rule."""
    lines = ["| code | name | default | fires when |", "|---|---|---|---|"]
    for info in all_rules():
        lines.append(
            f"| {info.code} | {info.name} | {_cell(severity_text(info))} | {_cell(info.summary)} |"
        )
    lines.append(CUSTOM_ROW)
    return "\n".join(lines) + "\n"


def _rule_set(config: Config | None) -> RuleSet:
    return RuleSet(config if config is not None else Config())


def find_rule(code: str, config: Config | None = None) -> RuleInfo:
    """The rule a code or kebab-case name stands for; UsageError with a did-you-mean."""
    infos = _rule_set(config).infos
    wanted = code.strip()
    if wanted.upper() in infos:
        return infos[wanted.upper()]
    by_name = {info.name: info for info in infos.values()}
    if wanted.lower() in by_name:
        return by_name[wanted.lower()]
    if wanted.upper().startswith("MBR"):
        code_match = closest_code(wanted, infos)
        match = [code_match] if code_match else []
    else:
        match = difflib.get_close_matches(wanted.lower(), list(by_name), n=1, cutoff=0.6)
    raise UsageError(
        f"unknown rule `{code}`",
        hint=f"did you mean `{match[0]}`?" if match else "`mbr rules` lists every rule",
    )


def _configured(config: Config | None, code: str) -> Mapping[str, Any]:
    return config.rules.options.get(code, {}) if config is not None else {}


def rules_as_dicts(config: Config | None = None, code: str | None = None) -> list[dict[str, Any]]:
    """Every rule (or the one named) for `mbr rules --format json`, with the config's
    options and severity folded in."""
    rules = _rule_set(config)
    infos = (
        [find_rule(code, config)] if code else sorted(rules.infos.values(), key=lambda i: i.code)
    )
    result: list[dict[str, Any]] = []
    for info in infos:
        configured = _configured(config, info.code)
        options = {**info.options, **{k: v for k, v in configured.items() if k != "severity"}}
        result.append(
            {
                "code": info.code,
                "name": info.name,
                "severity": Severity(configured.get("severity", info.severity)).value,
                "category_severity": {k: v.value for k, v in info.category_severity.items()},
                "selected": rules.is_selected(info.code),
                "summary": info.summary,
                "help": info.help,
                "options": options,
                "what": info.doc.what,
                "why": info.doc.why,
                "example": info.doc.example,
                "fix": info.doc.fix,
            }
        )
    return result


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(
        text, width=88, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    )


def explain(code: str, config: Config | None = None) -> str:
    """A rule's full documentation as text: what, why, example, fix, options, severity."""
    info = find_rule(code, config)
    configured = _configured(config, info.code)
    lines = [f"{info.code} {info.name} ({severity_text(info)})", "", info.summary, ""]
    for title, text in (
        ("What", info.doc.what),
        ("Why", info.doc.why),
        ("Example", info.doc.example),
        ("Fix", info.doc.fix),
    ):
        lines += [f"{title}:", _wrap(text), ""]
    lines += ["Help line:", _wrap(info.help), ""]
    if info.options:
        lines.append("Options (default):")
        for name, default in info.options.items():
            note = f"  (configured: {configured[name]})" if name in configured else ""
            lines.append(f"  {name} = {default}{note}")
        lines.append("")
    if "severity" in configured:
        lines += [f"Configured severity: {Severity(configured['severity']).value}", ""]
    if config is not None:
        per_category = config.rules.per_category.get(info.code, {})
        for category, overrides in per_category.items():
            settings = ", ".join(f"{k} = {getattr(v, 'value', v)}" for k, v in overrides.items())
            lines.append(f"For {category}: {settings}")
        if per_category:
            lines.append("")
        if not _rule_set(config).is_selected(info.code):
            lines += ["Turned off by the config's rules.select / rules.ignore.", ""]
    return "\n".join(lines).rstrip() + "\n"


def rule_list_text(config: Config | None = None) -> str:
    """`mbr rules`: one line per rule (code, name, severity or "off", what it catches)."""
    rules = _rule_set(config)
    infos = sorted(rules.infos.values(), key=lambda i: i.code)
    name_width = max(len(i.name) for i in infos)
    lines = []
    for info in infos:
        configured = _configured(config, info.code)
        if not rules.is_selected(info.code):
            severity = "off"
        elif "severity" in configured:
            severity = Severity(configured["severity"]).value
        elif info.category_severity:
            severity = "varies"
        else:
            severity = info.severity.value
        lines.append(f"{info.code}  {info.name:<{name_width}}  {severity:<7}  {info.summary}")
    return "\n".join(lines) + "\n"
