"""`mbr new`: a commented YAML entry skeleton under the entries directory.

The skeleton states the limits the config enforces for its category, and
its summary is a "TODO:" placeholder, so an entry nobody finished fails
`mbr check` (MBR110) instead of reaching the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from mbr.authoring.files import create_exclusively
from mbr.authoring.limits import configured_rules, describe_options
from mbr.config import Config
from mbr.slug import slugify as shared_slugify

SUMMARY_PLACEHOLDER = (
    "TODO: replace this with one paragraph: what happened, for whom, and the\n"
    "  result in numbers (40% faster, $2M ARR, 300 ms)."
)
_OPTIONAL_EXAMPLES = (
    ("service", "Amazon EC2"),
    ("metric", "40% lower cost"),
    ("link", "https://example.com/more-detail"),
    ("tags", "migration, cost"),
)
_MAX_SLUG = 40


@dataclass(frozen=True)
class NewEntry:
    """What the author told us; `category` is a configured category key."""

    date: dt.date
    author: str
    team: str
    category: str
    customer: str = ""
    headline: str = ""


def entries_directory(config: Config) -> Path:
    """Where entries live: the first directory among `sources`, else `entries/` by the config."""
    for source in config.sources:
        if source.is_dir() or (not source.exists() and not source.suffix):
            return source
    return config.root / "entries"


def write_new_entry(entry: NewEntry, config: Config, directory: Path | None = None) -> Path:
    """Write the skeleton to `<dir>/YYYY-MM/<date>-<author>-<customer>.yaml`; never overwrites.

    A taken name gets -2, -3, ... The file appears whole or not at all.
    """
    folder = (directory or entries_directory(config)) / f"{entry.date:%Y-%m}"
    folder.mkdir(parents=True, exist_ok=True)
    for path in _candidate_paths(folder, entry):
        text = render_entry(entry, config, display_path=display_path(path))
        if create_exclusively(path, text):
            return path
    raise AssertionError("unreachable: candidate names never run out")  # pragma: no cover


def entry_stem(entry: NewEntry) -> str:
    """`2024-11-05-jane-doe-acme-corp`: date, author, then customer (or category)."""
    subject = entry.customer or entry.category
    return "-".join(
        part for part in (entry.date.isoformat(), slugify(entry.author), slugify(subject)) if part
    )


def render_entry(entry: NewEntry, config: Config, *, display_path: Path | None = None) -> str:
    """The skeleton's text: comments with the configured limits, then every field."""
    title = config.category_title(entry.category)
    keys = ", ".join(category.key for category in config.categories)
    lines = [
        f"# MBR entry for the {title} section of the {entry.date:%B %Y} report.",
        "# Replace the TODO summary with one paragraph (no line breaks, no bullets).",
    ]
    if display_path is not None:
        lines.append(f"# Check it with: mbr check {display_path}")
    lines += ["#", "# Limits as configured (mbr rules CODE explains one):"]
    lines += [f"#   {line}" for line in _limit_lines(config, entry.category)]
    lines += [
        "",
        f"date: {entry.date.isoformat()}",
        f"author: {_quoted(entry.author)}",
        f"team: {_quoted(entry.team)}",
        f"category: {_quoted(entry.category)}  # one of: {keys}",
        f"customer: {_quoted(entry.customer)}",
        f"headline: {_quoted(entry.headline)}",
        "# `>-` folds the lines below into one paragraph.",
        "summary: >-",
        f"  {SUMMARY_PLACEHOLDER}",
        "",
        "# Optional fields:",
        *(f"# {name}: {_quoted(example)}" for name, example in _OPTIONAL_EXAMPLES),
        "",
    ]
    return "\n".join(lines)


def slugify(text: str) -> str:
    """A slug short enough for a file name: see mbr.slug.slugify."""
    return shared_slugify(text)[:_MAX_SLUG].rstrip("-")


def _limit_lines(config: Config, category: str) -> list[str]:
    lines = []
    for rule in configured_rules(config):
        if not rule.enabled or category in rule.ignored_for:
            continue
        severity, options = rule.per_category.get(category, (rule.severity, rule.options))
        if options:
            lines.append(f"{rule.code} {rule.name} ({severity.value}): {describe_options(options)}")
    return lines or ["(none)"]


def display_path(path: Path) -> Path:
    """`path` relative to the working directory when it is below it, as people type it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _candidate_paths(folder: Path, entry: NewEntry) -> Iterator[Path]:
    stem = entry_stem(entry)
    yield folder / f"{stem}.yaml"
    number = 2
    while True:
        yield folder / f"{stem}-{number}.yaml"
        number += 1


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar: "NO" stays a string, quotes and breaks are escaped."""
    dumped: str = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=10**9)
    return dumped.strip()
