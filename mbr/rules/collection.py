"""Rules across entries: MBR005 duplicate-entry and MBR006 near-duplicate.

Both report on the later entry in read order and point at the earlier one.
MBR006 compares the summaries' word sets (lower-cased, punctuation removed)
by Jaccard similarity. Comparing every pair is quadratic, so the pairs come
from an exact set-similarity join (the AllPairs algorithm with prefix and size
filtering): with tokens ordered rarest first, two sets with Jaccard >= t must
share a token among the first few of each, the smaller set must hold at
least t times as many words as the larger, and where the shared token sits
bounds how large the overlap can be (PPJoin's prefix, size and positional
filters). Candidates that pass are verified exactly, so the answer equals the
all-pairs one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from mbr.model import Diagnostic, Entry
from mbr.rules.policy import RuleSet

# Float products such as 0.8 * 5 may land a hair above the true value; the
# filters are loosened by this much (so nothing is missed) and verification
# uses the same tolerance.
_EPSILON = 1e-9
_PUNCTUATION = re.compile(r"[^\w\s]+")


def word_set(text: str) -> frozenset[str]:
    """The summary's words for MBR006: lower-cased, punctuation removed."""
    return frozenset(_PUNCTUATION.sub("", text.lower()).split())


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def is_similar(a: frozenset[str], b: frozenset[str], threshold: float) -> bool:
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return union > 0 and shared >= threshold * union - _EPSILON


def similar_pairs(sets: Sequence[frozenset[str]], threshold: float) -> list[tuple[int, int]]:
    """Every pair (i, j), i < j, of non-empty sets with Jaccard similarity >= threshold.

    PPJoin: records are probed in increasing size against an index of the
    records already seen. With x probed against a smaller-or-equal y and both
    sorted by the same rarest-first order, J(x, y) >= t needs an overlap of
    a = t/(1+t) (|x|+|y|), so they share a token within x's first
    |x| - ceil(t|x|) + 1 tokens and y's first |y| - ceil(2t/(1+t)|y|) + 1 (the
    only ones indexed). A shared token at positions i, j bounds the overlap
    by the matches counted so far + 1 + min(|x|-i-1, |y|-j-1); candidates
    whose bound falls below a are dropped, the rest verified exactly.
    """
    frequency = Counter(token for s in sets for token in s)
    rank = {token: r for r, token in enumerate(sorted(frequency, key=lambda t: (frequency[t], t)))}
    order = sorted((i for i, s in enumerate(sets) if s), key=lambda i: (len(sets[i]), i))
    overlap_factor = threshold / (1 + threshold)
    postings: dict[int, list[tuple[int, int]]] = {}  # token -> (record, position in it)
    starts: dict[int, int] = {}  # per token: postings before this are too small for good
    pairs: list[tuple[int, int]] = []
    sizes = [len(s) for s in sets]
    for x in order:
        tokens = sorted([rank[t] for t in sets[x]])
        size = sizes[x]
        min_size = threshold * size - _EPSILON
        probe = size - math.ceil(threshold * size - _EPSILON) + 1
        indexed = size - math.ceil(2 * overlap_factor * size - _EPSILON) + 1
        counts: dict[int, int] = {}  # candidate -> shared tokens so far; -1 once ruled out
        for position in range(probe):
            token = tokens[position]
            posting = postings.get(token)
            if posting is not None:
                start = starts.get(token, 0)
                # Sizes only grow along a posting list and min_size only grows
                # from record to record, so skipped records never qualify again.
                while start < len(posting) and sizes[posting[start][0]] < min_size:
                    start += 1
                starts[token] = start
                x_left = size - position - 1
                for k in range(start, len(posting)):
                    y, y_position = posting[k]
                    shared = counts.get(y, 0)
                    if shared >= 0:
                        y_size = sizes[y]
                        needed = overlap_factor * (size + y_size) - _EPSILON
                        left = min(x_left, y_size - y_position - 1)
                        counts[y] = shared + 1 if shared + 1 + left >= needed else -1
            if position < indexed:
                postings.setdefault(token, []).append((x, position))
        this = sets[x]
        for y, shared in counts.items():
            # The same test as is_similar, inlined: this loop is the hot spot.
            if shared > 0:
                common = len(this & sets[y])
                if common >= threshold * (size + sizes[y] - common) - _EPSILON:
                    pairs.append((y, x) if y < x else (x, y))
    return pairs


