"""MBR006's set-similarity join against the all-pairs answer.

The join prunes with prefix and size bounds on both sides and keeps long
postings split by position; any bound one token too tight loses pairs
silently, so each path is checked against brute force on sets made to reach
it: tokens indexed by one set, by a few, and by many (split postings).
"""

from __future__ import annotations

import functools
import itertools
import random

import pytest

from mbr.rules import collection
from mbr.rules.collection import (
    is_similar,
    similar_groups,
    similar_pairs,
    similar_summaries,
)

THRESHOLDS = [0.5, 0.8, 0.9, 1.0]


def brute_force_groups(
    sets: list[frozenset[str]], threshold: float
) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """similar_groups by its definition: group equal sets, compare every two groups."""
    first: dict[frozenset[str], int] = {}
    groups: list[list[int]] = []
    for index, words in enumerate(sets):
        if not words:
            continue
        if words not in first:
            first[words] = len(groups)
            groups.append([])
        groups[first[words]].append(index)
    pairs = [
        (g, h)
        for g, h in itertools.combinations(range(len(groups)), 2)
        if is_similar(sets[groups[g][0]], sets[groups[h][0]], threshold)
    ]
    return groups, pairs


@functools.cache
def template_answer(seed: int, threshold: float) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """The all-pairs answer on template_sets(seed), worked out once per test run."""
    return brute_force_groups(template_sets(seed), threshold)


@functools.cache
def template_sets(seed: int, count: int = 400) -> list[frozenset[str]]:
    """Sets like generated prose: a rare code or two, words from a small
    vocabulary that many sets share (so their postings grow long), and
    near-copies of earlier sets with a word or two changed, of many sizes."""
    rng = random.Random(seed)
    common = [f"c{n}" for n in range(40)]
    middling = [f"m{n}" for n in range(150)]
    sets: list[frozenset[str]] = []
    for number in range(count):
        if sets and rng.random() < 0.35:
            words = set(rng.choice(sets))
            for _ in range(rng.randint(0, 3)):
                if words and rng.random() < 0.5:
                    words.discard(rng.choice(sorted(words)))
                else:
                    words.add(rng.choice([*middling, f"new{number}"]))
        else:
            words = {f"code{number}"} if rng.random() < 0.7 else set()
            words |= set(rng.sample(middling, rng.randint(0, 8)))
            words |= set(rng.sample(common, rng.randint(1, 14)))
        sets.append(frozenset(words))
    return sets


@pytest.fixture(params=[2, 64], ids=["split-at-2", "split-at-default"])
def split_at(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Postings split by position from their second set (every path of the
    probe runs on split postings) or at the default length."""
    value: int = request.param
    monkeypatch.setattr(collection, "_SPLIT_AT", value)
    return value


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_join_equals_all_pairs_on_template_like_sets(
    threshold: float, seed: int, split_at: int
) -> None:
    sets = template_sets(seed)
    expected = template_answer(seed, threshold)
    # The sets pair and repeat, so a lost pair or group member shows.
    assert len(expected[1]) >= 5 or threshold == 1.0
    assert max(map(len, expected[0])) > 1
    assert similar_groups(sets, threshold) == expected


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_join_equals_all_pairs_when_every_set_shares_the_same_words(
    threshold: float, split_at: int
) -> None:
    # No rare tokens: every prefix token is indexed by hundreds of sets.
    rng = random.Random(11)
    vocabulary = [f"w{n}" for n in range(12)]
    sets = [frozenset(rng.sample(vocabulary, rng.randint(1, 12))) for _ in range(400)]
    assert similar_groups(sets, threshold) == brute_force_groups(sets, threshold)


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_join_equals_all_pairs_on_sets_differing_by_one_word_at_every_size(
    threshold: float, split_at: int
) -> None:
    # Pairs right at the bound: a set and itself less one word, for each word
    # and each size, so the partner's shared tokens sit at every position.
    sets: list[frozenset[str]] = []
    for size in range(1, 25):
        base = [f"s{size}w{n}" for n in range(size)] + [f"shared{n}" for n in range(size % 7)]
        sets.append(frozenset(base))
        sets.extend(frozenset(base[:n] + base[n + 1 :]) for n in range(len(base)))
    expected = brute_force_groups(sets, threshold)
    assert similar_groups(sets, threshold) == expected


def test_edge_cases_empty_single_word_and_identical_sets() -> None:
    empty: frozenset[str] = frozenset()
    a, b = frozenset({"a"}), frozenset({"b"})
    ab = frozenset({"a", "b"})
    sets = [empty, a, a, b, ab, empty, ab, frozenset({"a", "b", "c"})]
    groups, pairs = similar_groups(sets, 1.0)
    assert groups == [[1, 2], [3], [4, 6], [7]]  # empty sets take no part
    assert pairs == []  # at 1.0 only equal sets are similar, and those are grouped
    assert similar_groups(sets, 0.5) == brute_force_groups(sets, 0.5)
    assert similar_groups(sets, 0.5)[1] == [(0, 2), (1, 2), (2, 3)]
    assert similar_pairs([empty, empty], 0.5) == []
    assert similar_groups([], 0.8) == ([], [])


def test_similar_summaries_pairs_come_sorted_and_match_the_word_sets() -> None:
    rng = random.Random(5)
    words = [f"word{n}" for n in range(30)]
    summaries = [" ".join(rng.sample(words, rng.randint(3, 10))) + "." for _ in range(300)]
    groups, pairs = similar_summaries(summaries, 0.5)
    sets = [frozenset(summary.rstrip(".").split()) for summary in summaries]
    assert (groups, pairs) == brute_force_groups(sets, 0.5)
    assert pairs == sorted(pairs)
