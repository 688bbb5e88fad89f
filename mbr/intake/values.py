"""Raw values as a person reads them: trimmed text, dates as dates.

Intake keeps values raw (numbers stay numbers, dates stay dates) but
normalises what no reader would call a difference: surrounding whitespace,
Windows line breaks, Excel's `_x000D_` escapes. A whitespace-only value is
None, so "empty" means the same thing in every format.
"""

from __future__ import annotations

import codecs
import datetime as dt
import math
import re
from decimal import Decimal
from typing import NamedTuple

from mbr.model import RawValue

# Excel escapes control characters in shared strings as _xHHHH_ (a CR pasted
# with a line break is stored as "_x000D_\n"); openpyxl leaves them as written.
_EXCEL_CONTROL_ESCAPE = re.compile(r"_x00([01][0-9A-Fa-f])_")


def clean_text(text: str) -> str | None:
    """Trimmed text with line breaks as \\n; None when nothing is left."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    return text or None


def clean_cell(value: object) -> RawValue:
    """A spreadsheet cell's value as read by openpyxl -> a RawValue.

    Date cells at midnight become dates (that is what the cell shows);
    times and durations become their text.
    """
    if value is None:
        return None
    if isinstance(value, str):
        if "_x" in value:
            value = _EXCEL_CONTROL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
        return clean_text(value)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date()
        return value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return clean_text(str(value))


def cell_text(value: RawValue) -> str:
    """A raw cell/YAML value as the text a person sees in it (fields, extras, headers).

    Numbers as a spreadsheet shows them (42, 3.5), booleans as TRUE/FALSE,
    dates as ISO; text trimmed, with line breaks as \\n. Text is otherwise
    kept as written: intake does not normalise Unicode (entries do).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        spec = "minutes" if value.second == 0 and value.microsecond == 0 else "seconds"
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec=spec)
    return value.isoformat()


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        return repr(value)
    if value.is_integer():
        return str(int(value))
    # Excel shows 15 significant digits (0.1 + 0.2 is 0.3 there); Decimal
    # writes the result without an exponent (0.00001, not 1e-05).
    return format(Decimal(format(value, ".15g")), "f")


class UndecodableText(ValueError):
    """The bytes are not text in any encoding mbr reads."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252.

    Raises UndecodableText for binary data (NUL bytes) or bytes that are
    neither UTF-8 nor Windows-1252.
    """
    return _decode(data)[1]


class TextInfo(NamedTuple):
    encoding: str  # the codec decode_text uses, for reading the bytes as a stream
    blank: bool  # nothing but whitespace


def inspect_text(data: bytes) -> TextInfo:
    """How decode_text would read `data`, without keeping the text."""
    encoding, text = _decode(data)
    return TextInfo(encoding, not text or text.isspace())


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(UTF16_BOMS):
        try:
            return "utf-16", data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UndecodableText("it is not valid UTF-16 text") from error
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UndecodableText("it holds NUL bytes, so it is binary, not text", _line_at(data, nul))
    try:
        return "utf-8-sig", data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            # Excel on Windows saves "CSV" in the ANSI code page.
            return "cp1252", data.decode("cp1252")
        except UnicodeDecodeError:
            raise UndecodableText(
                "it is neither UTF-8 nor Windows-1252 text", _line_at(data, utf8_error.start)
            ) from utf8_error


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
