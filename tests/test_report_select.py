"""Selection: nothing in the period is lost; every exclusion has its reasons."""

from __future__ import annotations

import datetime as dt
import json

from mbr.model import Diagnostic, Entry, Location, Severity
from mbr.report.select import rejects_json, select_entries
from tests.test_report_support import collected, make_entry, problem


def mixed() -> tuple[list[Entry], list[Diagnostic]]:
    good = make_entry("good", row=2)
    warned = make_entry("warned", row=3)
    bad = make_entry("bad", row=4, author="Bo", team="West", category="risk")
    undated = make_entry("undated", row=5, date=None)
    outside = make_entry("outside", row=6, date=dt.date(2024, 10, 31))
    entries = [good, warned, bad, undated, outside]
    diagnostics = [
        problem(warned, "MBR107", "weasel word 'very'", Severity.WARNING),
        problem(bad, "MBR101", "summary has 140 words; the limit is 120"),
        problem(bad, "MBR110", 'placeholder "TBD" in the summary'),
        problem(undated, "MBR002", "cannot read the date 'soon'"),
        problem(None, "MBR010", "no entries", Severity.WARNING),
    ]
    return entries, diagnostics


def test_included_plus_excluded_is_the_period_and_every_exclusion_is_listed() -> None:
    entries, diagnostics = mixed()
    selection = select_entries(collected(entries, diagnostics))
    accounting = selection.accounting
    assert accounting.line == "read 5 · in period 4 · included 2 · excluded 2"
    assert accounting.included + accounting.excluded == accounting.in_period
    assert [e.id for e in selection.included] == ["good", "warned"]
    assert [r.entry_id for r in selection.excluded] == ["bad", "undated"]
    bad = selection.excluded[0]
    assert bad.codes == ("MBR101", "MBR110")
    assert (bad.author, bad.team, bad.category, bad.location) == (
        "Bo",
        "West",
        "risk",
        "entries.xlsx:Entries!4:4",
    )


def test_warnings_do_not_exclude_but_travel_for_a_draft() -> None:
    entries, diagnostics = mixed()
    selection = select_entries(collected(entries, diagnostics))
    assert [d.code for d in selection.problems_by_entry["warned"]] == ["MBR107"]


def test_draft_includes_every_entry_in_the_period_with_its_problems() -> None:
    entries, diagnostics = mixed()
    selection = select_entries(collected(entries, diagnostics), draft=True)
    assert [e.id for e in selection.included] == ["good", "warned", "bad", "undated"]
    assert selection.excluded == []
    assert [d.code for d in selection.problems_by_entry["bad"]] == ["MBR101", "MBR110"]
    assert selection.accounting.line == "read 5 · in period 4 · included 4 · excluded 0"


def test_rejects_json_shape() -> None:
    entries, diagnostics = mixed()
    document = json.loads(rejects_json(select_entries(collected(entries, diagnostics)).excluded))
    assert document[0] == {
        "entry_id": "bad",
        "location": "entries.xlsx:Entries!4:4",
        "author": "Bo",
        "team": "West",
        "category": "risk",
        "reasons": [
            {
                "code": "MBR101",
                "message": "summary has 140 words; the limit is 120",
                "location": "entries.xlsx:Entries!E4",
            },
            {
                "code": "MBR110",
                "message": 'placeholder "TBD" in the summary',
                "location": "entries.xlsx:Entries!E4",
            },
        ],
    }
    assert [r["entry_id"] for r in document] == ["bad", "undated"]


def test_reason_location_is_the_field_the_diagnostic_points_at() -> None:
    entry = make_entry("x", source="entries/acme.yaml")
    where = Location("entries/acme.yaml", line=12, column=3)
    selection = select_entries(collected([entry], [problem(entry, "MBR001", "x", location=where)]))
    assert selection.excluded[0].reasons[0].location == "entries/acme.yaml:12:3"
