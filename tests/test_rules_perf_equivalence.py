"""The rules' fast paths give exactly what the plain definitions give.

Each shortcut taken for speed (has_figure stopping at the first figure clear
of any date, month dates searched only where one can start, sentence word
counts without testing every token, line-break scans skipped on printable
text, MBR006's join over groups of equal word sets with the two-token prefix
filter) is checked against the straightforward computation it replaces, on
the benchmark generator's prose and on adversarial text built from the
pieces each shortcut reasons about.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import replace
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mbr.config import Config, load_config
from mbr.entries import build_entries
from mbr.intake import read_sources
from mbr.model import Entry, Location
from mbr.rules import textutil
from mbr.rules.collection import is_similar, jaccard, similar_pairs, word_set
from mbr.rules.engine import check_entries
from mbr.rules.text_shape import _LINE_BREAK


@pytest.fixture(scope="module")
def generated(generate: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> list[Entry]:
    """1,200 entries of the benchmark's prose, read the way mbr reads them."""
    path = tmp_path_factory.mktemp("log") / "log.csv"
    generate.write_csv(path, 1200)
    config = load_config(generate.CONFIG)
    intake = read_sources([str(path)])
    entries, _ = build_entries(intake.records, config, today=generate.TODAY)
    return entries


# --- figures (MBR106) -------------------------------------------------------


def _plain_figures(text: str) -> list[str]:
    """SPEC's definition, computed the slow way: blank every month date, then test tokens."""
    blanked = textutil._MONTH_DATE.sub(" ", text)
    return [t for t in blanked.split() if re.search(r"\d", t) and textutil._is_figure(t)]


_PIECES = [
    "Nov",
    "Nov.",
    "November",
    "Sept",
    "May",
    "may",
    "Jan",
    "5",
    "5th",
    "31st,",
    "5-7",
    "5 –",
    "of",
    "2024",
    ",",
    "(",
    ")",
    "40%",
    "3/4",
    "11/5",
    "9am",
    "Q3",
    "$2M",
    "1.5x",
    "’24",
    "2023-24",
    "x5",
    ".5",
    ",5",
    "a5",
    "_5",
    "12",
    "the",
    "Ma",
    "J",
    "\n",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(["", " ", "  "])), max_size=9))
def test_figures_and_has_figure_match_the_plain_definition(parts: list[tuple[str, str]]) -> None:
    text = "".join(piece + gap for piece, gap in parts)
    expected = _plain_figures(text)
    assert textutil.figures(text) == expected
    assert textutil.has_figure(text) is bool(expected)
    assert [m.span() for m in textutil._month_dates(text)] == [
        m.span() for m in textutil._MONTH_DATE.finditer(text)
    ] or textutil._MONTH_WORDS.isdisjoint(textutil.letter_runs(text))


def test_figures_match_the_plain_definition_on_generated_prose(generated: list[Entry]) -> None:
    texts = [e.summary for e in generated] + [e.headline for e in generated if e.headline]
    assert sum(bool(textutil._MONTH_DATE.search(t)) for t in texts) > 100  # dates do occur
    for text in texts:
        expected = _plain_figures(text)
        assert textutil.figures(text) == expected, text
        assert textutil.has_figure(text) is bool(expected), text


# --- sentences and line breaks ------------------------------------------------


def test_sentence_word_counts_count_the_words_of_each_sentence(generated: list[Entry]) -> None:
    texts = [e.summary for e in generated] + ["Done — see above. Then - we shipped 3 things. ..."]
    for text in texts:
        for sentence, count in textutil.sentences_with_word_counts(text):
            assert count == len(textutil.words(sentence)), sentence


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"])
def test_every_line_break_is_non_printable_so_printable_text_has_none(brk: str) -> None:
    # MBR103 and MBR112 skip the line-break scan when str.isprintable() holds.
    assert not brk.isprintable()
    assert _LINE_BREAK.search(f"Signed Acme.{brk}Next: expansion.")


# --- MBR006 -------------------------------------------------------------------


