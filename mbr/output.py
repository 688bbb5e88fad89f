"""Diagnostics as text, JSON or GitHub workflow commands (ruff-style)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from mbr.model import Diagnostic, Location, Severity

FORMATS = ("text", "json", "github")

_CELL = re.compile(r"([A-Z]+)(\d+)")


def _column_number(cell: str | None) -> int:
    match = _CELL.fullmatch(cell or "")
    if not match:
        return 0
    number = 0
    for letter in match.group(1):
        number = number * 26 + ord(letter) - 64
    return number


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Order by source (first seen), then position in it, then code.

    Sources keep the order they were read in, so output follows the user's
    argument order rather than the alphabet.
    """
    items = list(diagnostics)
    source_order: dict[str, int] = {}
    for diagnostic in items:
        source_order.setdefault(diagnostic.location.source, len(source_order))

    def key(d: Diagnostic) -> tuple[int, str, int, int, str]:
        loc = d.location
        position = loc.row or loc.line or 0
        column = loc.column or _column_number(loc.cell)
        return (source_order[loc.source], loc.sheet or "", position, column, d.code)

    return sorted(items, key=key)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def count_line(diagnostics: Sequence[Diagnostic], entries: int) -> str:
    """`3 errors, 5 warnings in 120 entries` (infos added when there are any)."""
    by_severity = {s: 0 for s in Severity}
    for diagnostic in diagnostics:
        by_severity[diagnostic.severity] += 1
    parts = [
        _plural(by_severity[Severity.ERROR], "error"),
        _plural(by_severity[Severity.WARNING], "warning"),
    ]
    if by_severity[Severity.INFO]:
        parts.append(_plural(by_severity[Severity.INFO], "info"))
    noun = "entry" if entries == 1 else "entries"
    return f"{', '.join(parts)} in {entries} {noun}"


# Characters that would act on the terminal rather than show: control codes
# (ESC sequences can clear the screen or retitle the window, a line break
# would forge a diagnostic line) and bidirectional overrides (they reorder
# what is shown). Messages quote entry text, file and sheet names, so these
# are shown as escapes.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with terminal-controlling characters written as escapes (\\x1b, \\u202e)."""
    # Every character _UNPRINTABLE matches is a control (Cc) or format (Cf)
    # character, which isprintable() rejects: most lines pass this C check
    # and skip the pattern (half the time of printing 83,000 diagnostics).
    if text.isprintable():
        return text
    return _UNPRINTABLE.sub(_escape, text)


def format_text(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """`LOCATION: CODE [severity] message` and `  = help: ...` per diagnostic."""
    lines: list[str] = []
    for d in diagnostics:
        lines.append(visible(f"{d.location}: {d.code} [{d.severity.value}] {d.message}"))
        if d.help:
            lines.append(visible(f"  = help: {d.help}"))
    return lines


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in diagnostics], indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _github_position(location: Location) -> str:
    parts = [f"file={_escape_property(location.source)}"]
    if location.line is not None:
        parts.append(f"line={location.line}")
        if location.column is not None:
            parts.append(f"col={location.column}")
    return ",".join(parts)


def format_github(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """GitHub Actions workflow commands; spreadsheet cells go into the message."""
    lines: list[str] = []
    for d in diagnostics:
        title = _escape_property(f"{d.code} {d.name}")
        where = f"{d.location}: " if d.location.sheet is not None else ""
        text = f"{where}{d.message} (help: {d.help})" if d.help else f"{where}{d.message}"
        level, position = _GITHUB_LEVEL[d.severity], _github_position(d.location)
        lines.append(f"::{level} {position},title={title}::{_escape_data(text)}")
    return lines
