"""The report model: ordering, grouping, counts, lead-ins and text cleaning."""

from __future__ import annotations

import datetime as dt

import pytest

from mbr.config import Category
from mbr.dates import Period
from mbr.model import Entry
from mbr.report.model import ReportInput, ReportModel, build_report_model, clean_text
from tests.test_report_support import NOVEMBER, config, make_entry, problem


def build(entries: list[Entry], **changes: object) -> ReportModel:
    settings = dict(changes)
    period = settings.pop("period", NOVEMBER)
    assert period is None or isinstance(period, Period)
    return build_report_model(ReportInput(entries, period), config(**settings))


def test_sections_follow_configured_category_order_and_group_by_team() -> None:
    entries = [
        make_entry("r1", category="risk", team="Enterprise West"),
        make_entry("w1", category="win", team="Public Sector"),
        make_entry("w2", category="win", team="Enterprise East"),
        make_entry("w3", category="win", team="Enterprise East", author="Ana Lima"),
    ]
    model = build(entries, teams=("Enterprise East", "Enterprise West", "Public Sector"))
    assert [s.key for s in model.sections] == [
        "win",
        "customer-impact",
        "launch",
        "lowlight",
        "risk",
        "ask",
    ]
    wins = model.sections[0]
    assert [(g.team, [e.id for e in g.entries]) for g in wins.teams] == [
        ("Enterprise East", ["w3", "w2"]),  # same date: by author (Ana before Dana)
        ("Public Sector", ["w1"]),
    ]
    assert [e.id for e in model.entries] == ["w3", "w2", "w1", "r1"]


def test_unconfigured_teams_follow_configured_ones_alphabetically() -> None:
    entries = [
        make_entry("a", team="zeta"),
        make_entry("b", team="Alpha"),
        make_entry("c", team="Configured Last"),
        make_entry("d", team="Configured First"),
    ]
    model = build(entries, teams=("Configured First", "Configured Last"))
    assert [g.team for g in model.sections[0].teams] == [
        "Configured First",
        "Configured Last",
        "Alpha",
        "zeta",
    ]


def test_team_names_match_configured_spelling_loosely() -> None:
    entries = [make_entry("a", team="enterprise east"), make_entry("b", team="Enterprise_East")]
    model = build(entries, teams=("Enterprise East",))
    assert [(g.team, len(g.entries)) for g in model.sections[0].teams] == [("Enterprise East", 2)]


def test_within_a_team_entries_order_by_date_then_author_then_id() -> None:
    entries = [
        make_entry("z", date=dt.date(2024, 11, 2), author="Bo"),
        make_entry("y", date=None, author="Al"),
        make_entry("b", date=dt.date(2024, 11, 1), author="Bo"),
        make_entry("a", date=dt.date(2024, 11, 1), author="Bo"),
        make_entry("x", date=dt.date(2024, 11, 1), author="Al"),
    ]
    model = build(entries)
    assert [e.id for e in model.entries] == ["x", "a", "b", "z", "y"]


def test_counts_and_summary_table() -> None:
    entries = [
        make_entry("1", team="East", author="Ana", category="win"),
        make_entry("2", team="East", author="ana", category="risk"),
        make_entry("3", team="West", author="Bo", category="win"),
    ]
    model = build(entries, teams=("East", "West", "Idle"))
    assert model.counts.line == "3 entries from 2 contributors in 2 teams"
    table = model.summary
    assert table.columns == ("Wins", "Customer Impact", "Launches", "Lowlights", "Risks", "Asks")
    assert [(r.label, r.counts, r.total) for r in table.rows] == [
        ("East", (1, 0, 0, 0, 1, 0), 2),
        ("West", (1, 0, 0, 0, 0, 0), 1),
        ("Idle", (0, 0, 0, 0, 0, 0), 0),  # a configured team that reported nothing shows
    ]
    assert (table.totals.label, table.totals.counts, table.totals.total) == (
        "Total",
        (2, 0, 0, 0, 1, 0),
        3,
    )


def test_counts_line_uses_singulars() -> None:
    assert build([make_entry("1")]).counts.line == "1 entry from 1 contributor in 1 team"