def _normalise(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class _Earlier:
    index: int  # position in the entries sequence
    similarity: float = 1.0


def check_collection(entries: Sequence[Entry], rules: RuleSet) -> list[tuple[int, Diagnostic]]:
    """MBR005 and MBR006 diagnostics, each with the position of the entry it is on."""
    read_rank = {
        index: rank
        for rank, index in enumerate(sorted(range(len(entries)), key=lambda i: (entries[i].seq, i)))
    }
    found: list[tuple[int, Diagnostic]] = []
    duplicates = _exact_duplicates(entries, read_rank)
    reported_duplicates: set[int] = set()
    for later, earlier in sorted(duplicates.items()):
        entry = entries[later]
        resolved = rules.resolve("MBR005", entry.category)
        if resolved is None:
            continue
        reported_duplicates.add(later)
        other = entries[earlier]
        found.append(
            (
                later,
                Diagnostic(
                    code="MBR005",
                    name=resolved.info.name,
                    severity=resolved.severity,
                    message="same author, date and summary as the entry at "
                    f"{other.location_of('summary')}",
                    help="delete this copy",
                    location=entry.location_of("summary"),
                    entry_id=entry.id,
                    field="summary",
                ),
            )
        )
    for later, match in _near_duplicates(entries, rules, read_rank, reported_duplicates).items():
        entry, other = entries[later], entries[match.index]
        resolved = rules.resolve("MBR006", entry.category)
        assert resolved is not None  # only entries with MBR006 on are returned
        threshold = resolved.options["threshold"]
        found.append(
            (
                later,
                Diagnostic(
                    code="MBR006",
                    name=resolved.info.name,
                    severity=resolved.severity,
                    message=f"summary is {round(match.similarity * 100)}% similar to the entry "
                    f"at {other.location_of('summary')} by {other.author or 'an unknown author'}; "
                    f"the threshold is {round(threshold * 100)}%",
                    help=resolved.info.help,
                    location=entry.location_of("summary"),
                    entry_id=entry.id,
                    field="summary",
                ),
            )
        )
    return found


def _exact_duplicates(entries: Sequence[Entry], read_rank: dict[int, int]) -> dict[int, int]:
    """Later entry position -> the first earlier entry with the same author, date, summary."""
    first: dict[tuple[str, object, str], int] = {}
    duplicates: dict[int, int] = {}
    for index in sorted(range(len(entries)), key=read_rank.__getitem__):
        entry = entries[index]
        if not entry.summary:
            continue
        key = (_normalise(entry.author).casefold(), entry.date, _normalise(entry.summary))
        if key in first:
            duplicates[index] = first[key]
        else:
            first[key] = index
    return duplicates


def _near_duplicates(
    entries: Sequence[Entry],
    rules: RuleSet,
    read_rank: dict[int, int],
    skip: set[int],
) -> dict[int, _Earlier]:
    """Later entry position -> its most similar earlier entry, for entries with MBR006 on."""
    thresholds: dict[int, float] = {}
    for index, entry in enumerate(entries):
        resolved = rules.resolve("MBR006", entry.category)
        if resolved is not None and index not in skip:
            thresholds[index] = float(resolved.options["threshold"])
    if not thresholds:
        return {}
    sets = [word_set(entry.summary) for entry in entries]
    best: dict[int, _Earlier] = {}
    for a, b in similar_pairs(sets, min(thresholds.values())):
        later, earlier = (a, b) if read_rank[a] > read_rank[b] else (b, a)
        threshold = thresholds.get(later)
        if threshold is None or not is_similar(sets[later], sets[earlier], threshold):
            continue
        similarity = jaccard(sets[later], sets[earlier])
        current = best.get(later)
        if (
            current is None
            or similarity > current.similarity
            or (similarity == current.similarity and read_rank[earlier] < read_rank[current.index])
        ):
            best[later] = _Earlier(earlier, similarity)
    return dict(sorted(best.items()))
