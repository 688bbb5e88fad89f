"""`mbr run`: the unattended monthly job for cron (log lines on stderr, no prompts)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import NoReturn

import click

from mbr.cli.options import (
    config_option,
    load_cli_config,
    parse_period_option,
    parse_today,
    period_options,
)
from mbr.config import Config
from mbr.dates import Period, parse_period
from mbr.errors import MbrError
from mbr.jobs.lock import RunLocked
from mbr.jobs.mail import DeliveryError
from mbr.jobs.manifest import utc_timestamp
from mbr.jobs.run import SourcesUnreadable, run_report, send_reminders
from mbr.output import format_text

# Exit codes (README "Run it every month"). 0, 1 and 2 mean what they mean
# for every mbr command; the two below follow sysexits.h so that wrappers
# can tell "try again later" from "fix something".
EXIT_SOURCES_UNREADABLE = 1  # a source could not be read (MBR000): no report
EXIT_USAGE = 2  # bad option or config
EXIT_DELIVERY_FAILED = 69  # EX_UNAVAILABLE: report written, mail not (fully) sent
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the lock


def log(message: str) -> None:
    """`2026-11-01T07:00:03Z mbr run: message`, one stamped line per line, on stderr."""
    stamp = utc_timestamp()
    for line in message.splitlines() or [""]:
        click.echo(f"{stamp} mbr run: {line}", err=True)


@click.command()
@period_options
@click.option("--force", is_flag=True, help="Rebuild (and mail) even if no input changed.")
@click.option(
    "--remind",
    is_flag=True,
    help="Instead of building the report, mail each roster member with no entry for the "
    "period what is missing and the deadline.",
)
@config_option
def run(
    period: str | None,
    today: str | None,
    force: bool,
    remind: bool,
    config_path: Path | None,
) -> None:
    """Build, record and mail the period's report, unattended (for cron).

    The period defaults to last month. Writes the report where the config's
    `output` says, with a JSON manifest beside it; does nothing when the
    inputs are unchanged since the last run. Exit codes: 0 done or up to
    date, 1 a source could not be read, 2 usage or config error, 69 the
    report was written but the mail failed (the next run sends it), 75
    another run holds the lock.

    Example:

        mbr run --config /srv/mbr/mbr.toml

        mbr run --period 2026-10 --force

        mbr run --remind --today 2026-11-01
    """
    try:
        config = load_cli_config(config_path.absolute() if config_path else None)
        # Work where the config is, as cron's working directory is just $HOME:
        # locations in the log, the manifest and the mail read entries/x.yaml:3.
        os.chdir(config.root)
        today_date = parse_today(today)
        chosen = parse_period_option(period, today_date) or parse_period(
            "last month", today=today_date
        )
        if remind:
            _remind(config, chosen, today_date)
        else:
            _run(config, chosen, today_date, force)
    except RunLocked as exc:
        _fail(exc, EXIT_LOCKED)
    except DeliveryError as exc:
        _fail(exc, EXIT_DELIVERY_FAILED)
    except SourcesUnreadable as exc:
        for line in format_text(exc.diagnostics):
            log(line)
        _fail(exc, EXIT_SOURCES_UNREADABLE)
    except MbrError as exc:
        _fail(exc, EXIT_USAGE)
    except OSError as exc:  # an output directory that cannot be created or written
        where = f" {exc.filename}" if exc.filename else ""
        _fail(
            MbrError(
                f"cannot create or write{where}: {exc.strerror or exc}",
                hint="check the `output` path in the config and its permissions",
            ),
            EXIT_USAGE,
        )


def _run(config: Config, period: Period, today: dt.date, force: bool) -> None:
    log(f"{period.label}: started (config {config.path or 'defaults'})")
    outcome = run_report(config, period=period, today=today, force=force, log=log)
    if outcome.delivery_failed:
        log(
            "error: the report is written but was not mailed to everyone; "
            "the next run mails it without rebuilding"
        )
        raise SystemExit(EXIT_DELIVERY_FAILED)


def _remind(config: Config, period: Period, today: dt.date) -> None:
    log(f"{period.label}: reminders (config {config.path or 'defaults'})")
    outcome = send_reminders(config, period=period, today=today, log=log)
    for member in outcome.without_email:
        log(
            f"warning: {member.name} has no entry for {period.label} and no email "
            "address in the roster: not reminded"
        )
    for member in outcome.reminded:
        log(f"reminded {member.name} <{member.email}>")
    for address, reason in outcome.refused.items():
        log(f"error: the mail server refused {address}: {reason}")
    log(
        f"{len(outcome.reminded)} of {len(outcome.missing)} roster members without an "
        f"entry reminded; deadline {outcome.deadline.isoformat()}"
    )
    if outcome.failed:
        raise SystemExit(EXIT_DELIVERY_FAILED)


def _fail(exc: MbrError, code: int) -> NoReturn:
    log(f"error: {exc}")
    raise SystemExit(code)
