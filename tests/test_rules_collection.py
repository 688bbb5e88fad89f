"""Rules across entries: MBR005 duplicate-entry and MBR006 near-duplicate."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mbr.config import Config, config_from_mapping
from mbr.model import Entry, Location, Severity
from mbr.rules.collection import _PUNCTUATION, _words, is_similar, similar_pairs, word_set
from mbr.rules.engine import check_entries

WIN = (
    "Acme cut its monthly cloud bill by 32% after the EMEA team moved 140 workloads to "
    "Graviton instances in October, funding a second migration wave."
)


def make_entry(row: int, **fields: Any) -> Entry:
    """An entry read from row `row` of a sheet; its read order is the row."""
    location = Location("intake.xlsx", sheet="Entries", cell=f"E{row}", row=row)
    values: dict[str, Any] = {
        "id": f"row{row}",
        "date": dt.date(2024, 11, 5),
        "author": "Jane Doe",
        "team": "Enterprise East",
        "category": "win",
        "summary": WIN,
        "source": "intake.xlsx",
        "origin": Location("intake.xlsx", sheet="Entries", row=row),
        "locations": {"summary": location},
        "seq": row,
    }
    values.update(fields)
    return Entry(**values)


def check(
    entries: list[Entry], config: Config | None = None, select: list[str] | None = None
) -> list[tuple[str, str, str]]:
    found = check_entries(entries, config or Config(), select=select or ["MBR005", "MBR006"])
    return [(d.code, d.entry_id or "", d.message) for d in found]


def test_exact_duplicate_is_reported_on_the_later_entry() -> None:
    spaced = WIN.replace(" ", "  ").replace("October,", "October,\n")
    found = check([make_entry(2), make_entry(3, summary=spaced), make_entry(4, author="jane  doe")])
    assert found == [
        ("MBR005", "row3", "same author, date and summary as the entry at intake.xlsx:Entries!E2"),
        ("MBR005", "row4", "same author, date and summary as the entry at intake.xlsx:Entries!E2"),
    ]


def test_read_order_decides_which_entry_is_later() -> None:
    # The list is not in read order; seq is.
    found = check_entries([make_entry(9), make_entry(2)], Config(), select=["MBR005"])
    assert [(d.entry_id, d.location.cell, d.severity) for d in found] == [
        ("row9", "E9", Severity.ERROR)
    ]
    assert found[0].message.endswith("intake.xlsx:Entries!E2")


@pytest.mark.parametrize(
    "change",
    [{"author": "John Roe"}, {"date": dt.date(2024, 11, 6)}],
)
def test_same_summary_by_someone_else_or_another_day_is_a_near_duplicate(
    change: dict[str, Any],
) -> None:
    found = check([make_entry(2), make_entry(3, **change)])
    assert found == [
        (
            "MBR006",
            "row3",
            "summary is 100% similar to the entry at intake.xlsx:Entries!E2 by Jane Doe; "
            "the threshold is 80%",
        )
    ]


def test_near_duplicate_points_at_the_most_similar_earlier_entry() -> None:
    words = WIN.split()
    one_off = " ".join([*words[:-1], "wave!"])  # punctuation does not count
    two_off = " ".join([*words[:-2], "second", "phase."])
    entries = [
        make_entry(2, author="A", summary=two_off),
        make_entry(3, author="B", summary=one_off),
        make_entry(4, author="C"),
        make_entry(5, author="D", summary="Something else entirely, with 40% fewer words."),
    ]
    found = check(entries)
    assert [(code, entry) for code, entry, _ in found] == [
        ("MBR006", "row3"),
        ("MBR006", "row4"),
    ]
    assert "at intake.xlsx:Entries!E3 by B" in found[1][2]
    assert "summary is 100% similar" in found[1][2]


def test_exact_duplicates_are_not_also_near_duplicates() -> None:
    assert [code for code, _, _ in check([make_entry(2), make_entry(3)])] == ["MBR005"]


def test_near_duplicates_are_reported_when_mbr005_is_off(tmp_path: Path) -> None:
    cfg = config_from_mapping({"rules": {"ignore": ["MBR005"]}}, root=tmp_path)
    found = check([make_entry(2), make_entry(3)], cfg, select=["MBR0"])
    assert [code for code, _, _ in found] == ["MBR006"]


def test_threshold_is_an_option_per_category(tmp_path: Path) -> None:
    words = WIN.split()
    half = " ".join([*words[: len(words) // 2], "completely", "different", "ending", "here."])
    cfg = config_from_mapping(
        {"rules": {"MBR006": {"threshold": 0.95, "per-category": {"risk": {"threshold": 0.3}}}}},
        root=tmp_path,
    )
    entries = [
        make_entry(2, author="A"),
        make_entry(3, author="B", summary=half),
        make_entry(4, author="C", summary=half, category="risk"),
    ]
    found = check(entries, cfg)
    assert [(code, entry) for code, entry, _ in found] == [("MBR006", "row4")]
    assert found[0][2].endswith("the threshold is 30%")


def test_word_set_lowercases_and_drops_punctuation() -> None:
    assert word_set("Acme's win: 40%, (really)!") == {"acmes", "win", "40", "really"}
    assert word_set("Café’s déjà-vu: ½ off") == {"cafés", "déjàvu", "½", "off"}


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_words_take_a_shortcut_that_splits_as_the_pattern_does(text: str) -> None:
    assert _words(text) == _PUNCTUATION.sub("", text.lower()).split()


def _brute_force(sets: list[frozenset[str]], threshold: float) -> set[tuple[int, int]]:
    return {
        (i, j)
        for i, j in itertools.combinations(range(len(sets)), 2)
        if sets[i] and sets[j] and is_similar(sets[i], sets[j], threshold)
    }


@pytest.mark.parametrize("threshold", [0.2, 1 / 3, 0.5, 0.8, 0.9, 1.0])
def test_the_index_finds_exactly_the_all_pairs_answer(threshold: float) -> None:
    rng = random.Random(20241105)
    vocabulary = [f"w{n}" for n in range(30)]
    sets: list[frozenset[str]] = []
    for _ in range(300):
        if sets and rng.random() < 0.3:  # a variant of an earlier set, so pairs exist
            base = set(rng.choice(sets))
            base ^= {rng.choice(vocabulary) for _ in range(rng.randint(0, 2))}
            sets.append(frozenset(base))
        else:
            sets.append(frozenset(rng.sample(vocabulary, rng.randint(0, 12))))
    expected = _brute_force(sets, threshold)
    assert len(expected) > 10
    assert set(similar_pairs(sets, threshold)) == expected
    assert len(similar_pairs(sets, threshold)) == len(expected)  # no pair twice


def test_ten_thousand_entries_find_exactly_the_planted_near_duplicates() -> None:
    rng = random.Random(7)
    # Word frequencies in prose follow Zipf's law: a few words are everywhere,
    # most are rare. The index relies on the rare ones.
    vocabulary = [f"term{n}" for n in range(20_000)]
    cumulative = list(itertools.accumulate(1 / (n + 1) for n in range(20_000)))
    summaries = [
        " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=40)) + "." for _ in range(10_000)
    ]
    planted: dict[int, int] = {}
    for later in rng.sample(range(1, 10_000), 60):
        earlier = rng.randrange(later)
        if {earlier, later} & (set(planted) | set(planted.values())):
            continue
        words = sorted(set(summaries[earlier].rstrip(".").split()))
        words[rng.randrange(len(words))] = "changed"  # one word in ~30 differs
        summaries[later] = " ".join(words) + "."
        planted[later] = earlier
    entries = [
        make_entry(row, author=f"author{row}", summary=summary)
        for row, summary in enumerate(summaries, start=2)
    ]
    found = check_entries(entries, Config(), select=["MBR006"])
    reported = {int((d.entry_id or "").removeprefix("row")) - 2 for d in found}
    assert reported == set(planted)
    for diag in found:
        later = int((diag.entry_id or "").removeprefix("row")) - 2
        assert f"Entries!E{planted[later] + 2} " in diag.message
