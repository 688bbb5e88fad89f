"""Configuration: the Config dataclass, its defaults, and load_config().

Defaults live here only. A config is `mbr.toml`, or `[tool.mbr]` in
`pyproject.toml`, found by walking up from the working directory; `--config`
names one directly. Unknown keys are errors with a did-you-mean.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from mbr.errors import ConfigError
from mbr.fields import normalise_name
from mbr.model import Severity


@dataclass(frozen=True)
class Category:
    key: str
    title: str
    aliases: tuple[str, ...] = ()


DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category("win", "Wins", ("highlight", "highlights")),
    Category("customer-impact", "Customer Impact", ("impact",)),
    Category("launch", "Launches"),
    Category("lowlight", "Lowlights"),
    Category("risk", "Risks"),
    Category("ask", "Asks"),
)

# 2x2 template: quadrant title -> categories shown in it, in reading order.
DEFAULT_QUADRANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Highlights", ("win", "launch")),
    ("Lowlights", ("lowlight",)),
    ("Customer Impact", ("customer-impact",)),
    ("Risks & Asks", ("risk", "ask")),
)


@dataclass(frozen=True)
class CustomRule:
    """A user-defined MBR2xx rule: phrases/regex that must or must not appear."""

    code: str
    name: str
    message: str
    help: str = ""
    severity: Severity = Severity.WARNING
    field: str = "summary"
    categories: tuple[str, ...] = ()  # empty: every category
    require: tuple[str, ...] = ()  # any one of these phrases must appear
    forbid: tuple[str, ...] = ()  # none of these phrases may appear
    require_regex: str | None = None
    forbid_regex: str | None = None


@dataclass(frozen=True)
class RuleSettings:
    select: tuple[str, ...] = ("MBR",)
    ignore: tuple[str, ...] = ()
    # code -> option name -> value ("severity" included)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # code -> category key -> option name -> value ("severity" included)
    per_category: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)
    # category key -> codes ignored for that category
    per_category_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    custom: tuple[CustomRule, ...] = ()


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    user: str | None = None
    password_env: str | None = None
    from_addr: str = ""
    to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Limits:
    """Bounds on what one input may hold, so a hostile or broken file fails fast.

    The defaults sit far above any real log (a multi-year log of 100,000
    entries is a few tens of MB) and far below what would exhaust memory.
    """

    max_file_mb: int = 200  # one source file, as stored on disk
    max_rows: int = 250_000  # entries (filled rows, YAML entries) in one file
    max_cell_chars: int = 32_767  # one value; Excel's own limit for a cell

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb << 20


@dataclass(frozen=True)
class RosterMember:
    name: str
    email: str = ""
    team: str = ""


@dataclass(frozen=True)
class Config:
    # Directory relative paths in the config are resolved against.
    root: Path = field(default_factory=Path.cwd)
    path: Path | None = None
    org: str = ""
    sources: tuple[Path, ...] = ()
    output: str = "reports/{org}-mbr-{period}.docx"
    template: str = "narrative"
    reference_docx: Path | None = None
    classification: str = "Internal"
    date_order: str = "MDY"
    languages: tuple[str, ...] = ("en",)
    sheet: str | None = None
    roster: Path | None = None
    roster_members: tuple[RosterMember, ...] = ()
    schedule: str = "0 7 1 * *"
    vocabulary: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    categories: tuple[Category, ...] = DEFAULT_CATEGORIES
    quadrants: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_QUADRANTS
    rules: RuleSettings = field(default_factory=RuleSettings)
    smtp: SmtpConfig | None = None
    # Day of the month by which entries for the previous month are due (reminders).
    deadline_day: int = 3
    limits: Limits = field(default_factory=Limits)

    def category_for(self, text: str) -> Category | None:
        """The configured category a written value names (key, title or alias)."""
        return self._category_index.get(normalise_name(text))

    @cached_property
    def _category_index(self) -> dict[str, Category]:
        # Built once per config: category_for runs once per entry.
        index: dict[str, Category] = {}
        for category in self.categories:
            for name in (category.key, category.title, *category.aliases):
                index.setdefault(normalise_name(name), category)
        return index

    def category_title(self, key: str) -> str:
        for category in self.categories:
            if category.key == key:
                return category.title
        return key


CONFIG_FILENAME = "mbr.toml"

_TOP_LEVEL_KEYS = {
    "org",
    "sources",
    "output",
    "template",
    "reference_docx",
    "classification",
    "date_order",
    "languages",
    "sheet",
    "roster",
    "schedule",
    "vocabulary",
    "teams",
    "categories",
    "quadrants",
    "rules",
    "smtp",
    "deadline_day",
    "limits",
}
_LIMITS_KEYS = {"max_file_mb", "max_rows", "max_cell_chars"}
_CATEGORY_KEYS = {"key", "title", "aliases"}
_RULES_KEYS = {"select", "ignore", "per-category-ignores", "custom"}
_CUSTOM_RULE_KEYS = {
    "code",
    "name",
    "message",
    "help",
    "severity",
    "field",
    "categories",
    "require",
    "forbid",
    "require_regex",
    "forbid_regex",
}
_SMTP_KEYS = {"host", "port", "security", "user", "password_env", "from", "to"}
_DATE_ORDERS = {"MDY", "DMY", "YMD"}


def find_config(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """Walk up from `start` to the first mbr.toml or pyproject.toml with [tool.mbr]."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_FILENAME
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            data = _read_toml(pyproject)
            tool = data.get("tool", {})
            if isinstance(tool, dict) and "mbr" in tool:
                section = tool["mbr"]
                if not isinstance(section, dict):
                    raise ConfigError(f"{pyproject}: [tool.mbr] must be a table")
                return pyproject, section
    return None


