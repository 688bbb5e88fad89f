"""`mbr init`: a starter project with mbr.toml, entries/, intake spreadsheet and roster."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument(
    "directory",
    metavar="[DIR]",
    default=Path("."),
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option("--org", default="", help="The organisation's name, for the report title.")
@click.option("--force", is_flag=True, help="Replace mbr.toml, intake.xlsx and roster.csv.")
def init(directory: Path, org: str, force: bool) -> None:
    """Start a project: mbr.toml, entries/, intake.xlsx, roster.

    Writes a commented mbr.toml listing every setting, an entries/ directory,
    an intake spreadsheet (as `mbr template xlsx`) and an example roster.csv.
    Existing files are never replaced without --force.

    Example:

        mbr init mbr-reports --org "Field Engineering EMEA"
    """
    from mbr.authoring.init_project import init_project

    for path in init_project(directory, org=org, force=force):
        click.echo(f"wrote {path}")
    click.echo(
        "next: edit mbr.toml (org, teams, categories), share intake.xlsx or run `mbr new`, "
        "then `mbr check`",
        err=True,
    )