def _with_repeats(entries: list[Entry]) -> list[Entry]:
    """The log plus boilerplate, exact copies and one-word edits, in shuffled read order."""
    rng = random.Random(11)
    extra: list[Entry] = []
    for n in range(150):
        base = rng.choice(entries)
        summary = rng.choice(
            [
                "No update this month.",
                "No update this month!",
                "Nothing new to report this month.",
                base.summary,
                base.summary.replace(" the ", " a ", 1),
                base.summary + " Done.",
            ]
        )
        where = Location(f"extra{n}.yaml", line=1)
        extra.append(
            replace(
                base,
                id=f"extra{n}",
                origin=where,
                locations={"summary": where},
                summary=summary,
                author=rng.choice(["A", "B", base.author]),
                seq=rng.randrange(len(entries)),
            )
        )
    return [*entries, *extra]


@pytest.fixture(scope="module")
def prose_sets(generated: list[Entry]) -> tuple[list[frozenset[str]], list[tuple[int, int, float]]]:
    """Word sets of the log with repeats, and every pair's Jaccard similarity (computed once)."""
    sets = [word_set(e.summary) for e in _with_repeats(generated[:600])]
    similarities = [
        (i, j, jaccard(sets[i], sets[j]))
        for i, j in itertools.combinations(range(len(sets)), 2)
        if sets[i] and sets[j]
    ]
    return sets, similarities


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.95, 1.0])
def test_similar_pairs_equal_all_pairs_on_generated_prose(
    prose_sets: tuple[list[frozenset[str]], list[tuple[int, int, float]]], threshold: float
) -> None:
    sets, similarities = prose_sets
    # is_similar decides; the similarity only skips pairs far below the threshold.
    expected = {
        (i, j)
        for i, j, similarity in similarities
        if similarity > threshold - 0.01 and is_similar(sets[i], sets[j], threshold)
    }
    assert len(expected) > 20
    found = similar_pairs(sets, threshold)
    assert set(found) == expected
    assert len(found) == len(expected)


def _brute_force_mbr006(entries: list[Entry], threshold: float) -> dict[str, str]:
    """entry id -> the entry id MBR006 should point at, by the rule's definition."""
    read = sorted(range(len(entries)), key=lambda i: (entries[i].seq, i))
    rank = {index: r for r, index in enumerate(read)}
    copies: set[int] = set()
    seen: set[tuple[str, object, str]] = set()
    for index in read:  # MBR005's exact duplicates are not reported again
        e = entries[index]
        key = (" ".join(e.author.split()).casefold(), e.date, " ".join(e.summary.split()))
        if e.summary and key in seen:
            copies.add(index)
        seen.add(key)
    sets = [word_set(e.summary) for e in entries]
    expected: dict[str, str] = {}
    for later in range(len(entries)):
        if later in copies or not sets[later]:
            continue
        earlier = [
            i
            for i in range(len(entries))
            if rank[i] < rank[later] and sets[i] and is_similar(sets[later], sets[i], threshold)
        ]
        if earlier:
            best = max(earlier, key=lambda i: (jaccard(sets[later], sets[i]), -rank[i]))
            expected[entries[later].id] = entries[best].id
    return expected


def test_mbr006_points_at_the_same_entry_as_all_pairs(generated: list[Entry]) -> None:
    entries = _with_repeats(generated[:500])
    by_location = {str(e.location_of("summary")): e.id for e in entries}
    assert len(by_location) == len(entries)
    found = [
        d
        for d in check_entries(entries, Config(), select=["MBR005", "MBR006"])
        if d.code == "MBR006"
    ]
    pointed = [re.search(r"similar to the entry at (.+?) by ", d.message) for d in found]
    reported = {
        d.entry_id or "": by_location[m.group(1)]
        for d, m in zip(found, pointed, strict=True)
        if m is not None
    }
    assert len(reported) == len(found)
    expected = _brute_force_mbr006(entries, 0.8)
    assert len(expected) > 20
    assert reported == expected


# --- letter runs (the index MBR106-MBR117 consult) -----------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ9_ -.'’éÉßİıK\u212a\u00a0\n—"), max_size=30))
def test_letter_runs_are_the_lowercased_runs_of_letters(text: str) -> None:
    # The ASCII path (translate + split) must agree with the regex on any text.
    assert textutil.letter_runs(text) == frozenset(re.findall(r"[^\W\d_]+", text.lower()))
