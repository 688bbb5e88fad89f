"""File-name-safe slugs for org names, authors and customers."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"['’]")
_NOT_WORD = re.compile(r"[\W_]+")


def slugify(text: str) -> str:
    """`Zoë O'Brien` -> `zoe-obrien`, `Ventes & Marché (FR)` -> `ventes-marche-fr`:
    lower-case letters, digits and hyphens; accents dropped, other scripts kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _APOSTROPHES.sub("", plain.casefold())
    return _NOT_WORD.sub("-", plain).strip("-")
