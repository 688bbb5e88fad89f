"""Rules raised while reading sources and building entries (MBR000-MBR010).

They are raised by mbr.intake, mbr.entries and mbr.rules.collection; their
documentation lives here so `mbr rules` shows every code the same way.
"""

from __future__ import annotations

from mbr.model import Severity
from mbr.rules.registry import declare

E, W = Severity.ERROR, Severity.WARNING


@declare("MBR000", "unreadable-source", E, help="save the file again as .xlsx, .csv or .yaml")
def unreadable_source() -> None:
    """A file cannot be read at all, or has no header row.

    What: the file is not a workbook, is encrypted, is invalid YAML, cannot be
      decoded as text, or no row within the first 20 holds two field names.
    Why: every entry in that file would silently vanish from the report.
    Example: `notes.xlsx` that is really a text file; a sheet whose header row
      says "Sumary" and "Catgory" only.
    Fix: re-save the file from its application in a supported format, or add a
      header row with at least the date, author, team, category and summary columns.
    """


@declare("MBR001", "missing-field", E, help="fill in the field; it is required in every entry")
def missing_field() -> None:
    """A required field is empty.

    What: date, author, team, category or summary is empty or missing.
    Why: the report groups by team and category and attributes every
      paragraph; without these the entry has no place in it.
    Example: a row with a summary but no category.
    Fix: fill in the named field in the cell or key the location points at.
    """


@declare("MBR002", "bad-date", E, help="write the date as YYYY-MM-DD, e.g. 2024-11-05")
def bad_date() -> None:
    """The date cannot be parsed.

    What: the date text is not a date in any accepted form under the
      configured `date_order`.
    Why: without a date the entry cannot be placed in a reporting period.
    Example: `date: next Tuesday-ish`, `31/31/2024`.
    Fix: use an ISO date (2024-11-05) or a spreadsheet date cell.
    """


@declare("MBR003", "unknown-category", E, help="use one of the configured categories")
def unknown_category() -> None:
    """The category is not one of the configured categories.

    What: the category matches no configured key, title or alias
      (case-, space-, hyphen- and underscore-insensitively).
    Why: the report has one section per configured category; an unknown one
      has nowhere to go.
    Example: `category: Wiins`.
    Fix: pick a configured category (the message suggests the closest), or add
      an alias for it under [[categories]] in the config.
    """


@declare("MBR004", "unknown-team", W, help="use one of the teams listed in the config")
def unknown_team() -> None:
    """`teams` is configured and the entry's team is not in it.

    What: the team name matches none of the configured `teams`.
    Why: the report orders and totals by team; a misspelt team shows up as a
      separate group.
    Example: `team: Enterprise Est` when the config lists "Enterprise East".
    Fix: use the team's configured name, or add the team to `teams`.
    """


@declare(
    "MBR005",
    "duplicate-entry",
    E,
    help="delete one of the two copies",
)
def duplicate_entry() -> None:
    """The same author, date and summary as an earlier entry.

    What: author, date and whitespace-normalised summary equal those of an
      entry read earlier (sources in argument order, files sorted, rows top to
      bottom).
    Why: a paragraph pasted twice would appear twice in the report.
    Example: the same row copied into the sheet twice.
    Fix: delete the later copy.
    """


@declare(
    "MBR006",
    "near-duplicate",
    W,
    help="merge the two paragraphs, or make clear they are different events",
    options={"threshold": 0.8},
)
def near_duplicate() -> None:
    """The summary is almost the same as another entry's.

    What: the summaries' word sets (lower-cased, punctuation removed) have a
      Jaccard similarity at or above `threshold` (default 0.8).
    Why: the same win logged by two people reads twice in the report.
    Example: two account managers both logging the same customer's migration.
    Fix: agree on one paragraph and delete the other, or say what differs.
    """


@declare("MBR007", "future-date", W, help="check the year and month of the date")
def future_date() -> None:
    """The date is after today (or `--today`).

    What: the entry's date lies in the future.
    Why: usually a typo in the year or a swapped day and month.
    Example: `2042-11-05` typed for `2024-11-05`.
    Fix: correct the date.
    """


@declare("MBR008", "unknown-field", W, help="rename the column or key to the field name")
def unknown_field() -> None:
    """An extra column or key looks like a misspelt field name.

    What: a column header or YAML key is not a field but is close to one
      ("Sumary", "Custmer"). Plainly different names ("Notes") are kept as
      extra data without a warning.
    Why: the value is probably meant for that field and would otherwise be lost.
    Example: a column headed `Custmer`.
    Fix: rename the column or key to the field name the message suggests.
    """


@declare("MBR009", "duplicate-key", E, help="keep one of the two keys")
def duplicate_key() -> None:
    """A YAML mapping repeats a key; the entry is not used.

    What: the same key appears twice in one YAML mapping.
    Why: YAML keeps only one of the two values, silently; which one the author
      meant cannot be known.
    Example: two `summary:` keys in one entry.
    Fix: delete one of them.
    """


@declare("MBR010", "empty-source", W, help="add entries to the file, or remove it from sources")
def empty_source() -> None:
    """A file holds no entries.

    What: a source file was read but holds no entries (only a header, or an
      empty YAML document).
    Why: often the wrong file or sheet is configured.
    Example: an intake spreadsheet with headers and nothing below.
    Fix: point `sources` or `--sheet` at the file that holds the entries.
    """
