"""`mbr init`: a starter project — mbr.toml, entries/, intake spreadsheet, roster.

The starter mbr.toml lists every setting with a comment. Settings that need
the user's own data (a brand .docx, SMTP, custom rules, rule options) are
written commented out as `#key = value`; removing the `#` gives a valid
setting. Rule options and their defaults come from the rule catalogue.
"""

from __future__ import annotations

import re
from pathlib import Path

from mbr.authoring.files import atomic_write_text
from mbr.authoring.limits import toml_value
from mbr.authoring.workbook_template import write_intake_template
from mbr.config import CONFIG_FILENAME, DEFAULT_CATEGORIES, DEFAULT_QUADRANTS, Config, load_config
from mbr.errors import UsageError
from mbr.rules.registry import all_rules

INTAKE_FILENAME = "intake.xlsx"
ROSTER_FILENAME = "roster.csv"
ENTRIES_DIRNAME = "entries"

ROSTER_EXAMPLE = (
    "name,email,team\n"
    "Ana Silva,ana.silva@example.com,Enterprise East\n"
    "Ben Okafor,ben.okafor@example.com,Enterprise West\n"
)


def init_project(directory: Path, *, org: str = "", force: bool = False) -> list[Path]:
    """Create the starter files in `directory`; return the paths written.

    Raises UsageError naming the files that exist already, unless `force`.
    """
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is a file, not a directory")
    config_path = directory / CONFIG_FILENAME
    intake_path = directory / INTAKE_FILENAME
    roster_path = directory / ROSTER_FILENAME
    entries = directory / ENTRIES_DIRNAME
    existing = [p for p in (config_path, intake_path, roster_path) if p.exists()]
    if existing and not force:
        raise UsageError(
            "not overwriting " + ", ".join(str(p) for p in existing),
            hint="move them away, or pass --force to replace them",
        )
    if entries.exists() and not entries.is_dir():
        raise UsageError(f"{entries} is a file; mbr init needs an entries/ directory there")

    written = [config_path]
    atomic_write_text(config_path, starter_config(org=org))
    # Built from the config just written, so its dropdowns and limits match it.
    write_intake_template(load_config(config_path), intake_path)
    written.append(intake_path)
    atomic_write_text(roster_path, ROSTER_EXAMPLE)
    written.append(roster_path)
    entries.mkdir(parents=True, exist_ok=True)
    if not any(entries.iterdir()):
        keep = entries / ".gitkeep"
        keep.touch()
        written.append(keep)
    return written


