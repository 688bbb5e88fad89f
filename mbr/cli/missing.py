"""`mbr missing`: roster members with no entry in the period."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mbr.cli.options import (
    config_option,
    load_cli_config,
    parse_period_option,
    parse_today,
    period_options,
)
from mbr.config import RosterMember


@click.command()
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@period_options
@click.option(
    "--roster",
    "roster_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with columns name,email,team (default: `roster` in the config).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@config_option
def missing(
    sources: tuple[str, ...],
    period: str | None,
    today: str | None,
    roster_path: Path | None,
    output_format: str,
    config_path: Path | None,
) -> None:
    """List roster members with no entry in the period.

    The period defaults to last month (relative to --today). Prints one line
    per person, `name <email> (team)`, or JSON with --format json. An author
    matches a member by name or email, ignoring case and spacing.

    Example:

        mbr missing --period 2024-11 --roster roster.csv entries/
    """
    from mbr.dates import parse_period
    from mbr.entries import build_entries, dated_in
    from mbr.intake import read_sources
    from mbr.pipeline import resolve_sources
    from mbr.roster import missing_members, roster_for

    config = load_cli_config(config_path)
    today_date = parse_today(today)
    wanted = parse_period_option(period, today_date) or parse_period("last month", today=today_date)
    roster = roster_for(config, roster_path)
    # Rows dated outside the period are only counted, as in compile.
    intake = read_sources(
        resolve_sources(sources, config),
        sheet=config.sheet,
        limits=config.limits,
        wanted_date=dated_in(wanted, config),
    )
    for problem in intake.diagnostics:
        if problem.code == "MBR000":
            click.echo(
                f"warning: {problem.location}: {problem.message}; "
                "people who logged only there are listed as missing",
                err=True,
            )
    entries, _ = build_entries(intake.records, config, today=today_date, period=wanted)
    absent = missing_members(roster, entries, wanted)
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "period": wanted.slug,
                    "period_label": wanted.label,
                    "roster_size": len(roster),
                    "missing": [_as_dict(member) for member in absent],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    for member in absent:
        click.echo(_line(member))
    click.echo(
        f"{len(absent)} of {len(roster)} roster members have no entry for {wanted.label}",
        err=True,
    )


def _line(member: RosterMember) -> str:
    parts = [member.name]
    if member.email and member.email != member.name:
        parts.append(f"<{member.email}>")
    if member.team:
        parts.append(f"({member.team})")
    return " ".join(parts)


def _as_dict(member: RosterMember) -> dict[str, str]:
    return {"name": member.name, "email": member.email, "team": member.team}
