"""Options several commands share, stacked by one decorator each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from mbr.config import Config, load_config
from mbr.dates import Period
from mbr.errors import UsageError

if TYPE_CHECKING:
    from mbr.pipeline import Collected

F = TypeVar("F", bound=Callable[..., Any])


def config_option(func: F) -> F:
    """--config FILE: use this config instead of the one found walking up."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Config file (default: mbr.toml or [tool.mbr] in pyproject.toml, walking up).",
    )(func)


def period_options(func: F) -> F:
    """--period P and --today YYYY-MM-DD."""
    func = click.option(
        "--today",
        metavar="YYYY-MM-DD",
        help="Treat this date as today (relative periods, future dates). Default: today.",
    )(func)
    return click.option(
        "--period",
        metavar="P",
        help="2024-11, Nov 2024, 2024-Q3, Q3 2024, 2024, 2024-10-01..2024-12-31, "
        "this/last month, this/last quarter.",
    )(func)


def selection_options(func: F) -> F:
    """--select / --ignore rule code prefixes, comma-separated or repeated."""
    func = click.option(
        "--ignore",
        multiple=True,
        metavar="CODES",
        help="Rule codes or prefixes to leave out, e.g. MBR114,MBR2.",
    )(func)
    return click.option(
        "--select",
        multiple=True,
        metavar="CODES",
        help="Only these rule codes or prefixes (replaces the config's select), e.g. MBR1.",
    )(func)


def split_codes(values: Sequence[str]) -> list[str] | None:
    """("MBR101,MBR102", "MBR2") -> ["MBR101", "MBR102", "MBR2"]; nothing given -> None."""
    codes = [code.strip().upper() for value in values for code in value.split(",") if code.strip()]
    return codes or None


def load_cli_config(config_path: Path | None) -> Config:
    return load_config(config_path)


def parse_today(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(
            f"--today {value!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2024-12-01"
        ) from None


def parse_period_option(value: str | None, today: dt.date) -> Period | None:
    if value is None:
        return None
    from mbr.dates import parse_period

    return parse_period(value, today=today)


def collect_for_command(
    sources: Sequence[str],
    config: Config,
    *,
    today: str | None,
    period: str | None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    errors_only: bool = False,
) -> Collected:
    """Read and check the sources as the shared options say (check and
    compile); `errors_only` as for collect()."""
    # Imported here: commands such as `mbr schedule` share these options but
    # must not load the readers and rules at start-up.
    from mbr.pipeline import collect

    today_date = parse_today(today)
    return collect(
        sources,
        config,
        today=today_date,
        period=parse_period_option(period, today_date),
        select=split_codes(select),
        ignore=split_codes(ignore),
        errors_only=errors_only,
    )
