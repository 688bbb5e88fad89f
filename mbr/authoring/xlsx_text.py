"""Writing text into openpyxl cells and comments so that it stays text."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# openpyxl turns any string starting with "=" into a formula; Excel and
# LibreOffice treat "+", "-" and "@" at the start of typed text as formulas
# too. Text that begins with one of them is stored as a string and shown
# with a quote prefix, so opening and editing the cell never evaluates it.
_FORMULA_STARTS = ("=", "+", "-", "@")


def xml_safe(text: str) -> str:
    """`text` without the control characters XML cannot hold, shown as \\x.. instead.

    Messages quote entry text, and MBR119 is about exactly such characters.
    """
    cleaned: str = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return cleaned


def write_text(cell: Any, text: str) -> None:
    """Put `text` in `cell` as a string, never as a formula."""
    text = xml_safe(text)
    cell.value = text
    if text.startswith(_FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
