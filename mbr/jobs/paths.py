"""Where a period's report goes: the config's `output` pattern, filled in."""

from __future__ import annotations

import string
from pathlib import Path

from mbr.config import Config
from mbr.dates import Period
from mbr.errors import ConfigError
from mbr.slug import slugify

REPORT_SUFFIXES = (".docx", ".html")
PLACEHOLDERS = ("org", "period", "year", "month")

def report_path(config: Config, period: Period) -> Path:
    """The report file for `period`: `output` with {org} {period} {year} {month}
    filled in, relative to the config file's directory.

    {org} is slugged, {period} is the period's file-name form (2024-11,
    2024-Q3), {year} and {month} are those of the period's first day
    (month as two digits). Raises ConfigError for an unknown placeholder or a
    suffix other than .docx/.html.
    """
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(config.output)]
        unknown = [name for name in names if name is not None and name not in PLACEHOLDERS]
        if unknown:
            raise ConfigError(
                f"{_origin(config)}: `output` uses an unknown placeholder {{{unknown[0]}}}",
                hint="use {org}, {period}, {year} and {month}, "
                'e.g. output = "reports/{org}-mbr-{period}.docx"',
            )
        text = config.output.format(
            org=slugify(config.org),
            period=period.slug,
            year=f"{period.start.year}",
            month=f"{period.start.month:02d}",
        )
    except ValueError as exc:  # an unmatched "{" or "}", or a bad format spec
        raise ConfigError(
            f"{_origin(config)}: `output` is not a valid pattern: {exc}",
            hint="placeholders are written {org}, {period}, {year}, {month}; "
            "write {{ and }} for literal braces",
        ) from None
    path = Path(text)
    # With no org configured, "{org}-mbr-{period}" would start with a dash.
    name = path.name.lstrip("-_ ")
    if name and name != path.name:
        path = path.with_name(name)
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise ConfigError(
            f"{_origin(config)}: `output` must end in .docx or .html, not {path.name!r}",
            hint='e.g. output = "reports/{org}-mbr-{period}.docx"',
        )
    return config.root / path


def manifest_path(report: Path) -> Path:
    """`reports/x-2024-11.docx` -> `reports/x-2024-11.docx.manifest.json`."""
    return report.with_name(report.name + ".manifest.json")


def lock_path(report: Path) -> Path:
    """`reports/x-2024-11.docx` -> `reports/x-2024-11.docx.lock`."""
    return report.with_name(report.name + ".lock")


def _origin(config: Config) -> str:
    return str(config.path) if config.path else "config"
