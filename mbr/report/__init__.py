"""The report: select entries, build the model, render the template, write the file.

`compile_report` is what `mbr compile` and `mbr run` call:

    collected = collect(sources, config, today=today, period=period)
    result = compile_report(collected, config, CompileOptions(output=Path("mbr.docx")))
    result.accounting.line   # "read 120 · in period 48 · included 45 · excluded 3"

Data flows one way: entries -> selection -> ReportModel -> template ->
markup -> .docx or HTML bytes -> an atomically written file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeVar

from mbr.atomic import atomic_write
from mbr.config import Config
from mbr.errors import UsageError
from mbr.gcpause import without_cycle_collection
from mbr.model import Diagnostic, Severity
from mbr.report.blocks import Markup
from mbr.report.markup import MarkupStream
from mbr.report.model import Problem, ReportInput, ReportModel, build_report_model
from mbr.report.render import (
    BUILTIN_TEMPLATES,
    ReportTemplate,
    load_template,
    render_chunks,
)
from mbr.report.select import (
    Accounting,
    CollectedLike,
    Rejected,
    Selection,
    rejects_json,
    select_entries,
)
from mbr.report_format import output_format_for

__all__ = [
    "BUILTIN_TEMPLATES",
    "Accounting",
    "CompileOptions",
    "CompileResult",
    "Rejected",
    "Selection",
    "compile_report",
    "output_format_for",
    "rejects_json",
    "report_timestamp",
    "select_entries",
]

# progress(advance, total): called as the document is written.
Progress = Callable[[int, int], None]
_Note = TypeVar("_Note")


@dataclass(frozen=True)
class CompileOptions:
    """How to build the report. Paths on the command line are relative to the
    working directory; the config's template and reference_docx to the config."""

    output: Path | None = None  # None: render only; the bytes are in the result
    format: str | None = None  # "docx" | "html"; None: from the output's suffix (.docx)
    template: str | None = None  # "narrative", "2x2" or a path; None: config.template
    reference_docx: Path | None = None  # None: config.reference_docx, else mbr's own
    draft: bool = False  # include entries with errors; problems become comments
    strict: bool = False  # any error: no report
    keep_going: bool = False  # compile even when a source could not be read (MBR000)
    title: str | None = None  # replaces the whole title
    timestamp: dt.datetime | None = None  # None: SOURCE_DATE_EPOCH, else now


@dataclass(frozen=True)
class CompileResult:
    status: str  # "written" | "rendered" (no output path given) | "blocked"
    accounting: Accounting
    excluded: tuple[Rejected, ...]  # in read order
    # Why no report was written: the MBR000 diagnostics (without keep_going),
    # or every error (strict).
    blocking: tuple[Diagnostic, ...] = ()
    blocked_by: str = ""  # "unreadable" | "strict" when blocked
    unreadable: tuple[Diagnostic, ...] = ()  # MBR000 diagnostics, even when kept going
    output: Path | None = None
    format: str = "docx"
    content: bytes | None = None
    notes: tuple[str, ...] = ()  # things the user should know (e.g. styles taken from mbr)
    comments: int = 0  # problems attached as comments (draft)
    model: ReportModel | None = field(default=None, repr=False)

    @property
    def written(self) -> bool:
        return self.status == "written"


def compile_report(
    collected: CollectedLike,
    config: Config,
    options: CompileOptions,
    *,
    progress: Progress | None = None,
) -> CompileResult:
    """Select, render and write the report for what `collect()` found.

    Returns a blocked result (nothing written) when a source could not be read
    (unless keep_going) or, under strict, when there is any error. Raises
    TemplateError for a broken template or reference document and UsageError
    for an output it cannot write; both exit 2 in the CLI.
    """
    output_format = _output_format(options)
    if options.draft and getattr(collected, "errors_only", False):
        # A draft shows every problem: collect() looked for errors alone.
        raise ValueError("a draft needs every diagnostic: collect() without errors_only")
    with without_cycle_collection():
        selection = select_entries(collected, draft=options.draft)
    unreadable = tuple(d for d in collected.diagnostics if d.code == "MBR000")
    blocked = _blocked(collected.diagnostics, unreadable, options)
    base = CompileResult(
        status="blocked",
        accounting=selection.accounting,
        excluded=tuple(selection.excluded),
        unreadable=unreadable,
        output=options.output,
        format=output_format,
    )
    if blocked is not None:
        reason, blocking = blocked
        return replace(base, blocking=blocking, blocked_by=reason)

    template_spec, template_base = _template_choice(options, config)
    template = load_template(template_spec, base=template_base)
    with without_cycle_collection():
        content, notes, comments, model = _build(
            selection, collected, config, options, template, output_format, progress
        )
    if options.output is not None:
        _save(options.output, content)
    return replace(
        base,
        status="written" if options.output is not None else "rendered",
        content=content,
        notes=tuple(notes),
        comments=comments,
        model=model,
    )