def starter_config(*, org: str = "") -> str:
    """The text of a starter mbr.toml: every setting, commented."""
    defaults = Config()
    parts = [
        _HEADER,
        "# The organisation's name, shown in the report title.",
        f"org = {toml_value(org)}",
        "",
        "# Read when `mbr check`/`mbr compile` get no SOURCE: directories (searched",
        "# recursively) and spreadsheets.",
        'sources = ["entries", "intake.xlsx"]',
        "",
        "# The report file `mbr run` writes. {org} is slugged, {period} is e.g. 2024-11;",
        "# {year} and {month} also work.",
        f"output = {toml_value(defaults.output)}",
        "",
        '# Report layout: "narrative", "2x2", or the path of a Jinja2 template.',
        f"template = {toml_value(defaults.template)}",
        "",
        "# A .docx whose styles (fonts, headings, margins, header/footer) the report uses.",
        '#reference_docx = "brand.docx"',
        "",
        "# Shown in the report's header.",
        f"classification = {toml_value(defaults.classification)}",
        "",
        "# How text dates such as 03/04/2024 are read: MDY, DMY or YMD.",
        f"date_order = {toml_value(defaults.date_order)}",
        "",
        '# Languages of dates written in words, e.g. ["en", "fr"] for "5 novembre 2024".',
        f"languages = {toml_value(list(defaults.languages))}",
        "",
        "# The sheet holding the entries in spreadsheets (default: the first sheet).",
        '#sheet = "Entries"',
        "",
        "# Who is expected to submit, for `mbr missing` and reminder mails: a CSV with",
        "# columns name,email,team, or a list such as",
        '# roster = [{name = "Ana Silva", email = "ana@example.com", team = "Enterprise East"}]',
        f'roster = "{ROSTER_FILENAME}"',
        "",
        "# When `mbr run` runs from cron (`mbr schedule` prints the crontab line).",
        f"schedule = {toml_value(defaults.schedule)}",
        "",
        "# Day of the month by which last month's entries are due (reminder mails).",
        f"deadline_day = {defaults.deadline_day}",
        "",
        "# Acronyms your readers know, on top of the shipped list (MBR109), e.g.",
        '# vocabulary = ["EDP", "MAP"]',
        "vocabulary = []",
        "",
        "# Teams in report order. When set, any other team is flagged (MBR004), e.g.",
        '# teams = ["Enterprise East", "Enterprise West"]',
        "teams = []",
        "",
        "# Report sections, in order. `title` is shown in the report and in the intake",
        "# spreadsheet's dropdown; `aliases` are other names people may write.",
        *_categories(),
        "# The 2x2 template's quadrants: title = categories shown in it (exactly four).",
        "[quadrants]",
        *(f"{_toml_key(title)} = {toml_value(list(keys))}" for title, keys in DEFAULT_QUADRANTS),
        "",
        "# Which rules run. Codes or prefixes: \"MBR1\" is every text rule.",
        "[rules]",
        'select = ["MBR"]',
        "ignore = []",
        "# Rules switched off for some categories:",
        '#per-category-ignores = { ask = ["MBR106"] }',
        "",
        *_rule_options(),
        _CUSTOM_RULE,
        _SMTP,
    ]
    return "\n".join(parts)


_HEADER = """\
# mbr configuration. Every setting is listed. A line such as `#key = value`
# is an example: remove the `#` to use it. Paths are relative to this file.
# `mbr rules` lists the rules; `mbr rules MBR101` explains one.
"""

_CUSTOM_RULE = """\
# Custom rules (MBR200-MBR299): phrases or regexes that must (require) or must
# not (forbid) appear in the summary or headline of some categories.
#[[rules.custom]]
#code = "MBR201"
#name = "lowlight-root-cause"
#message = "a lowlight names its root cause"
#help = "say what caused it, e.g. 'root cause: an expired certificate'"
#severity = "warning"
#field = "summary"
#categories = ["lowlight"]
#require = ["root cause", "caused by"]
#forbid = []
#require_regex = "(?i)next step"
#forbid_regex = "(?i)\\\\bblame\\\\b"
"""

_SMTP = """\
# Mail delivery for `mbr run`. The password is read from the environment
# variable named by password_env, never from this file.
#[smtp]
#host = "smtp.example.com"
#port = 587
#security = "starttls"
#user = "mbr-bot"
#password_env = "MBR_SMTP_PASSWORD"
#from = "mbr@example.com"
#to = ["leadership@example.com"]

# Bounds on one input file; past them the file (or the entry) is not read and
# MBR000 names the limit to raise.
#[limits]
#max_file_mb = 200
#max_rows = 250_000
#max_cell_chars = 32_767
"""


def _categories() -> list[str]:
    lines: list[str] = []
    for category in DEFAULT_CATEGORIES:
        lines += ["[[categories]]", f"key = {toml_value(category.key)}"]
        lines.append(f"title = {toml_value(category.title)}")
        lines += [f"aliases = {toml_value(list(category.aliases))}", ""]
    return lines


def _rule_options() -> list[str]:
    """Every rule option with its default, commented out, from the catalogue."""
    lines = [
        "# Rule options and severities, [rules.CODE]; the values shown are the",
        "# defaults. Per category: [rules.MBR101.per-category.lowlight] max_words = 80",
    ]
    for info in all_rules():
        if not info.options:
            continue
        lines.append(f"#[rules.{info.code}]  # {info.name}")
        lines += [f"#{key} = {toml_value(value)}" for key, value in info.options.items()]
        if not info.category_severity:
            lines.append(f"#severity = {toml_value(info.severity.value)}")
    return [*lines, ""]


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)
