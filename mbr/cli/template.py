"""`mbr template xlsx`: write a ready intake spreadsheet built from the config."""

from __future__ import annotations

from pathlib import Path

import click

from mbr.cli.options import config_option, load_cli_config
from mbr.errors import UsageError


@click.command()
@click.argument("kind", type=click.Choice(["xlsx"]), metavar="xlsx")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("intake.xlsx"),
    show_default=True,
    help="Where to write the spreadsheet.",
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
@config_option
def template(kind: str, output: Path, force: bool, config_path: Path | None) -> None:
    """Write an intake spreadsheet built from the config.

    The Entries sheet has a column per field (required ones bold), dropdowns
    for category and team, a date column, a live word count that turns red
    over the limit, and an Instructions sheet stating the rules and limits
    from the config. `mbr check` reads the filled-in file as it is.

    Example:

        mbr template xlsx -o intake.xlsx
    """
    if output.suffix.lower() != ".xlsx":
        raise UsageError(
            f"-o {output}: the intake spreadsheet must be an .xlsx file",
            hint=f"e.g. -o {output.with_suffix('.xlsx')}",
        )
    if output.exists() and not force:
        raise UsageError(
            f"not overwriting {output}", hint="pass --force to replace it, or choose another -o"
        )
    config = load_cli_config(config_path)
    from mbr.authoring.workbook_template import write_intake_template

    write_intake_template(config, output)
    click.echo(f"wrote {output}")