def load_config(path: Path | None = None, *, start: Path | None = None) -> Config:
    """Load the config named by `path`, or the one found walking up from `start`."""
    if path is not None:
        if not path.is_file():
            raise ConfigError(
                f"config file not found: {path}",
                hint="check the --config path, or run `mbr init` to create one",
            )
        data = _read_toml(path)
        if path.name == "pyproject.toml":
            data = data.get("tool", {}).get("mbr", {})
        return config_from_mapping(data, root=path.resolve().parent, path=path)
    found = find_config(start)
    if found is None:
        return Config(root=(start or Path.cwd()).resolve())
    found_path, data = found
    return config_from_mapping(data, root=found_path.parent, path=found_path)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _did_you_mean(key: str, known: set[str]) -> str:
    match = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else f"known keys: {', '.join(sorted(known))}"


def _check_keys(table: Mapping[str, Any], known: set[str], where: str, origin: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(
                f"{origin}: unknown key `{key}` in {where}",
                hint=_did_you_mean(key, known),
            )


class _Reader:
    """Typed access to one TOML table, with errors naming the file and key."""

    def __init__(self, table: Mapping[str, Any], where: str, origin: str) -> None:
        self.table = table
        self.where = where
        self.origin = origin

    def _fail(self, key: str, expected: str) -> ConfigError:
        value = self.table[key]
        return ConfigError(
            f"{self.origin}: `{self.where}{key}` must be {expected}, "
            f"not {type(value).__name__} {value!r}"
        )

    def text(self, key: str, default: str) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def optional_text(self, key: str) -> str | None:
        if key not in self.table:
            return None
        return self.text(key, "")

    def integer(self, key: str, default: int) -> int:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "a whole number")
        return value

    def texts(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.table.get(key, list(default))
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings")
        return tuple(value)

    def table_at(self, key: str) -> Mapping[str, Any]:
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            raise self._fail(key, "a table")
        return value


def config_from_mapping(
    data: Mapping[str, Any], *, root: Path, path: Path | None = None
) -> Config:
    """Validate a parsed TOML mapping and build a Config."""
    origin = str(path) if path else "config"
    _check_keys(data, _TOP_LEVEL_KEYS, "the config", origin)
    read = _Reader(data, "", origin)

    date_order = read.text("date_order", "MDY").upper()
    if date_order not in _DATE_ORDERS:
        raise ConfigError(
            f"{origin}: `date_order` must be one of MDY, DMY, YMD, not {date_order!r}"
        )
    roster_path = read.optional_text("roster") if isinstance(data.get("roster"), str) else None
    categories = _categories(data, origin)
    return Config(
        root=root,
        path=path,
        org=read.text("org", ""),
        sources=tuple(root / s for s in read.texts("sources")),
        output=read.text("output", Config.output),
        template=read.text("template", Config.template),
        reference_docx=_optional_path(read.optional_text("reference_docx"), root),
        classification=read.text("classification", Config.classification),
        date_order=date_order,
        languages=read.texts("languages", Config.languages),
        sheet=read.optional_text("sheet"),
        roster=_optional_path(roster_path, root),
        roster_members=_roster_members(data, origin),
        schedule=read.text("schedule", Config.schedule),
        vocabulary=read.texts("vocabulary"),
        teams=read.texts("teams"),
        categories=categories,
        quadrants=_quadrants(data, origin, categories),
        rules=_rules(read.table_at("rules"), origin),
        smtp=_smtp(data, origin),
        deadline_day=read.integer("deadline_day", Config.deadline_day),
        limits=_limits(read.table_at("limits"), origin),
    )


def _limits(table: Mapping[str, Any], origin: str) -> Limits:
    _check_keys(table, _LIMITS_KEYS, "[limits]", origin)
    read = _Reader(table, "limits.", origin)
    defaults = Limits()
    limits = Limits(
        max_file_mb=read.integer("max_file_mb", defaults.max_file_mb),
        max_rows=read.integer("max_rows", defaults.max_rows),
        max_cell_chars=read.integer("max_cell_chars", defaults.max_cell_chars),
    )
    for key in _LIMITS_KEYS:
        if getattr(limits, key) < 1:
            raise ConfigError(f"{origin}: `limits.{key}` must be at least 1")
    return limits


def _optional_path(text: str | None, root: Path) -> Path | None:
    return root / text if text else None


def _categories(data: Mapping[str, Any], origin: str) -> tuple[Category, ...]:
    raw = data.get("categories")
    if raw is None:
        return DEFAULT_CATEGORIES
    if not isinstance(raw, list) or not raw or not all(isinstance(c, dict) for c in raw):
        raise ConfigError(
            f"{origin}: `categories` must be a non-empty array of tables ([[categories]])"
        )
    result: list[Category] = []
    seen: set[str] = set()
    for index, table in enumerate(raw, start=1):
        where = f"categories[{index}]."
        _check_keys(table, _CATEGORY_KEYS, f"[[categories]] #{index}", origin)
        read = _Reader(table, where, origin)
        key = read.text("key", "").strip()
        if not key:
            raise ConfigError(f"{origin}: [[categories]] #{index} needs a `key`")
        if key in seen:
            raise ConfigError(f"{origin}: category `{key}` is configured twice")
        seen.add(key)
        title = read.text("title", key.replace("-", " ").title())
        result.append(Category(key, title, read.texts("aliases")))
    return tuple(result)


def _quadrants(
    data: Mapping[str, Any], origin: str, categories: tuple[Category, ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    raw = data.get("quadrants")
    if raw is None:
        return DEFAULT_QUADRANTS
    if not isinstance(raw, dict) or len(raw) != 4:
        raise ConfigError(
            f"{origin}: `quadrants` must be a table of exactly four titles, each a list of "
            "category keys, e.g. [quadrants] Highlights = [\"win\", \"launch\"]"
        )
    keys = {c.key for c in categories}
    result: list[tuple[str, tuple[str, ...]]] = []
    for title, members in raw.items():
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise ConfigError(f"{origin}: `quadrants.{title}` must be a list of category keys")
        for member in members:
            if member not in keys:
                raise ConfigError(
                    f"{origin}: `quadrants.{title}` names unknown category `{member}`",
                    hint=_did_you_mean(member, keys),
                )
        result.append((title, tuple(members)))
    return tuple(result)


def _roster_members(data: Mapping[str, Any], origin: str) -> tuple[RosterMember, ...]:
    raw = data.get("roster")
    if raw is None or isinstance(raw, str):
        return ()
    if not isinstance(raw, list):
        raise ConfigError(
            f"{origin}: `roster` must be a CSV path or a list of tables with name, email, team"
        )
    members: list[RosterMember] = []
    for index, item in enumerate(raw, start=1):
        if isinstance(item, str):
            members.append(RosterMember(item))
            continue
        if not isinstance(item, dict):
            raise ConfigError(f"{origin}: roster entry #{index} must be a name or a table")
        _check_keys(item, {"name", "email", "team"}, f"roster entry #{index}", origin)
        read = _Reader(item, f"roster[{index}].", origin)
        members.append(
            RosterMember(read.text("name", ""), read.text("email", ""), read.text("team", ""))
        )
    return tuple(members)


def _severity(value: Any, where: str, origin: str) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise ConfigError(
            f"{origin}: `{where}` must be error, warning or info, not {value!r}"
        ) from None


def _rules(table: Mapping[str, Any], origin: str) -> RuleSettings:
    read = _Reader(table, "rules.", origin)
    options: dict[str, dict[str, Any]] = {}
    per_category: dict[str, dict[str, dict[str, Any]]] = {}
    for key, value in table.items():
        if key in _RULES_KEYS:
            continue
        if not key.upper().startswith("MBR"):
            raise ConfigError(
                f"{origin}: unknown key `{key}` in [rules]",
                hint=_did_you_mean(key, _RULES_KEYS)
                + " Rule settings go in tables named after the rule code, e.g. [rules.MBR101].",
            )
        if not isinstance(value, dict):
            raise ConfigError(f"{origin}: `rules.{key}` must be a table of rule options")
        code = key.upper()
        rule_options = {k: v for k, v in value.items() if k != "per-category"}
        if "severity" in rule_options:
            rule_options["severity"] = _severity(
                rule_options["severity"], f"rules.{key}.severity", origin
            )
        options[code] = rule_options
        by_category = value.get("per-category", {})
        if not isinstance(by_category, dict):
            raise ConfigError(f"{origin}: `rules.{key}.per-category` must be a table")
        for category, overrides in by_category.items():
            if not isinstance(overrides, dict):
                raise ConfigError(
                    f"{origin}: `rules.{key}.per-category.{category}` must be a table"
                )
            overrides = dict(overrides)
            if "severity" in overrides:
                overrides["severity"] = _severity(
                    overrides["severity"], f"rules.{key}.per-category.{category}.severity", origin
                )
            per_category.setdefault(code, {})[category] = overrides
    ignores_table = read.table_at("per-category-ignores")
    per_category_ignores = {
        category: tuple(code.upper() for code in _Reader(ignores_table, "", origin).texts(category))
        for category in ignores_table
    }
    return RuleSettings(
        select=tuple(c.upper() for c in read.texts("select", ("MBR",))),
        ignore=tuple(c.upper() for c in read.texts("ignore")),
        options=options,
        per_category=per_category,
        per_category_ignores=per_category_ignores,
        custom=_custom_rules(table.get("custom", []), origin),
    )


def _custom_rules(raw: Any, origin: str) -> tuple[CustomRule, ...]:
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise ConfigError(f"{origin}: `rules.custom` must be an array of tables ([[rules.custom]])")
    rules: list[CustomRule] = []
    for index, table in enumerate(raw, start=1):
        _check_keys(table, _CUSTOM_RULE_KEYS, f"[[rules.custom]] #{index}", origin)
        read = _Reader(table, f"rules.custom[{index}].", origin)
        code = read.text("code", "").upper()
        if not (len(code) == 6 and code.startswith("MBR2") and code[3:].isdigit()):
            raise ConfigError(
                f"{origin}: [[rules.custom]] #{index} needs a `code` from MBR200 to MBR299, "
                f"not {code!r}"
            )
        target = read.text("field", "summary")
        if target not in ("summary", "headline"):
            raise ConfigError(
                f"{origin}: `rules.custom[{index}].field` must be summary or headline"
            )
        rule = CustomRule(
            code=code,
            name=read.text("name", code.lower()),
            message=read.text("message", ""),
            help=read.text("help", ""),
            severity=_severity(table.get("severity", "warning"), f"{code}.severity", origin),
            field=target,
            categories=read.texts("categories"),
            require=read.texts("require"),
            forbid=read.texts("forbid"),
            require_regex=read.optional_text("require_regex"),
            forbid_regex=read.optional_text("forbid_regex"),
        )
        if not (rule.require or rule.forbid or rule.require_regex or rule.forbid_regex):
            raise ConfigError(
                f"{origin}: custom rule {code} needs one of require, forbid, "
                "require_regex, forbid_regex"
            )
        rules.append(rule)
    return tuple(rules)


def _smtp(data: Mapping[str, Any], origin: str) -> SmtpConfig | None:
    if "smtp" not in data:
        return None
    table = _Reader(data, "", origin).table_at("smtp")
    _check_keys(table, _SMTP_KEYS, "[smtp]", origin)
    read = _Reader(table, "smtp.", origin)
    security = read.text("security", "starttls").lower()
    if security not in ("starttls", "ssl", "none"):
        raise ConfigError(f"{origin}: `smtp.security` must be starttls, ssl or none")
    return SmtpConfig(
        host=read.text("host", "localhost"),
        port=read.integer("port", 465 if security == "ssl" else 587),
        security=security,
        user=read.optional_text("user"),
        password_env=read.optional_text("password_env"),
        from_addr=read.text("from", ""),
        to=read.texts("to"),
    )
