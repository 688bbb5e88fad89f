"""Characters that do not belong in a paragraph: invisible ones and mojibake (MBR119).

Mojibake is UTF-8 text that was decoded as cp1252 (or latin-1) somewhere on
its way in: "’" (E2 80 99) becomes "â€™", "é" (C3 A9) becomes "Ã©". It is
found by shape (a UTF-8 lead byte followed by the right number of
continuation bytes, as cp1252 renders them) and confirmed by a real
round-trip: encode the run back to cp1252 bytes and decode them as UTF-8. A
run that was itself mangled twice is repaired by repeating the round-trip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _byte_map() -> dict[str, int]:
    """Character -> byte for bytes 0x80-0xFF as cp1252 shows them (latin-1 where
    cp1252 leaves a byte undefined, as browsers and Excel do)."""
    mapping: dict[str, int] = {}
    for value in range(0x80, 0x100):
        raw = bytes([value])
        try:
            mapping[raw.decode("cp1252")] = value
        except UnicodeDecodeError:
            mapping[raw.decode("latin-1")] = value
    return mapping


_BYTE_OF = _byte_map()
_CONTINUATION = "[" + re.escape("".join(c for c, b in _BYTE_OF.items() if b < 0xC0)) + "]"
_MOJIBAKE = re.compile(
    rf"[\u00C2-\u00DF]{_CONTINUATION}"
    rf"|[\u00E0-\u00EF]{_CONTINUATION}{{2}}"
    rf"|[\u00F0-\u00F4]{_CONTINUATION}{{3}}"
)
# Controls other than tab and newline (CR belongs to a CRLF line break), the
# zero-width characters SPEC names, and the replacement character.
# Also U+FFFE/U+FFFF and lone surrogates: XML cannot hold them, so the report
# removes them, and what the report removes must be reported here.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2060\ufeff\ufffd\ufffe\uffff\ud800-\udfff]"
)

_NAMES = {
    "\u200b": "zero-width space U+200B",
    "\u2060": "word joiner U+2060",
    "\ufeff": "byte order mark U+FEFF",
    "\ufffd": "replacement character U+FFFD",
}


def _round_trip(run: str) -> str | None:
    """The UTF-8 text a mojibake run came from, or None if it is not mojibake."""
    try:
        return bytes(_BYTE_OF[ch] for ch in run).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return None


def repair_mojibake(text: str) -> str:
    """The text with every mojibake run replaced by what was meant (up to 3 layers)."""
    for _ in range(3):
        repaired = _MOJIBAKE.sub(lambda m: _round_trip(m.group(0)) or m.group(0), text)
        if repaired == text:
            break
        text = repaired
    return text


@dataclass(frozen=True)
class CharacterProblem:
    description: str
    help: str
    count: int = 1


def _mojibake_runs(text: str) -> list[tuple[int, int]]:
    """Spans of adjacent mojibake sequences that survive the round-trip."""
    runs: list[tuple[int, int]] = []
    for match in _MOJIBAKE.finditer(text):
        if _round_trip(match.group(0)) is None:
            continue
        if runs and runs[-1][1] == match.start():
            runs[-1] = (runs[-1][0], match.end())
        else:
            runs.append((match.start(), match.end()))
    return runs


def _could_hold_problems(text: str) -> bool:
    """False for text that holds neither mojibake nor an invisible character.

    Mojibake needs a lead character (U+00C2-U+00F4) right before a
    continuation character (U+0080-U+00BF, or a cp1252 character Latin-1
    lacks, which encoding to Latin-1 makes "?"). Of the invisible characters
    only U+FFFD is printable.
    """
    if text.isascii():
        return not text.isprintable()
    if not text.isprintable() or "\ufffd" in text:
        return True
    return b"LC" in text.encode("latin-1", "replace").translate(_MOJIBAKE_MARKS)


# Latin-1 bytes: a mojibake lead character becomes b"L", a continuation
# character (or "?", which stands for any character Latin-1 lacks) b"C".
_MOJIBAKE_MARKS = bytes(
    0x4C if 0xC2 <= c <= 0xF4 else 0x43 if 0x80 <= c <= 0xBF or c == 0x3F else 0x2E
    for c in range(256)
)


def bad_characters(text: str) -> list[CharacterProblem]:
    """Invisible characters and mojibake in a text, one problem per distinct kind."""
    if not _could_hold_problems(text):
        # Most summaries: printable ASCII can hold neither, nor can printable
        # text without a lead character before a continuation character.
        return []
    problems: list[CharacterProblem] = []
    seen_runs: dict[str, int] = {}
    covered: set[int] = set()
    for start, end in _mojibake_runs(text):
        covered.update(range(start, end))
        run = text[start:end]
        seen_runs[run] = seen_runs.get(run, 0) + 1
    for run, count in seen_runs.items():
        intended = repair_mojibake(run)
        problems.append(
            CharacterProblem(
                f'mojibake "{run}"',
                f'replace "{run}" with "{intended}" (the text was decoded with the wrong '
                "encoding; retype it or re-export it as UTF-8)",
                count,
            )
        )
    invisible: dict[str, list[int]] = {}
    for match in _INVISIBLE.finditer(text):
        if match.start() not in covered:
            invisible.setdefault(match.group(0), []).append(match.start() + 1)
    for char, positions in invisible.items():
        name = _NAMES.get(char) or f"{_kind_of(char)} U+{ord(char):04X}"
        if char == "\ufffd":
            help_line = (
                f"a character was lost when the text was converted (character {positions[0]}); "
                "retype it"
            )
        else:
            help_line = (
                f"delete it (first at character {positions[0]}); it is invisible and the "
                "report drops it"
            )
        problems.append(CharacterProblem(name, help_line, len(positions)))
    return problems


# What the report removes: the invisible characters MBR119 reports. ZWJ
# (U+200D) and variation selectors are not among them, so emoji stay whole.
_REMOVED_IN_REPORT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2060\ufeff]")


def remove_invisible(text: str) -> str:
    """The text without control and zero-width characters (tab and newline kept)."""
    return _REMOVED_IN_REPORT.sub("", text)


def _kind_of(char: str) -> str:
    if char in "\ufffe\uffff":
        return "non-character"
    if "\ud800" <= char <= "\udfff":
        return "lone surrogate"
    return "control character"
