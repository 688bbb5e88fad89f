"""`mbr check`: tell each author what to fix in their paragraph, and where."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from mbr.cli.echo import echo_lines
from mbr.cli.options import (
    collect_for_command,
    config_option,
    load_cli_config,
    period_options,
    selection_options,
)
from mbr.errors import UsageError
from mbr.model import Diagnostic, Severity
from mbr.output import (
    FORMATS,
    count_line,
    format_github,
    format_json,
    format_text,
    sort_diagnostics,
    visible,
)
from mbr.pipeline import Collected

EXIT_PROBLEMS = 1


@click.command()
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@period_options
@click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@selection_options
@click.option(
    "--sheet",
    metavar="NAME",
    help="The worksheet to read in each workbook (default: `sheet` in the config, "
    "else the first visible sheet).",
)
@click.option(
    "--annotate",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OUT.xlsx",
    help="Write a copy of the .xlsx source with a Problems column and highlighted cells.",
)
@config_option
def check(
    sources: tuple[str, ...],
    period: str | None,
    today: str | None,
    output_format: str,
    strict: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    sheet: str | None,
    annotate: Path | None,
    config_path: Path | None,
) -> None:
    """Check every entry's paragraph against the rules and say what to fix.

    Example:

        mbr check samples/intake.xlsx --period 2026-10

        mbr check entries/ --format github --strict

        mbr check "Field Log.xlsx" --sheet "November"
    """
    config = load_cli_config(config_path)
    if sheet is not None:
        config = replace(config, sheet=sheet)
    collected = collect_for_command(
        sources, config, today=today, period=period, select=select, ignore=ignore
    )
    diagnostics = sort_diagnostics(collected.diagnostics)
    # The findings come first, so a workbook that cannot be annotated still
    # shows what is wrong with it.
    if output_format == "json":
        click.echo(format_json(diagnostics))
    else:
        lines = format_text(diagnostics) if output_format == "text" else format_github(diagnostics)
        echo_lines(lines)
        if output_format == "text":
            click.echo(count_line(diagnostics, len(collected.in_period)))
    if annotate is not None:
        _annotate(collected, diagnostics, annotate)
    if _fails(diagnostics, strict=strict):
        raise SystemExit(EXIT_PROBLEMS)


def _fails(diagnostics: list[Diagnostic], *, strict: bool) -> bool:
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in failing for d in diagnostics)


def _annotate(collected: Collected, diagnostics: list[Diagnostic], output: Path) -> None:
    workbooks = [f for f in collected.files if f.suffix.lower() in (".xlsx", ".xlsm")]
    if len(workbooks) != 1:
        raise UsageError(
            f"--annotate needs exactly one .xlsx source, found {len(workbooks)}",
            hint="run `mbr check intake.xlsx --annotate checked.xlsx` on the workbook alone",
        )
    source = workbooks[0]
    unreadable = [d for d in collected.unreadable if Path(d.location.source) == source]
    if unreadable:
        # Opening it again to annotate would fail, or (a zip bomb) never end.
        raise UsageError(
            f"--annotate: {unreadable[0].location.source} could not be read, "
            "so there is nothing to annotate",
            hint="fix the MBR000 problem reported for it, then run again",
        )
    if output.resolve() == source.resolve():
        raise UsageError(
            f"--annotate {output} would overwrite the source",
            hint="name a different file; the source is never modified",
        )
    from mbr.annotate import annotate_workbook

    for note in annotate_workbook(source, diagnostics, output):
        click.echo(visible(f"note: {note}"), err=True)
