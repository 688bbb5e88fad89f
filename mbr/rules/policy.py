"""The rule policy: which rules run, how severe they are, with which options.

Built once per run from the config's `[rules]` and the command line, and
validated then: an unknown rule code, option, category or selector is a
ConfigError (UsageError for command-line selectors) with a did-you-mean.

Selection works like ruff's: selectors are code prefixes ("MBR" every rule,
"MBR1" the text rules, "MBR101" one rule); for each code the most specific
matching selector decides, a command-line selector beats a config one of the
same length, and within one source `ignore` beats `select`. `--select`
replaces the config's `select`; `--ignore` adds to its `ignore`.
`per-category-ignores` then turn codes off for entries of a category.

Options and severities resolve per category: the rule's defaults (with
MBR106's error for wins, customer impact and launches), then `[rules.CODE]`,
then `[rules.CODE.per-category.CATEGORY]`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mbr.config import Config
from mbr.errors import ConfigError, MbrError, UsageError
from mbr.model import Severity
from mbr.rules.custom import CompiledCustomRule, compile_custom_rules
from mbr.rules.registry import RuleInfo, TextCheck, all_rules
from mbr.rules.vocabulary import build_vocabulary

# Families that are valid selectors even when empty (no custom rules yet).
_FAMILIES = ("MBR", "MBR0", "MBR1", "MBR2")
_SELECTOR = re.compile(r"MBR\d{0,3}")


@dataclass(frozen=True)
class Resolved:
    """One rule as it applies to entries of one category."""

    info: RuleInfo
    severity: Severity
    options: Mapping[str, Any]


def _did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else None


_LOOKALIKES = str.maketrans("OIL", "011")


def closest_code(text: str, codes: Iterable[str]) -> str | None:
    """The rule code a mistyped one most likely means: MBR1O1 -> MBR101,
    MBR1011 -> MBR101, MBR10 -> none (it is a valid prefix anyway)."""
    known = sorted(codes)
    wanted = text.strip().upper().translate(_LOOKALIKES)
    if wanted in known:
        return wanted
    prefixes = [code for code in known if wanted.startswith(code)]
    if prefixes:
        return max(prefixes, key=len)
    near = [
        code
        for code in known
        if len(code) == len(wanted) and sum(a != b for a, b in zip(code, wanted, strict=True)) == 1
    ]
    if near:
        return near[0]
    # A family prefix such as MBR9 has no good guess; a full code may.
    same_length = [code for code in known if len(code) == len(wanted)]
    match = difflib.get_close_matches(wanted, same_length, n=1, cutoff=0.6)
    return match[0] if match else None


def _code_hint(text: str, codes: Iterable[str]) -> str | None:
    code = closest_code(text, codes)
    return f"did you mean `{code}`?" if code else None


def _split(values: Iterable[str]) -> list[str]:
    # Accept "MBR1,MBR2" as well as repeated options.
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class RuleSet:
    """The rules of one run, with selection, severities and options resolved."""

    def __init__(
        self,
        config: Config,
        *,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] | None = None,
        errors_only: bool = False,
    ) -> None:
        """`errors_only`: a rule is on only where its severity is error (all
        that a compile without --draft shows)."""
        self.config = config
        self._command_line = (select, ignore)
        self.errors_only = errors_only
        self._origin = str(config.path) if config.path else "config"
        self.custom: list[CompiledCustomRule] = compile_custom_rules(config)
        self.infos: dict[str, RuleInfo] = {info.code: info for info in all_rules()}
        for custom in self.custom:
            self.infos[custom.code] = custom.info
        self._names = {info.name: code for code, info in self.infos.items()}
        self.vocabulary = build_vocabulary(config.vocabulary)

        settings = config.rules
        self._options = self._checked_options(settings.options, "[rules.{code}]")
        self._per_category: dict[str, dict[str, dict[str, Any]]] = {}
        for code, by_category in settings.per_category.items():
            for written, overrides in by_category.items():
                key = self._category_key(written, f"[rules.{code}.per-category]")
                checked = self._checked_options(
                    {code: overrides}, f"[rules.{code}.per-category.{key}]"
                )
                self._per_category.setdefault(code.upper(), {})[key] = checked[code.upper()]
        self._category_ignores: dict[str, tuple[str, ...]] = {}
        for written, codes in settings.per_category_ignores.items():
            key = self._category_key(written, "[rules.per-category-ignores]")
            where = f"{self._origin}: [rules.per-category-ignores] {written}"
            self._category_ignores[key] = self._selectors(codes, where, ConfigError)

        config_select = self._selectors(
            settings.select, f"{self._origin}: rules.select", ConfigError
        )
        config_ignore = self._selectors(
            settings.ignore, f"{self._origin}: rules.ignore", ConfigError
        )
        cli_select = self._selectors(_split(select or ()), "--select", UsageError)
        cli_ignore = self._selectors(_split(ignore or ()), "--ignore", UsageError)
        self._layers = (
            (() if cli_select else config_select, config_ignore),
            (cli_select, cli_ignore),
        )
        self._cache: dict[tuple[str, str | None], Resolved | None] = {}
        # Per category, built on first use: the engine asks once per entry.
        self._text_plans: dict[str, list[tuple[str, Resolved]]] = {}
        self._text_checks: dict[str, list[tuple[str, TextCheck, Resolved]]] = {}
        self._custom_plans: dict[str, list[tuple[CompiledCustomRule, Resolved]]] = {}

    # --- validation -----------------------------------------------------

    def _category_key(self, written: str, where: str) -> str:
        category = self.config.category_for(written)
        if category is None:
            keys = [c.key for c in self.config.categories]
            raise ConfigError(
                f"{self._origin}: unknown category `{written}` in {where}",
                hint=_did_you_mean(written, keys) or f"categories: {', '.join(keys)}",
            )
        return category.key

    def _rule_for(self, code: str, where: str) -> RuleInfo:
        info = self.infos.get(code.upper())
        if info is None:
            raise ConfigError(
                f"{self._origin}: unknown rule `{code}` in {where.replace('{code}', code)}",
                hint=_code_hint(code, self.infos) or "`mbr rules` lists every rule code",
            )
        return info

    def _checked_options(
        self, tables: Mapping[str, Mapping[str, Any]], where: str
    ) -> dict[str, dict[str, Any]]:
        checked: dict[str, dict[str, Any]] = {}
        for code, table in tables.items():
            info = self._rule_for(code, where)
            values: dict[str, Any] = {}
            for name, value in table.items():
                if name == "severity":
                    values[name] = value
                    continue
                if name not in info.options:
                    known = [*info.options, "severity"]
                    raise ConfigError(
                        f"{self._origin}: unknown option `{name}` for {info.code} ({info.name}) "
                        f"in {where.replace('{code}', info.code)}",
                        hint=_did_you_mean(name, known) or f"{info.code} takes: {', '.join(known)}",
                    )
                values[name] = self._checked_value(info, name, value)
            checked[info.code] = values
        return checked

    def _checked_value(self, info: RuleInfo, name: str, value: Any) -> Any:
        default = info.options[name]
        where = f"{self._origin}: `rules.{info.code}.{name}`"
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{where} must be true or false, not {value!r}")
            return value
        if isinstance(default, int | float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{where} must be a number, not {value!r}")
            if name == "threshold" and not 0 < value <= 1:
                raise ConfigError(f"{where} must be above 0 and at most 1, not {value!r}")
            if value <= 0:
                raise ConfigError(f"{where} must be above 0, not {value!r}")
            return int(value) if isinstance(value, float) and value.is_integer() else value
        if isinstance(default, str) and not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, not {value!r}")
        return value

    def _selectors(
        self, values: Iterable[str], where: str, error: type[MbrError]
    ) -> tuple[str, ...]:
        result: list[str] = []
        for value in values:
            selector = value.strip().upper()
            if selector == "ALL":
                selector = "MBR"
            elif value.strip().lower() in self._names:
                selector = self._names[value.strip().lower()]
            if _SELECTOR.fullmatch(selector) and (
                selector in _FAMILIES or any(code.startswith(selector) for code in self.infos)
            ):
                result.append(selector)
                continue
            suggestion = (
                _code_hint(selector, self.infos)
                if selector.startswith("MBR")
                else _did_you_mean(value.strip().lower(), self._names)
            )
            raise error(
                f"{where}: unknown rule selector `{value}`",
                hint=suggestion
                or 'selectors are rule codes or their prefixes: "MBR" (all), "MBR1", "MBR101"',
            )
        return tuple(result)

    # --- resolution -----------------------------------------------------

    def is_selected(self, code: str) -> bool:
        """Whether select/ignore (config and command line) leave the rule on."""
        best: tuple[int, int, int] | None = None
        for layer, (selects, ignores) in enumerate(self._layers):
            for prefix in selects:
                if code.startswith(prefix):
                    best = max(best or (-1, -1, -1), (len(prefix), layer, 0))
            for prefix in ignores:
                if code.startswith(prefix):
                    best = max(best or (-1, -1, -1), (len(prefix), layer, 1))
        return best is not None and best[2] == 0

    def resolve(self, code: str, category: str | None) -> Resolved | None:
        """The rule as it applies to an entry of `category`, or None when it is off."""
        key = (code, category)
        if key not in self._cache:
            self._cache[key] = self._resolve(code, category)
        return self._cache[key]

    def _resolve(self, code: str, category: str | None) -> Resolved | None:
        info = self.infos.get(code)
        if info is None or not self.is_selected(code):
            return None
        if category is not None and any(
            code.startswith(prefix) for prefix in self._category_ignores.get(category, ())
        ):
            return None
        general = self._options.get(code, {})
        specific = self._per_category.get(code, {}).get(category, {}) if category else {}
        options = {**info.options, **general, **specific}
        severity = options.pop("severity", None) or info.default_severity(category)
        if self.errors_only and severity is not Severity.ERROR:
            return None
        return Resolved(info, severity, options)

    def severity(self, code: str, category: str | None) -> Severity | None:
        resolved = self.resolve(code, category)
        return resolved.severity if resolved else None

    def text_plan(self, category: str) -> list[tuple[str, Resolved]]:
        """(field, rule) for every text rule (MBR1xx) that runs on entries of
        `category`, in code order."""
        plan = self._text_plans.get(category)
        if plan is None:
            plan = [
                (field, resolved)
                for info in self.infos.values()
                if info.check is not None
                and (resolved := self.resolve(info.code, category)) is not None
                for field in info.fields
            ]
            self._text_plans[category] = plan
        return plan

    def __reduce__(self) -> tuple[Callable[..., RuleSet], tuple[object, ...]]:
        # Pickled as what it is made from (a worker process builds its own):
        # its caches and compiled rules are the same when rebuilt.
        return _rebuilt, (self.config, *self._command_line, self.errors_only)

    def text_checks(self, category: str) -> list[tuple[str, TextCheck, Resolved]]:
        """text_plan(category) with each rule's check function, as the engine runs it."""
        checks = self._text_checks.get(category)
        if checks is None:
            checks = []
            for field, resolved in self.text_plan(category):
                assert resolved.info.check is not None  # text_plan holds text rules only
                checks.append((field, resolved.info.check, resolved))
            self._text_checks[category] = checks
        return checks

    def custom_plan(self, category: str) -> list[tuple[CompiledCustomRule, Resolved]]:
        """The custom rules (MBR2xx) that run on entries of `category`."""
        plan = self._custom_plans.get(category)
        if plan is None:
            plan = []
            for custom in self.custom:
                if custom.applies_to(category):
                    resolved = self.resolve(custom.code, category)
                    if resolved is not None:
                        plan.append((custom, resolved))
            self._custom_plans[category] = plan
        return plan


def _rebuilt(
    config: Config, select: Sequence[str] | None, ignore: Sequence[str] | None, errors_only: bool
) -> RuleSet:
    return RuleSet(config, select=select, ignore=ignore, errors_only=errors_only)
