"""records -> entries: values, ids and the MBR001-MBR004/MBR007 diagnostics."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from mbr.config import Category, Config
from mbr.entries import build_entries, derived_id, split_tags, value_text
from mbr.model import Diagnostic, Entry, Location, RawValue, Record

TODAY = dt.date(2024, 12, 1)
COLUMNS = {"date": "A", "author": "B", "team": "C", "category": "D", "summary": "E",
           "customer": "F", "headline": "G", "tags": "H", "id": "I", "metric": "J"}
SUMMARY = "Acme moved 40 services to EKS, cutting deploy time by 35%."


def row(number: int = 2, **fields: RawValue) -> Record:
    """A spreadsheet row; only the given fields are columns of it."""
    values: dict[str, RawValue] = {
        "date": dt.date(2024, 11, 5),
        "author": "Ana Lima",
        "team": "Enterprise East",
        "category": "Wins",
        "summary": SUMMARY,
    }
    values.update(fields)
    present = values
    return Record(
        source="entries.xlsx",
        origin=Location("entries.xlsx", sheet="Entries", row=number),
        fields=present,
        locations={
            name: Location("entries.xlsx", sheet="Entries", cell=f"{COLUMNS[name]}{number}",
                           row=number)
            for name in present
        },
    )


def without(name: str, number: int = 2) -> Record:
    record = row(number)
    return dataclasses.replace(
        record,
        fields={k: v for k, v in record.fields.items() if k != name},
        locations={k: v for k, v in record.locations.items() if k != name},
    )


def build(*records: Record, **config: Any) -> tuple[list[Entry], list[Diagnostic]]:
    return build_entries(list(records), Config(**config), today=TODAY)


def codes(diagnostics: list[Diagnostic]) -> list[tuple[str, str | None, str]]:
    return [(d.code, d.field, str(d.location)) for d in diagnostics]


def test_a_complete_row_gives_an_entry_and_no_diagnostics() -> None:
    entries, diagnostics = build(row(customer="Acme Corp.", headline="EKS migration"))
    assert diagnostics == []
    [entry] = entries
    assert (entry.date, entry.author, entry.team, entry.category, entry.summary) == (
        dt.date(2024, 11, 5), "Ana Lima", "Enterprise East", "win", SUMMARY
    )
    assert (entry.customer, entry.headline, entry.seq, entry.source) == (
        "Acme Corp.", "EKS migration", 0, "entries.xlsx"
    )
    assert str(entry.location_of("summary")) == "entries.xlsx:Entries!E2"


@pytest.mark.parametrize("name", ["date", "author", "team", "category", "summary"])
@pytest.mark.parametrize("empty", [None, "", "   ", "\n"])
def test_an_empty_required_field_is_mbr001_at_its_cell(name: str, empty: RawValue) -> None:
    entries, diagnostics = build(row(7, **{name: empty}))
    assert codes(diagnostics) == [("MBR001", name, f"entries.xlsx:Entries!{COLUMNS[name]}7")]
    assert name in diagnostics[0].message
    assert diagnostics[0].entry_id == entries[0].id
    assert len(entries) == 1  # never dropped


@pytest.mark.parametrize("name", ["date", "author", "team", "category", "summary"])
def test_an_absent_required_column_is_mbr001_at_the_row(name: str) -> None:
    _, diagnostics = build(without(name, 9))
    assert codes(diagnostics) == [("MBR001", name, "entries.xlsx:Entries!9:9")]
    assert f"no {name} column" in diagnostics[0].message


def test_an_absent_yaml_key_is_named_as_a_key() -> None:
    record = Record(
        source="entries/acme.yaml",
        origin=Location("entries/acme.yaml", line=3, column=3),
        fields={"date": "2024-11-05", "author": "Ana", "team": "East", "category": "win"},
        locations={},
    )
    _, diagnostics = build(record)
    assert codes(diagnostics) == [("MBR001", "summary", "entries/acme.yaml:3:3")]
    assert "no `summary` key" in diagnostics[0].message


def test_an_empty_record_gets_every_mbr001_in_field_order_and_still_one_entry() -> None:
    record = Record("log.csv", Location("log.csv", line=4), {}, {})
    entries, diagnostics = build(record)
    assert [d.field for d in diagnostics] == ["date", "author", "team", "category", "summary"]
    assert {d.code for d in diagnostics} == {"MBR001"}
    assert len(entries) == 1 and entries[0].date is None and entries[0].category == ""


@pytest.mark.parametrize("value", ["next Tuesday-ish", "31/31/2024", "Nov 2024", True, 42])
def test_an_unreadable_date_is_mbr002_quoting_it(value: RawValue) -> None:
    entries, diagnostics = build(row(3, date=value))
    assert codes(diagnostics) == [("MBR002", "date", "entries.xlsx:Entries!A3")]
    assert repr(value_text(value)) in diagnostics[0].message
    assert "2024-11-05" in diagnostics[0].help
    assert entries[0].date is None


@pytest.mark.parametrize(
    ("value", "date_order", "expected"),
    [
        ("2024-11-05", "MDY", dt.date(2024, 11, 5)),
        ("05/11/2024", "MDY", dt.date(2024, 5, 11)),
        ("05/11/2024", "DMY", dt.date(2024, 11, 5)),
        (45601, "MDY", dt.date(2024, 11, 5)),
        (dt.datetime(2024, 11, 5, 9, 30), "MDY", dt.date(2024, 11, 5)),
    ],
)
def test_dates_follow_the_configured_date_order(
    value: RawValue, date_order: str, expected: dt.date
) -> None:
    entries, diagnostics = build(row(date=value), date_order=date_order)
    assert diagnostics == []
    assert entries[0].date == expected


def test_a_date_after_today_is_mbr007() -> None:
    entries, diagnostics = build(row(date="2042-11-05"), row(3, date=TODAY))
    assert codes(diagnostics) == [("MBR007", "date", "entries.xlsx:Entries!A2")]
    assert "2042-11-05" in diagnostics[0].message and "2024-12-01" in diagnostics[0].message
    assert diagnostics[0].severity.value == "warning"
    assert entries[0].date == dt.date(2042, 11, 5)


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Wins", "win"),
        ("win", "win"),
        ("  WIN ", "win"),
        ("highlight", "win"),
        ("Customer Impact", "customer-impact"),
        ("customer_impact", "customer-impact"),
        ("customer-impact", "customer-impact"),
        ("CustomerImpact", "customer-impact"),
        ("Risks", "risk"),
    ],
)
def test_categories_match_keys_titles_and_aliases(written: str, key: str) -> None:
    entries, diagnostics = build(row(category=written))
    assert diagnostics == []
    assert entries[0].category == key


def test_an_unknown_category_is_mbr003_with_did_you_mean() -> None:
    entries, diagnostics = build(row(4, category="Wiins"))
    assert codes(diagnostics) == [("MBR003", "category", "entries.xlsx:Entries!D4")]
    assert "'Wiins'" in diagnostics[0].message
    assert "did you mean 'Wins'?" in diagnostics[0].message
    assert "Customer Impact (customer-impact)" in diagnostics[0].help
    assert entries[0].category == "Wiins"


def test_an_unknown_category_without_a_close_match_has_no_guess() -> None:
    _, diagnostics = build(row(category="Miscellaneous"))
    assert [d.code for d in diagnostics] == ["MBR003"]
    assert "did you mean" not in diagnostics[0].message


def test_categories_come_from_the_config() -> None:
    config = {"categories": (Category("kudos", "Kudos", ("shout-out",)),)}
    entries, diagnostics = build(row(category="Shout Out"), row(3, category="Wins"), **config)
    assert entries[0].category == "kudos"
    assert codes(diagnostics) == [("MBR003", "category", "entries.xlsx:Entries!D3")]
    assert "Kudos (kudos)" in diagnostics[0].help


def test_teams_are_not_checked_when_none_are_configured() -> None:
    entries, diagnostics = build(row(team="anything  goes"))
    assert diagnostics == []
    assert entries[0].team == "anything goes"


@pytest.mark.parametrize("written", ["Enterprise East", "enterprise east", " ENTERPRISE  EAST "])
def test_a_configured_team_takes_its_configured_spelling(written: str) -> None:
    entries, diagnostics = build(row(team=written), teams=("Enterprise East", "Enterprise West"))
    assert diagnostics == []
    assert entries[0].team == "Enterprise East"


def test_an_unknown_team_is_mbr004_with_did_you_mean() -> None:
    entries, diagnostics = build(
        row(5, team="Enterprise Est"), teams=("Enterprise East", "Enterprise West")
    )
    assert codes(diagnostics) == [("MBR004", "team", "entries.xlsx:Entries!C5")]
    # "Est" is one letter from both East and West: the team configured first wins.
    assert "did you mean 'Enterprise East'?" in diagnostics[0].message
    assert "Enterprise West" in diagnostics[0].help
    _, reordered = build(row(team="Enterprise Est"), teams=("Enterprise West", "Enterprise East"))
    assert "did you mean 'Enterprise West'?" in reordered[0].message
    assert diagnostics[0].severity.value == "warning"
    assert entries[0].team == "Enterprise Est"


def test_several_problems_in_one_row_come_in_field_order() -> None:
    _, diagnostics = build(
        row(6, date="2030-01-01", author="", team="Nowhere", category="Wiins"),
        teams=("Enterprise East",),
    )
    assert [d.code for d in diagnostics] == ["MBR007", "MBR001", "MBR004", "MBR003"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  Acme Corp.  ", "Acme Corp."),
        ("Cafe\u0301", "Café"),  # NFC: e + combining accent is one character
        (42, "42"),
        (42.0, "42"),
        (3.5, "3.5"),
        (0.1 + 0.2, "0.3"),  # Excel shows 15 significant digits
        (1 / 3, "0.333333333333333"),
        (0.00001, "0.00001"),
        (1e16, "10000000000000000"),
        (-2.25, "-2.25"),
        (True, "TRUE"),
        (False, "FALSE"),
        (dt.date(2024, 11, 5), "2024-11-05"),
        (dt.datetime(2024, 11, 5), "2024-11-05"),
        (dt.datetime(2024, 11, 5, 9, 30), "2024-11-05 09:30"),
        ("line one\r\nline two\rthree", "line one\nline two\nthree"),
    ],
)
def test_value_text(value: RawValue, text: str) -> None:
    assert value_text(value) == text


def test_text_fields_are_read_as_a_person_expects() -> None:
    entries, _ = build(
        row(
            author="  Ana\u00a0Lima ",
            customer="NO",
            metric=40.0,
            headline="EKS\nmigration",
            summary="First line.\r\nSecond  line.  ",
        )
    )
    entry = entries[0]
    assert entry.author == "Ana Lima"
    assert entry.customer == "NO"
    assert entry.metric == "40"
    assert entry.headline == "EKS migration"
    # The summary keeps its line break (MBR103 must see it) and its spacing.
    assert entry.summary == "First line.\nSecond  line."


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("", ()),
        ("eks", ("eks",)),
        ("eks, migration;  cost ", ("eks", "migration", "cost")),
        (" ,;, ", ()),
        ("a,,b", ("a", "b")),
    ],
)
def test_split_tags(text: str, tags: tuple[str, ...]) -> None:
    assert split_tags(text) == tags


def test_tags_and_extra_reach_the_entry() -> None:
    record = dataclasses.replace(row(tags="eks; cost"), extra={"Notes": "call back"})
    entries, _ = build(record)
    assert entries[0].tags == ("eks", "cost")
    assert entries[0].extra == {"Notes": "call back"}


def test_an_explicit_id_is_used_as_text() -> None:
    entries, _ = build(row(id="acme-eks"), row(3, id=17.0), row(4, id=18))
    assert [e.id for e in entries] == ["acme-eks", "17", "18"]


def test_derived_ids_are_stable_across_builds_and_formats() -> None:
    first, _ = build(row(), row(3, author="Bo"))
    second, _ = build(
        row(summary=" " + SUMMARY.replace(" ", "  ") + " ", category="win", date="2024-11-05"),
        row(3, author="Bo", date=dt.datetime(2024, 11, 5)),
    )
    assert [e.id for e in first] == [e.id for e in second]
    assert first[0].id != first[1].id
    assert first[0].id == derived_id("Ana Lima", "2024-11-05", "win", SUMMARY)
    assert first[0].id.startswith("e-") and len(first[0].id) == 12


def test_derived_id_depends_on_author_date_category_and_summary() -> None:
    base = derived_id("Ana", "2024-11-05", "win", "Text.")
    others = {
        derived_id("Bo", "2024-11-05", "win", "Text."),
        derived_id("Ana", "2024-11-06", "win", "Text."),
        derived_id("Ana", "2024-11-05", "risk", "Text."),
        derived_id("Ana", "2024-11-05", "win", "Other text."),
    }
    assert base not in others and len(others) == 4


def test_exact_duplicates_get_numbered_ids_in_read_order() -> None:
    entries, _ = build(row(2), row(3), row(4, author="Bo"), row(5))
    base = entries[0].id
    assert [e.id for e in entries] == [base, f"{base}-2", entries[2].id, f"{base}-3"]
    again, _ = build(row(2), row(3), row(4, author="Bo"), row(5))
    assert [e.id for e in again] == [e.id for e in entries]


def test_colliding_explicit_ids_are_made_unique_without_stopping() -> None:
    entries, diagnostics = build(row(2, id="x"), row(3, id="x"), row(4, id="x-2"), row(5, id="x"))
    assert [e.id for e in entries] == ["x", "x-2", "x-2-2", "x-3"]
    assert diagnostics == []


def test_diagnostics_carry_the_final_entry_id() -> None:
    entries, diagnostics = build(row(2, author=""), row(3, author=""))
    assert [d.entry_id for d in diagnostics] == [entries[0].id, entries[1].id]
    assert entries[0].id != entries[1].id


def test_seq_is_the_read_order() -> None:
    entries, _ = build(*(row(n, author=f"A{n}") for n in range(2, 7)))
    assert [e.seq for e in entries] == [0, 1, 2, 3, 4]
