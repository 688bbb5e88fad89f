"""The rule catalogue: one RuleInfo per code, with its documentation.

Every diagnostic mbr emits has a code registered here, whether a text rule
raises it (mbr.rules.text) or the intake/entry stages do (mbr.rules.input).
`mbr rules` and the README's rule table both read this catalogue, so the two
cannot drift apart.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from mbr.model import Diagnostic, Location, Severity
from mbr.rules.textutil import MeasuredText


class Finding(NamedTuple):
    """What a text rule returns: the message and, where it differs, a specific help.

    (A named tuple: immutable like a frozen dataclass, and cheaper to make.)
    """

    message: str
    help: str | None = None
    field: str = "summary"


class EntryFacts(Protocol):
    """The fields the text and custom rules read; an Entry has them all."""

    @property
    def category(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def headline(self) -> str: ...
    @property
    def customer(self) -> str: ...
    @property
    def metric(self) -> str: ...


class RuleContext(MeasuredText):
    """What a text rule sees: the entry, the text under test and resolved options.

    It is also the text's MeasuredText (ctx.words, ctx.sentences,
    ctx.letter_runs, ...): the engine makes one context per field of an
    entry and sets `options` before each rule, so the rules of a field share
    every measurement of its text. A rule reads the context and returns
    findings; it never changes it.
    """

    __slots__ = ("entry", "field", "options", "vocabulary")

    def __init__(
        self,
        entry: EntryFacts,
        text: str,
        field: str,
        options: Mapping[str, Any],
        vocabulary: frozenset[str],
    ) -> None:
        MeasuredText.__init__(self, text)
        self.entry = entry
        self.field = field
        self.options = options
        self.vocabulary = vocabulary


TextCheck = Callable[[RuleContext], Iterable[Finding]]


@dataclass(frozen=True)
class RuleDoc:
    what: str
    why: str
    example: str
    fix: str


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: Severity
    summary: str  # one line: when it fires
    help: str  # default help line shown under each diagnostic
    doc: RuleDoc
    options: Mapping[str, Any] = field(default_factory=dict)
    # Default severity by category key where it differs from `severity`.
    category_severity: Mapping[str, Severity] = field(default_factory=dict)
    # Fields a text rule applies to; empty for rules raised outside mbr.rules.text.
    fields: tuple[str, ...] = ()
    check: TextCheck | None = None

    def default_severity(self, category: str | None) -> Severity:
        if category is not None and category in self.category_severity:
            return self.category_severity[category]
        return self.severity


_REGISTRY: dict[str, RuleInfo] = {}


def parse_doc(docstring: str | None) -> tuple[str, RuleDoc]:
    """Split a rule docstring into its summary line and What/Why/Example/Fix parts.

    The docstring's first line is the summary; the rest holds sections headed
    `What:`, `Why:`, `Example:` and `Fix:`.
    """
    text = inspect.cleandoc(docstring or "")
    summary, _, body = text.partition("\n")
    sections: dict[str, list[str]] = {"what": [], "why": [], "example": [], "fix": []}
    current: list[str] | None = None
    for line in body.splitlines():
        head, sep, rest = line.partition(":")
        if sep and head.strip().lower() in sections and line[:1] != " ":
            current = sections[head.strip().lower()]
            if rest.strip():
                current.append(rest.strip())
        elif current is not None:
            current.append(line.strip())
    joined = {k: " ".join(s for s in v if s).strip() for k, v in sections.items()}
    for key, value in joined.items():
        if not value:
            raise ValueError(f"rule docstring lacks a `{key.title()}:` section: {summary!r}")
    return summary.strip(), RuleDoc(**joined)


def register(info: RuleInfo) -> RuleInfo:
    if info.code in _REGISTRY:
        raise ValueError(f"rule {info.code} registered twice")
    _REGISTRY[info.code] = info
    return info


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    help: str,
    options: Mapping[str, Any] | None = None,
    category_severity: Mapping[str, Severity] | None = None,
    fields: tuple[str, ...] = ("summary",),
) -> Callable[[TextCheck], TextCheck]:
    """Register a text rule; its docstring is its documentation."""

    def decorate(check: TextCheck) -> TextCheck:
        summary, doc = parse_doc(check.__doc__)
        register(
            RuleInfo(
                code=code,
                name=name,
                severity=severity,
                summary=summary,
                help=help,
                doc=doc,
                options=dict(options or {}),
                category_severity=dict(category_severity or {}),
                fields=fields,
                check=check,
            )
        )
        return check

    return decorate


def declare(
    code: str, name: str, severity: Severity, *, help: str, options: Mapping[str, Any] | None = None
) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register a rule raised outside the text rules; the function body is unused,
    its docstring is the documentation (so every rule is documented the same way)."""

    def decorate(func: Callable[[], None]) -> Callable[[], None]:
        summary, doc = parse_doc(func.__doc__)
        register(RuleInfo(code, name, severity, summary, help, doc, options=dict(options or {})))
        return func

    return decorate


def rule_info(code: str) -> RuleInfo:
    _load_builtin_rules()
    return _REGISTRY[code]


def all_rules() -> list[RuleInfo]:
    _load_builtin_rules()
    return [_REGISTRY[code] for code in sorted(_REGISTRY)]


# The modules whose import registers the built-in rules.
BUILTIN_RULE_MODULES = ("mbr.rules.input", "mbr.rules.text")


_builtin_loaded = False


def _load_builtin_rules() -> None:
    # Importing the modules registers their rules; done lazily to keep imports one-way.
    # rule_info runs for every diagnostic: after the first time this is one test.
    global _builtin_loaded
    if _builtin_loaded:
        return
    for name in BUILTIN_RULE_MODULES:
        importlib.import_module(name)
    _builtin_loaded = True


def diagnostic(
    code: str,
    message: str,
    location: Location,
    *,
    help: str | None = None,
    entry_id: str | None = None,
    field: str | None = None,
    category: str | None = None,
) -> Diagnostic:
    """Build a diagnostic for a registered code with its default name and severity.

    The engine's policy later applies select/ignore and configured severities.
    """
    info = rule_info(code)
    return Diagnostic(
        code=code,
        name=info.name,
        severity=info.default_severity(category),
        message=message,
        help=help if help is not None else info.help,
        location=location,
        entry_id=entry_id,
        field=field,
    )
