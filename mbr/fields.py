"""Entry field names and the header aliases that map to them (SPEC §1.1)."""

from __future__ import annotations

import difflib
import re

REQUIRED_FIELDS: tuple[str, ...] = ("date", "author", "team", "category", "summary")
OPTIONAL_FIELDS: tuple[str, ...] = (
    "customer",
    "headline",
    "service",
    "metric",
    "link",
    "tags",
    "id",
)
ALL_FIELDS: tuple[str, ...] = REQUIRED_FIELDS + OPTIONAL_FIELDS

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "when", "week of", "entry date"),
    "author": ("author", "name", "contributor", "submitted by", "owner"),
    "team": ("team", "org", "group", "sub-team"),
    "category": ("category", "type", "kind", "section"),
    "summary": ("summary", "paragraph", "description", "update", "narrative"),
    "customer": ("customer", "account", "customer name"),
    "headline": ("headline", "title"),
    "service": ("service", "product", "services"),
    "metric": ("metric", "impact", "impact metric"),
    "link": ("link", "url", "reference"),
    "tags": ("tags", "labels"),
    "id": ("id", "entry id"),
}

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalise_name(text: str) -> str:
    """Case-, space-, hyphen- and underscore-insensitive form of a header or key."""
    return _SEPARATORS.sub("", text.strip().lower())


_ALIAS_TO_FIELD: dict[str, str] = {
    normalise_name(alias): name for name, aliases in FIELD_ALIASES.items() for alias in aliases
}


def field_for_header(header: str) -> str | None:
    """The canonical field a column header or YAML key stands for, if any."""
    return _ALIAS_TO_FIELD.get(normalise_name(header))


def looks_like_field_typo(header: str) -> str | None:
    """The field alias an unknown header is probably a typo of (for MBR008).

    A plainly different name such as "Notes" returns None: only close
    misspellings ("Sumary", "Catgory", "Custmer") are reported.
    """
    key = normalise_name(header)
    if len(key) < 3:
        return None
    match = difflib.get_close_matches(key, list(_ALIAS_TO_FIELD), n=1, cutoff=0.8)
    if not match:
        return None
    for aliases in FIELD_ALIASES.values():
        for alias in aliases:
            if normalise_name(alias) == match[0]:
                return alias
    return None  # pragma: no cover - every normalised alias comes from the table
