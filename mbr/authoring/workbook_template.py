"""`mbr template xlsx`: a ready intake spreadsheet built from the config.

The data sheet comes first (mbr reads the first sheet) and its headers are
plain field names, so `mbr check` reads a filled-in copy as it is. What
helps people fill it in lives around the headers, never in them: bold and a
comment for required fields, dropdowns, a date format, a live word count
that mbr ignores (its header is not a field name), and an Instructions
sheet generated from the rules as the config applies them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from mbr.authoring.files import atomic_save
from mbr.authoring.limits import ConfiguredRule, configured_rules, describe_options
from mbr.authoring.xlsx_text import write_text
from mbr.config import Config
from mbr.fields import REQUIRED_FIELDS

DATA_SHEET = "Entries"
INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"
WORD_COUNT_HEADER = "Words (live)"
# Rows prepared with formulas, formats and validations. Validations and
# formats cover a fixed range; more rows than a team logs in a month or two.
PREPARED_ROWS = 500

_RED = "FFC7CE"
_AMBER = "FFEB9C"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="BDD7EE")


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None  # None: a helper column mbr does not read
    width: float
    note: str


_FIELD_COLUMNS: tuple[Column, ...] = (
    Column("Date", "date", 12, "The day it happened, e.g. 2024-11-05."),
    Column("Author", "author", 22, "Your name, as on the team roster."),
    Column("Team", "team", 20, "Your team."),
    Column("Category", "category", 18, "Pick one from the list."),
    Column("Customer", "customer", 22, "The customer's name, if the entry is about one."),
    Column("Headline", "headline", 30, "A few words that lead the paragraph in the report."),
    Column("Summary", "summary", 80, "One paragraph, no line breaks or bullets."),
    Column(WORD_COUNT_HEADER, None, 10, "Counts the summary's words as you type. mbr ignores it."),
    Column("Metric", "metric", 18, "The headline number, e.g. $2M ARR or 40% faster."),
    Column("Service", "service", 18, "Product or service involved."),
    Column("Link", "link", 30, "A URL with more detail."),
    Column("Tags", "tags", 18, "Comma-separated labels."),
    Column("ID", "id", 14, "Leave empty: mbr gives each entry a stable id."),
)


def build_intake_workbook(config: Config) -> Workbook:
    """The intake spreadsheet for `config`, not yet saved."""
    rules = configured_rules(config)
    workbook = Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET)
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"

    columns = {column.field or column.header: get_column_letter(index)
               for index, column in enumerate(_FIELD_COLUMNS, start=1)}
    _write_headers(data, config, rules)
    _format_rows(data, columns)
    _add_word_count(data, columns, config, rules)
    _add_dropdowns(data, lists, columns, config)
    _write_instructions(instructions, config, rules)
    workbook.active = 0
    return workbook


def write_intake_template(config: Config, output: Path) -> None:
    """Build the intake spreadsheet and save it atomically to `output`."""
    atomic_save(build_intake_workbook(config), output)


def _write_headers(data: Any, config: Config, rules: Sequence[ConfiguredRule]) -> None:
    limits = _summary_limits(rules, config)
    for index, column in enumerate(_FIELD_COLUMNS, start=1):
        cell = data.cell(row=1, column=index)
        write_text(cell, column.header)
        required = column.field in REQUIRED_FIELDS
        cell.font = Font(bold=required)
        cell.fill = _REQUIRED_FILL if required else _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        note = ("Required. " if required else "Optional. ") + column.note
        if column.field == "summary" and limits:
            note += " " + limits
        if column.field == "category":
            note += " " + ", ".join(c.title for c in config.categories) + "."
        if column.field == "team" and config.teams:
            note += " One of: " + ", ".join(config.teams) + "."
        if column.field is None:
            note = column.note
        cell.comment = Comment(note, "mbr", height=110, width=260)
        data.column_dimensions[get_column_letter(index)].width = column.width
    data.freeze_panes = "A2"
    data.row_dimensions[1].height = 30
    data.auto_filter.ref = f"A1:{get_column_letter(len(_FIELD_COLUMNS))}1"


def _format_rows(data: Any, columns: dict[str, str]) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for row in range(2, PREPARED_ROWS + 2):
        for letter in columns.values():
            data[f"{letter}{row}"].alignment = wrap if letter == columns["summary"] else top
        data[f"{columns['date']}{row}"].number_format = "yyyy-mm-dd"
    dates = DataValidation(
        type="date",
        operator="between",
        formula1="DATE(2000,1,1)",
        formula2="DATE(2099,12,31)",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not a date",
        error="Enter a date such as 2024-11-05.",
        showInputMessage=True,
        promptTitle="Date",
        prompt="The day it happened, e.g. 2024-11-05.",
    )
    dates.add(_column_range(columns["date"]))
    data.add_data_validation(dates)


def _add_word_count(
    data: Any, columns: dict[str, str], config: Config, rules: Sequence[ConfiguredRule]
) -> None:
    summary, words = columns["summary"], columns[WORD_COUNT_HEADER]
    for row in range(2, PREPARED_ROWS + 2):
        # Line breaks count as spaces. An empty summary gives "" rather than 0
        # so a prepared but unused row stays empty for mbr (and for Excel's
        # "text > number" comparison the rules below guard with ISNUMBER).
        flat = f'TRIM(SUBSTITUTE({summary}{row},CHAR(10)," "))'
        data[f"{words}{row}"] = (
            f'=IF(LEN({flat})=0,"",LEN({flat})-LEN(SUBSTITUTE({flat}," ",""))+1)'
        )
        data[f"{words}{row}"].alignment = Alignment(horizontal="center", vertical="top")
    target = _column_range(words)
    first = f"{words}2"
    category = f"${columns['category']}2"
    too_long = _limit_expression(rules, "MBR101", "max_words", config, category)
    if too_long is not None:
        data.conditional_formatting.add(
            target,
            FormulaRule(
                formula=[f"AND(ISNUMBER({first}),{first}>{too_long})"],
                fill=PatternFill("solid", fgColor=_RED, bgColor=_RED),
                font=Font(bold=True, color="9C0006"),
                stopIfTrue=True,
            ),
        )
    too_short = _limit_expression(rules, "MBR102", "min_words", config, category)
    if too_short is not None:
        data.conditional_formatting.add(
            target,
            FormulaRule(
                formula=[f"AND(ISNUMBER({first}),{first}<{too_short})"],
                fill=PatternFill("solid", fgColor=_AMBER, bgColor=_AMBER),
                font=Font(color="9C5700"),
            ),
        )


def _limit_expression(
    rules: Sequence[ConfiguredRule], code: str, option: str, config: Config, category_cell: str
) -> str | None:
    """The configured limit as a formula: a number, or nested IFs when it differs by category."""
    rule = next((r for r in rules if r.code == code and r.enabled), None)
    if rule is None or not _is_number(rule.options.get(option)):
        return None
    expression = str(rule.options[option])
    for category in reversed(config.categories):
        if category.key not in rule.per_category:
            continue
        value = rule.per_category[category.key][1].get(option)
        if not _is_number(value) or str(value) == expression:
            continue
        names = sorted({category.key, category.title, *category.aliases})
        matches = ",".join(f'{category_cell}="{_formula_text(name)}"' for name in names)
        expression = f"IF(OR({matches}),{value},{expression})"
    return expression


def _add_dropdowns(data: Any, lists: Any, columns: dict[str, str], config: Config) -> None:
    # The values sit on a hidden sheet rather than inline in the validation:
    # inline lists break on titles with commas and stop at 255 characters.
    write_text(lists["A1"], "Categories")
    for row, category in enumerate(config.categories, start=2):
        write_text(lists.cell(row=row, column=1), category.title)
    category_list = DataValidation(
        type="list",
        formula1=f"{quote_sheetname(LISTS_SHEET)}!$A$2:$A${len(config.categories) + 1}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Unknown category",
        error="Pick one of the categories from the list.",
    )
    category_list.add(_column_range(columns["category"]))
    data.add_data_validation(category_list)
    if not config.teams:
        return
    write_text(lists["B1"], "Teams")
    for row, team in enumerate(config.teams, start=2):
        write_text(lists.cell(row=row, column=2), team)
    team_list = DataValidation(
        type="list",
        formula1=f"{quote_sheetname(LISTS_SHEET)}!$B$2:$B${len(config.teams) + 1}",
        allow_blank=True,
        showErrorMessage=True,
        # An unknown team is only a warning (MBR004): let people keep a new team.
        errorStyle="warning",
        errorTitle="Unknown team",
        error="This team is not in the configured list. Keep it anyway?",
    )
    team_list.add(_column_range(columns["team"]))
    data.add_data_validation(team_list)


def _write_instructions(sheet: Any, config: Config, rules: Sequence[ConfiguredRule]) -> None:
    title = f"{config.org} — MBR intake" if config.org else "MBR intake"
    required = ", ".join(column.header for column in _FIELD_COLUMNS
                         if column.field in REQUIRED_FIELDS)
    prose = [
        "One row per entry: one win, customer impact, launch, lowlight, risk or ask.",
        f"Bold columns are required: {required}.",
        "Do not rename the column headings: mbr finds the columns by them.",
        f"{WORD_COUNT_HEADER} counts the summary's words as you type and turns red over "
        "the limit; mbr ignores that column.",
        "Check the sheet before the deadline: mbr check <this file>",
    ]
    rows: list[tuple[str, tuple[str, ...]]] = [  # (style, values)
        ("title", (title,)),
        ("", ()),
        ("heading", ("How to fill in the Entries sheet",)),
        *(("prose", (line,)) for line in prose),
        ("", ()),
        ("heading", ("Categories",)),
        ("columns", ("Title", "Key", "Also accepted")),
        *(("table", (c.title, c.key, ", ".join(c.aliases))) for c in config.categories),
    ]
    if config.teams:
        rows += [("", ()), ("heading", ("Teams",)), *(("table", (t,)) for t in config.teams)]
    rows += [
        ("", ()),
        ("heading", ("Rules, as configured",)),
        ("columns", ("Code", "Name", "Severity", "Fires when", "Limits", "How to fix")),
        *(("table", _rule_line(rule, config)) for rule in rules),
    ]
    fonts = {"title": Font(bold=True, size=14), "heading": Font(bold=True, size=12),
             "columns": Font(bold=True)}
    for row, (style, values) in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            write_text(cell, value)
            if style in fonts:
                cell.font = fonts[style]
            if style in ("table", "columns"):
                # Prose lines stay unwrapped so they run on across the empty cells.
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (18, 24, 10, 60, 40, 50), strict=True):
        sheet.column_dimensions[letter].width = width


def _rule_line(rule: ConfiguredRule, config: Config) -> tuple[str, ...]:
    severity = rule.severity.value if rule.enabled else "off"
    exceptions = []
    for key, (category_severity, options) in rule.per_category.items():
        differences = [category_severity.value] if category_severity is not rule.severity else []
        changed = {k: v for k, v in options.items() if rule.options.get(k) != v}
        if changed:
            differences.append(describe_options(changed))
        exceptions.append(f"{config.category_title(key)}: {', '.join(differences)}")
    exceptions += [f"{config.category_title(key)}: off" for key in rule.ignored_for]
    limits = "; ".join(filter(None, [describe_options(rule.options), *exceptions]))
    # Rule summaries mark names with Markdown backticks; a cell shows them literally.
    return (rule.code, rule.name, severity, rule.summary.replace("`", ""), limits, rule.help)


def _summary_limits(rules: Sequence[ConfiguredRule], config: Config) -> str:
    by_code = {rule.code: rule for rule in rules if rule.enabled}
    parts = []
    for code, option, wording in (("MBR102", "min_words", "at least"),
                                  ("MBR101", "max_words", "at most")):
        rule = by_code.get(code)
        if rule is None or not _is_number(rule.options.get(option)):
            continue
        text = f"{wording} {rule.options[option]} words"
        others = [
            f"{config.category_title(key)}: {options[option]}"
            for key, (_, options) in rule.per_category.items()
            if _is_number(options.get(option)) and options[option] != rule.options[option]
        ]
        parts.append(text + (f" ({', '.join(others)})" if others else ""))
    return ("Write " + " and ".join(parts) + ".") if parts else ""


def _column_range(letter: str) -> str:
    return f"{letter}2:{letter}{PREPARED_ROWS + 1}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _formula_text(text: str) -> str:
    return text.replace('"', '""')
