"""`mbr schedule`: the crontab line for the configured schedule, and its next runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from mbr.cli.options import config_option, load_cli_config, parse_today
from mbr.jobs.schedule import next_runs, scheduled_job

RUNS_SHOWN = 3


@click.command()
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    help="List the next runs from the start of this day. Default: now.",
)
@config_option
def schedule(today: str | None, config_path: Path | None) -> None:
    """Print the crontab line for the configured schedule and its next run times.

    Every line but the job itself is a comment, so the output can go
    straight into a crontab.

    Example:

        mbr schedule --config mbr.toml

        (crontab -l 2>/dev/null; mbr schedule --config mbr.toml) | crontab -
    """
    config = load_cli_config(config_path)
    job = scheduled_job(config)
    start = (
        dt.datetime.combine(parse_today(today), dt.time.min)
        if today is not None
        else dt.datetime.now().replace(microsecond=0)
    )
    click.echo(f"# mbr: the monthly report run, schedule {job.expression!r} (cron's local time)")
    click.echo(job.line)
    click.echo("# next runs:")
    for moment in next_runs(job.expression, start, RUNS_SHOWN):
        click.echo(f"#   {moment:%Y-%m-%d %H:%M} {moment:%a}")