def _build(
    selection: Selection,
    collected: CollectedLike,
    config: Config,
    options: CompileOptions,
    template: ReportTemplate,
    output_format: str,
    progress: Progress | None,
) -> tuple[bytes, list[str], int, ReportModel]:
    model = build_report_model(
        ReportInput(
            entries=selection.included,
            period=collected.period,
            problems_by_entry=selection.problems_by_entry if options.draft else {},
            draft=options.draft,
            excluded=selection.accounting.excluded,
            title=options.title,
        ),
        config,
    )
    markup = MarkupStream(render_chunks(template, model), origin=template.name)
    content, notes, comments = _write(
        markup, model, output_format, options, config, template.name, progress
    )
    return content, notes, comments, model


def _output_format(options: CompileOptions) -> str:
    if options.format is not None:
        if options.format not in ("docx", "html"):
            raise UsageError(f"unknown report format {options.format!r}", hint="use docx or html")
        return options.format
    return output_format_for(options.output) if options.output is not None else "docx"


def _blocked(
    diagnostics: Sequence[Diagnostic], unreadable: tuple[Diagnostic, ...], options: CompileOptions
) -> tuple[str, tuple[Diagnostic, ...]] | None:
    if unreadable and not options.keep_going:
        return "unreadable", unreadable
    if options.strict:
        errors = tuple(d for d in diagnostics if d.severity is Severity.ERROR)
        if errors:
            return "strict", errors
    return None


def _template_choice(options: CompileOptions, config: Config) -> tuple[str, Path]:
    if options.template is not None:
        return options.template, Path.cwd()
    return config.template, config.root


def _write(
    markup: Markup,
    model: ReportModel,
    output_format: str,
    options: CompileOptions,
    config: Config,
    template_name: str,
    progress: Progress | None,
) -> tuple[bytes, list[str], int]:
    problems = {entry.id: entry.problems for entry in model.entries if entry.problems}
    if output_format == "html":
        from mbr.report.html_writer import write_html_bytes

        return write_html_bytes(markup, problems=_Notes(problems, attrgetter("text"))), [], 0

    from mbr.report.docx_writer import CommentNote, write_docx

    total = len(model.entries)
    output = write_docx(
        markup,
        reference=options.reference_docx or config.reference_docx,
        timestamp=options.timestamp or report_timestamp(),
        comments=_Notes(problems, lambda problem: CommentNote(problem.text)),
        template_name=f"template {template_name}",
        progress=(lambda advance: progress(advance, total)) if progress else None,
    )
    return output.data, output.notes, output.comments


class _Notes(Mapping[str, Sequence[_Note]]):
    """Entry id -> its problems as a writer shows them, made when the writer
    asks for them: a draft of 50,000 entries would otherwise hold 90,000
    comment texts at once."""

    def __init__(
        self, problems: Mapping[str, Sequence[Problem]], note: Callable[[Problem], _Note]
    ) -> None:
        self._problems = problems
        self._note = note

    def get(self, key: str, default: Any = None) -> Any:  # called for every paragraph
        found = self._problems.get(key)
        return [self._note(problem) for problem in found] if found else default

    def __getitem__(self, key: str) -> Sequence[_Note]:
        return [self._note(problem) for problem in self._problems[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._problems)

    def __len__(self) -> int:
        return len(self._problems)


def report_timestamp() -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; always UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970",
            hint="set it to an integer such as 1733011200, or unset it",
        ) from None


def _save(output: Path, content: bytes) -> None:
    directory = output.parent
    try:
        # `-o reports/2024-11.docx` on a fresh checkout should just work, as `mbr run` does.
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot write {output}: cannot create the directory {directory}: "
            f"{exc.strerror or exc}",
            hint="choose another -o path",
        ) from None
    try:
        with atomic_write(output) as handle:
            handle.write(content)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None
