"""`mbr compile`: build the Word (or HTML) report from the period's accepted entries."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from mbr import idle
from mbr.cli.echo import echo_lines
from mbr.cli.options import (
    collect_for_command,
    config_option,
    load_cli_config,
    period_options,
    selection_options,
)
from mbr.output import format_text, sort_diagnostics, visible
from mbr.report_format import WRITERS, output_format_for

if TYPE_CHECKING:  # imported while the sources are read (mbr.idle), or when used
    from mbr.report import CompileResult, Rejected

EXIT_PROBLEMS = 1
# Below this many entries a compile takes well under a second: no progress bar.
PROGRESS_THRESHOLD = 2000


@click.command()
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OUT.docx|OUT.html",
    help="The report to write: .docx for Word, .html for a page to look at in a browser.",
)
@period_options
@click.option(
    "--template",
    metavar="NAME|PATH",
    help="narrative (default), 2x2, or a .docx.j2 template file (see templates/README.md).",
)
@click.option(
    "--reference-docx",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Take styles, page set-up and header/footer from this .docx (like pandoc).",
)
@click.option(
    "--draft",
    is_flag=True,
    help="Include entries with errors; every problem becomes a comment on its paragraph.",
)
@click.option("--strict", is_flag=True, help="Write nothing and exit 1 if there is any error.")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write the excluded entries and their reasons to FILE as JSON.",
)
@click.option("--title", metavar="T", help="Use T as the report's title.")
@click.option(
    "--keep-going",
    is_flag=True,
    help="Compile even when a source cannot be read (MBR000); its entries are missing.",
)
@selection_options
@config_option
def compile_command(
    sources: tuple[str, ...],
    output: Path,
    period: str | None,
    today: str | None,
    template: str | None,
    reference_docx: Path | None,
    draft: bool,
    strict: bool,
    rejects: Path | None,
    title: str | None,
    keep_going: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: Path | None,
) -> None:
    """Compile the accepted entries into the Monthly Business Review document.

    Entries with errors are left out and listed on stderr (use --draft to
    include them with comments); the last line accounts for every entry.

    Example:

        mbr compile samples/intake.xlsx --period 2024-11 -o mbr-2024-11.docx

        mbr compile entries/ --template 2x2 -o mbr.docx --draft
    """
    report_format = output_format_for(output)  # a bad -o fails before any source is read
    config = load_cli_config(config_path)
    idle.import_later("mbr.report", WRITERS[report_format])
    # Without --draft the report and stderr show errors alone: the rules
    # that can give nothing else are not run.
    collected = collect_for_command(
        sources, config, today=today, period=period, select=select, ignore=ignore,
        errors_only=not draft,
    )  # fmt: skip
    from mbr.report import CompileOptions, compile_report

    bar = _progress_for(len(collected.in_period), sys.stderr)
    try:
        result = compile_report(
            collected,
            config,
            CompileOptions(
                output=output,
                template=template,
                reference_docx=reference_docx,
                draft=draft,
                strict=strict,
                keep_going=keep_going,
                title=title,
            ),
            progress=bar,
        )
    finally:
        if bar is not None:
            bar.close()
    _report(result, rejects)


def _report(result: CompileResult, rejects: Path | None) -> None:
    """Everything on stderr: stdout stays free for whatever a script pipes it to."""
    echo_lines(_excluded_lines(result.excluded), err=True)
    if rejects is not None:
        from mbr.atomic import atomic_write
        from mbr.report import rejects_json

        with atomic_write(rejects, "w") as handle:
            handle.write(rejects_json(result.excluded))
    if not result.written:
        _blocked(result)
    echo_lines(format_text(sort_diagnostics(result.unreadable)), err=True)
    if result.unreadable:
        count = len(result.unreadable)
        which = "1 source" if count == 1 else f"{count} sources"
        them = "it" if count == 1 else "them"
        click.echo(
            f"warning: {which} could not be read; the report was compiled without {them} "
            "(--keep-going)",
            err=True,
        )
    for note in result.notes:
        click.echo(visible(f"note: {note}"), err=True)
    if result.comments:
        noun = "problem" if result.comments == 1 else "problems"
        click.echo(f"draft: {result.comments} {noun} attached as comments", err=True)
    click.echo(visible(f"wrote {result.output}"), err=True)
    click.echo(result.accounting.line, err=True)


def _blocked(result: CompileResult) -> None:
    listed = {rejected.entry_id for rejected in result.excluded}
    unlisted = [d for d in result.blocking if d.entry_id is None or d.entry_id not in listed]
    echo_lines(format_text(sort_diagnostics(unlisted)), err=True)
    count = len(result.blocking)
    if result.blocked_by == "unreadable":
        noun = "source" if count == 1 else "sources"
        click.echo(
            f"error: {count} {noun} could not be read (MBR000); no report written\n"
            "  = help: fix or remove the file, or pass --keep-going to compile without it",
            err=True,
        )
    else:
        noun = "error" if count == 1 else "errors"
        click.echo(
            f"error: --strict and {count} {noun}; no report written\n"
            "  = help: fix them (see `mbr check`), or drop --strict to leave those entries out",
            err=True,
        )
    raise SystemExit(EXIT_PROBLEMS)


def _excluded_lines(excluded: Sequence[Rejected]) -> list[str]:
    """Each excluded entry: where it is, whose it is, and the errors that kept it out.

    Entry text is shown with terminal-controlling characters escaped.
    """
    lines: list[str] = []
    for rejected in excluded:
        facts = (rejected.author, rejected.team, rejected.category)
        who = ", ".join(part for part in facts if part)
        lines.append(visible(f"{rejected.location}: excluded ({who}; id {rejected.entry_id})"))
        lines.extend(
            visible(f"  {reason.location}: {reason.code} [error] {reason.message}")
            for reason in rejected.reasons
        )
    return lines


class _ProgressBar:
    """A click progress bar on stderr, started on the first report of progress."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: Any = None

    def __call__(self, advance: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="writing report", file=self.stream)
            self.bar.__enter__()
        self.bar.update(advance)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _progress_for(entries: int, stream: TextIO) -> _ProgressBar | None:
    """A bar only for a large compile on a terminal; nothing when stderr is piped."""
    if entries < PROGRESS_THRESHOLD or not stream.isatty():
        return None
    return _ProgressBar(stream)
