"""`mbr check --annotate`: a copy of a spreadsheet with its problems marked in it.

The copy gets a Problems column on each data sheet (every problem of the
row, one per line), a fill on each offending cell (red for errors, amber for
warnings, light blue for info) and a comment on it with the messages and
help lines. The source file is only ever read. Everything else in the
workbook (other sheets, styles, formulas, validations, charts) is kept as
openpyxl keeps it. What openpyxl cannot carry over (images without Pillow,
slicers, form controls, embedded objects, threaded comments, macros in an
.xlsx copy) is named in a note, so a copy is never silently poorer.
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from mbr.authoring.files import atomic_save
from mbr.authoring.xlsx_text import write_text, xml_safe
from mbr.errors import InputError, UsageError
from mbr.fields import field_for_header
from mbr.model import Diagnostic, Severity

PROBLEMS_HEADER = "Problems"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

_FILLS = {
    Severity.ERROR: "FFC7CE",
    Severity.WARNING: "FFEB9C",
    Severity.INFO: "DDEBF7",
}
# Rows searched for the header row, as the intake reader does (SPEC §1.2).
_HEADER_SEARCH_ROWS = 20
_AUTHOR = "mbr"


def annotate_workbook(
    source: Path, diagnostics: Sequence[Diagnostic], output: Path
) -> list[str]:
    """Write a copy of the workbook `source` to `output` with `diagnostics` marked in it.

    Only diagnostics located in `source` are used. Returns notes on what the
    copy lacks that the source holds. Raises UsageError for an unsuitable
    output path and InputError when `source` cannot be opened.
    """
    _check_paths(source, output)
    workbook = _open(source, keep_vba=output.suffix.lower() == ".xlsm")
    by_sheet: dict[str, list[Diagnostic]] = defaultdict(list)
    unplaced: list[Diagnostic] = []
    for diagnostic in _located_in(source, diagnostics):
        sheet = diagnostic.location.sheet
        if sheet is not None and sheet in workbook.sheetnames:
            by_sheet[sheet].append(diagnostic)
        else:
            unplaced.append(diagnostic)
    if not by_sheet:
        by_sheet[workbook.worksheets[0].title] = []
    for index, (name, found) in enumerate(by_sheet.items()):
        # Problems with no row to go to are noted once, on the first sheet's Problems header.
        _annotate_sheet(workbook[name], found, unplaced if index == 0 else [])
    atomic_save(workbook, output)
    return _lost(source, output)


# Package parts openpyxl may not write back, by what a person calls them.
_KINDS = (
    (re.compile(r"xl/media/[^/]+"), "image", "images"),
    (re.compile(r"xl/charts/chart\d+\.xml"), "chart", "charts"),
    (re.compile(r"xl/pivotTables/pivotTable\d+\.xml"), "pivot table", "pivot tables"),
    (re.compile(r"xl/slicers/[^/]+\.xml"), "slicer", "slicers"),
    (re.compile(r"xl/timelines/[^/]+\.xml"), "timeline", "timelines"),
    (re.compile(r"xl/ctrlProps/[^/]+\.xml"), "form control", "form controls"),
    (re.compile(r"xl/embeddings/[^/]+"), "embedded object", "embedded objects"),
    (
        re.compile(r"xl/threadedComments/[^/]+\.xml"),
        "sheet of threaded comments",
        "sheets of threaded comments",
    ),
    (re.compile(r"xl/vbaProject\.bin"), "macro project", "macro projects"),
)


def _lost(source: Path, output: Path) -> list[str]:
    """A note naming what the copy has fewer of than the source, if anything."""
    try:
        with zipfile.ZipFile(source) as before, zipfile.ZipFile(output) as after:
            was, now = before.namelist(), after.namelist()
    except (zipfile.BadZipFile, OSError):
        return []
    missing = []
    for pattern, one, many in _KINDS:
        count = sum(1 for name in was if pattern.fullmatch(name)) - sum(
            1 for name in now if pattern.fullmatch(name)
        )
        if count > 0:
            missing.append(f"{count} {one if count == 1 else many}")
    if not missing:
        return []
    return [
        f"{output} lacks what openpyxl could not carry over from {source}: "
        f"{', '.join(missing)}; the source still has them"
    ]


def _check_paths(source: Path, output: Path) -> None:
    if output.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise UsageError(
            f"--annotate {output}: the annotated copy must be an .xlsx or .xlsm file",
            hint=f"e.g. --annotate {output.with_suffix('.xlsx').name}",
        )
    if source.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise UsageError(
            f"--annotate works on .xlsx/.xlsm sources, not {source}",
            hint="check a spreadsheet, e.g. `mbr check intake.xlsx --annotate checked.xlsx`",
        )
    if output.exists() and output.resolve() == source.resolve():
        raise UsageError(
            f"--annotate {output} is the source itself; the source is never modified",
            hint="name another file, e.g. --annotate checked.xlsx",
        )


def _open(source: Path, *, keep_vba: bool) -> Any:
    try:
        return load_workbook(source, keep_vba=keep_vba)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            f"{source}: cannot open the workbook to annotate it: {exc}",
            hint="re-save it as .xlsx from its spreadsheet application",
        ) from None


def _located_in(source: Path, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    target = source.resolve()
    matches: dict[str, bool] = {}  # resolving touches the disk: once per source text
    found = []
    for diagnostic in diagnostics:
        shown = diagnostic.location.source
        if shown not in matches:
            matches[shown] = Path(shown).resolve() == target
        if matches[shown]:
            found.append(diagnostic)
    return found


def _annotate_sheet(
    sheet: Any, diagnostics: Sequence[Diagnostic], sheet_level: Sequence[Diagnostic]
) -> None:
    header_row = _header_row(sheet)
    problems_column = _problems_column(sheet, header_row)
    header = sheet.cell(row=header_row, column=problems_column)
    write_text(header, PROBLEMS_HEADER)
    header.font = Font(bold=True)
    sheet.column_dimensions[get_column_letter(problems_column)].width = 60

    by_row: dict[int, list[Diagnostic]] = defaultdict(list)
    by_cell: dict[str, list[Diagnostic]] = defaultdict(list)
    leftover = list(sheet_level)
    for diagnostic in diagnostics:
        row = _row_of(diagnostic)
        if row is None:
            leftover.append(diagnostic)
            continue
        by_row[row].append(diagnostic)
        if diagnostic.location.cell:
            by_cell[_owning_cell(sheet, diagnostic.location.cell)].append(diagnostic)

    for row, found in by_row.items():
        cell = sheet.cell(row=row, column=problems_column)
        ordered = _ordered(found)
        write_text(cell, "\n".join(_line(d) for d in ordered))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = _fill(ordered[0].severity)
    for coordinate, found in by_cell.items():
        _mark(sheet[coordinate], _ordered(found))
    if leftover:
        _add_comment(header, _ordered(leftover))


def _header_row(sheet: Any) -> int:
    """The first row (within the first 20) holding two field names; else row 1."""
    for number, values in enumerate(
        sheet.iter_rows(max_row=_HEADER_SEARCH_ROWS, values_only=True), start=1
    ):
        names = {field_for_header(v) for v in values if isinstance(v, str)}
        names.discard(None)
        if len(names) >= 2:
            return number
    return 1


def _problems_column(sheet: Any, header_row: int) -> int:
    """An existing Problems column (re-annotating a copy), else the one after the last used."""
    last_used = 0
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
                continue
            if cell.row == header_row and cell.value == PROBLEMS_HEADER:
                _clear_previous_marks(sheet, cell.column, header_row)
                return int(cell.column)
            last_used = max(last_used, int(cell.column))
    return last_used + 1


def _clear_previous_marks(sheet: Any, column: int, header_row: int) -> None:
    """Undo an earlier annotation, so a fixed cell does not stay marked in a re-checked copy."""
    ours = {prefix + colour for colour in _FILLS.values() for prefix in ("", "00", "FF")}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.comment is not None and cell.comment.author == _AUTHOR:
                cell.comment = None
            if cell.fill.fgColor.rgb in ours:
                cell.fill = PatternFill()
            if cell.column == column and cell.row > header_row:
                cell.value = None


def _row_of(diagnostic: Diagnostic) -> int | None:
    location = diagnostic.location
    if location.row is not None:
        return location.row
    if location.cell:
        digits = "".join(ch for ch in location.cell if ch.isdigit())
        return int(digits) if digits else None
    return None


def _owning_cell(sheet: Any, coordinate: str) -> str:
    """The top-left cell of the merged range holding `coordinate` (only it takes comments)."""
    coordinate = coordinate.replace("$", "")
    for merged in sheet.merged_cells.ranges:
        if coordinate in merged:
            return str(merged.start_cell.coordinate)
    return coordinate


def _mark(cell: Any, diagnostics: Sequence[Diagnostic]) -> None:
    cell.fill = _fill(diagnostics[0].severity)
    _add_comment(cell, diagnostics)


def _add_comment(cell: Any, diagnostics: Sequence[Diagnostic]) -> None:
    text = "\n".join(f"{_line(d)}\n  = help: {d.help}" if d.help else _line(d)
                     for d in diagnostics)
    text = xml_safe(text)
    if cell.comment is not None and cell.comment.text.strip():
        text = f"{cell.comment.text.rstrip()}\n\n{text}"
    lines = sum(1 + len(line) // 45 for line in text.splitlines())
    cell.comment = Comment(text, _AUTHOR, height=min(20 + 15 * lines, 600), width=320)


def _ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.severity.rank, d.code))


def _line(diagnostic: Diagnostic) -> str:
    return f"{diagnostic.code} [{diagnostic.severity.value}] {diagnostic.message}"


def _fill(severity: Severity) -> PatternFill:
    colour = _FILLS[severity]
    return PatternFill("solid", fgColor=colour, bgColor=colour)