@pytest.mark.parametrize(
    ("customer", "headline", "lead_in", "sentence"),
    [
        (
            "Acme Corp",
            "Migration complete",
            "Acme Corp — Migration complete",
            "Acme Corp — Migration complete.",
        ),
        ("Acme Corp", "", "Acme Corp", "Acme Corp."),
        ("", "Cost review done!", "Cost review done!", "Cost review done!"),
        ("", "", "", ""),
        ("Globex", "Globex cuts costs 30%", "Globex cuts costs 30%", "Globex cuts costs 30%."),
        (
            "Contoso Health Ltd",
            "Contoso Health portal slow",
            "Contoso Health portal slow",
            "Contoso Health portal slow.",
        ),
    ],
)
def test_lead_in(customer: str, headline: str, lead_in: str, sentence: str) -> None:
    entry = build([make_entry("1", customer=customer, headline=headline)]).entries[0]
    assert (entry.lead_in, entry.lead_in_sentence) == (lead_in, sentence)


def test_attribution_is_author_and_team() -> None:
    entry = build([make_entry("1", author="Dana Reyes", team="East")]).entries[0]
    assert entry.attribution == "Dana Reyes, East"


def test_title_and_period_label() -> None:
    model = build([make_entry("1")], org="Field Engineering EMEA")
    assert model.title == "Field Engineering EMEA Monthly Business Review — November 2024"
    assert model.subject == "Monthly Business Review — November 2024"
    assert build([make_entry("1")], org="").title == "Monthly Business Review — November 2024"


def test_without_a_period_the_title_spans_the_entries_dates() -> None:
    entries = [
        make_entry("1", date=dt.date(2024, 10, 1)),
        make_entry("2", date=dt.date(2024, 12, 15)),
    ]
    model = build(entries, period=None, org="")
    assert model.title == "Monthly Business Review — 1 Oct 2024 – 15 Dec 2024"
    one_month = build([make_entry("1", date=dt.date(2024, 10, 9))], period=None, org="")
    assert one_month.period_label == "October 2024"


def test_quadrants_follow_config() -> None:
    entries = [
        make_entry("w", category="win"),
        make_entry("l", category="launch"),
        make_entry("low", category="lowlight"),
        make_entry("a", category="ask"),
        make_entry("r", category="risk"),
    ]
    view = build(entries).teams[0]
    assert [(q.title, [e.id for e in q.entries]) for q in view.quadrants] == [
        ("Highlights", ["w", "l"]),
        ("Lowlights", ["low"]),
        ("Customer Impact", []),
        ("Risks & Asks", ["r", "a"]),
    ]
    assert [[q.title for q in row] for row in view.rows] == [
        ["Highlights", "Lowlights"],
        ["Customer Impact", "Risks & Asks"],
    ]


def test_a_category_no_quadrant_names_is_shown_as_other_not_lost() -> None:
    categories = (Category("win", "Wins"), Category("people", "People"))
    quadrants = (("Wins", ("win",)), ("A", ()), ("B", ()), ("C", ()))
    model = build([make_entry("p", category="people")], categories=categories, quadrants=quadrants)
    assert [(q.title, len(q.entries)) for q in model.teams[0].quadrants][-1] == ("Other", 1)


def test_draft_shows_unknown_categories_after_configured_ones() -> None:
    model = build([make_entry("a", category="Wiins"), make_entry("b", category="win")])
    assert [s.title for s in model.sections][-1] == "Wiins"
    assert model.summary.columns[-1] == "Wiins"


def test_problems_travel_with_their_entry() -> None:
    entry = make_entry("a")
    found = problem(entry, "MBR101", "summary has 140 words; the limit is 120")
    model = build_report_model(
        ReportInput([entry], NOVEMBER, problems_by_entry={"a": [found]}, draft=True), config()
    )
    assert model.problems == 1
    assert model.entries[0].problems[0].text == (
        "MBR101 [error] summary has 140 words; the limit is 120\n"
        "= help: fix MBR101\nat entries.xlsx:Entries!E2"
    )


EMOJI = "family 👩\u200d👩\u200d👧 heart ❤\ufe0f flag 🇪🇺 skin 👍🏽"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain text", "plain text"),
        ("bell\x07 nul\x00 esc\x1b del\x7f c1\x85", "bell nul esc del c1"),
        ("zero\u200bwidth\u2060joiner\ufeffbom", "zerowidthjoinerbom"),
        ("not a char \ufffe\uffff", "not a char "),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("windows\r\nline", "windows\nline"),
        ("tab\there", "tab here"),
        (EMOJI, EMOJI),
        ("non\u00a0breaking é ß 中文", "non\u00a0breaking é ß 中文"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
