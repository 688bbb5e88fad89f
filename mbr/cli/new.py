"""`mbr new`: write a commented YAML entry skeleton under the entries directory."""

from __future__ import annotations

import datetime as dt
import difflib
import sys
from pathlib import Path

import click

from mbr.cli.options import config_option, load_cli_config
from mbr.config import Config
from mbr.errors import UsageError


@click.command()
@click.option("--author", help="Your name, as on the roster.")
@click.option("--team", help="Your team.")
@click.option("--category", help="A configured category: key, title or alias (e.g. win).")
@click.option("--customer", default="", help="The customer the entry is about, if any.")
@click.option("--headline", default="", help="A few words leading the paragraph.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The day it happened, YYYY-MM-DD. Default: today.",
)
@click.option(
    "--interactive/--no-interactive",
    default=None,
    help="Ask for missing fields. Default: ask when stdin is a terminal.",
)
@config_option
def new(
    author: str | None,
    team: str | None,
    category: str | None,
    customer: str,
    headline: str,
    day: dt.datetime | None,
    interactive: bool | None,
    config_path: Path | None,
) -> None:
    """Write a new YAML entry to fill in, under entries/YYYY-MM/.

    The file holds every field, the limits from the config in a comment, and
    a TODO summary that `mbr check` flags until it is written. It prints the
    path of the new file; existing files are never replaced.

    Example:

        mbr new --author "Ana Silva" --team East --category win --customer Acme
    """
    config = load_cli_config(config_path)
    if interactive is None:
        interactive = sys.stdin.isatty()
    author, team, category = (v.strip() if v else None for v in (author, team, category))
    if interactive:
        author = author or _prompt_text("Author")
        team = team or _prompt_team(config)
        category = category or click.prompt(
            "Category",
            type=click.Choice([c.key for c in config.categories], case_sensitive=False),
            err=True,
        )
    missing = [f"--{name}" for name, value in
               (("author", author), ("team", team), ("category", category)) if not value]
    if missing:
        raise UsageError(
            f"missing {', '.join(missing)}",
            hint="pass them as options, or run `mbr new` in a terminal to be asked for them",
        )
    assert author and team and category
    from mbr.authoring.new_entry import NewEntry, display_path, write_new_entry

    entry = NewEntry(
        date=day.date() if day else dt.date.today(),
        author=author,
        team=_team(team, config),
        category=_category_key(category, config),
        customer=customer.strip(),
        headline=headline.strip(),
    )
    path = write_new_entry(entry, config)
    shown = display_path(path)
    click.echo(str(shown))
    click.echo(f"next: write the summary, then run `mbr check {shown}`", err=True)


def _prompt_team(config: Config) -> str:
    if config.teams:
        choice: str = click.prompt(
            "Team", type=click.Choice(list(config.teams), case_sensitive=False), err=True
        )
        return choice
    return _prompt_text("Team")


def _prompt_text(label: str) -> str:
    # click.prompt asks again on an empty answer; only blanks get through.
    # Prompts go to stderr: stdout holds only the new file's path.
    text: str = click.prompt(label, err=True)
    return text.strip()


def _category_key(text: str, config: Config) -> str:
    category = config.category_for(text)
    if category is not None:
        return category.key
    keys = [c.key for c in config.categories]
    close = difflib.get_close_matches(text.lower(), keys, n=1)
    raise UsageError(
        f"--category {text!r} is not a configured category"
        + (f"; did you mean {close[0]!r}?" if close else ""),
        hint="use one of: " + ", ".join(keys),
    )


def _team(text: str, config: Config) -> str:
    """The configured spelling of the team; another team is allowed, with a warning (MBR004)."""
    for team in config.teams:
        if team.casefold() == text.casefold():
            return team
    if config.teams:
        click.echo(
            f"warning: team {text!r} is not among the configured teams "
            f"({', '.join(config.teams)}); `mbr check` will flag it (MBR004)",
            err=True,
        )
    return text
