"""Rules across entries: MBR005 duplicate-entry and MBR006 near-duplicate.

Both report on the later entry in read order and point at the earlier one.
MBR006 compares the summaries' word sets (lower-cased, punctuation removed)
by Jaccard similarity. Comparing every pair is quadratic, so the pairs come
from an exact set-similarity join: equal word sets are grouped first (so
boilerplate repeated a thousand times is one set), then, with tokens ordered
rarest first, two sets with Jaccard >= t must share two tokens among the
first few of each (the l-prefix filter with l = 2), the smaller set must hold
at least t times as many words as the larger, and the shared tokens' positions
bound the partner's size from both sides (a later position in the probing set
allows smaller partners, a later one in the partner larger ones). Candidates
that pass are verified exactly, so the answer equals the all-pairs one.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

from mbr.model import Diagnostic, Entry
from mbr.rules.policy import RuleSet

# Float products such as 0.8 * 5 may land a hair above the true value; the
# filters are loosened by this much (so nothing is missed) and verification
# uses the same tolerance.
_EPSILON = 1e-9
# Size bounds computed by division are widened by this much: a partner that
# cannot pair is only verified and dropped, a partner left out would be missed.
_MARGIN = 1e-6
# Orders (token, count) items by count, then token: rarest first, ties fixed.
_BY_COUNT_THEN_TOKEN = operator.itemgetter(1, 0)
_PUNCTUATION = re.compile(r"[^\w\s]+")
_ASCII_PUNCTUATION = bytes(code for code in range(128) if _PUNCTUATION.match(chr(code)))


def word_set(text: str) -> frozenset[str]:
    """The summary's words for MBR006: lower-cased, punctuation removed."""
    return frozenset(_words(text))


def _words(text: str) -> list[str]:
    if text.isascii():
        # The same deletion as the pattern, by bytes.translate: several times faster.
        return text.encode().translate(None, _ASCII_PUNCTUATION).lower().decode().split()
    return _PUNCTUATION.sub("", text.lower()).split()


def jaccard(a: Collection[Hashable], b: Collection[Hashable]) -> float:
    if not a and not b:
        return 0.0
    shared = len(set(a).intersection(b))
    return shared / (len(a) + len(b) - shared)


def is_similar(a: Collection[Hashable], b: Collection[Hashable], threshold: float) -> bool:
    shared = len(set(a).intersection(b))
    union = len(a) + len(b) - shared
    return union > 0 and shared >= threshold * union - _EPSILON


def similar_pairs(sets: Sequence[frozenset[str]], threshold: float) -> list[tuple[int, int]]:
    """Every pair (i, j), i < j, of non-empty sets with Jaccard similarity >= threshold."""
    groups, group_pairs = similar_groups(sets, threshold)
    pairs = [pair for members in groups for pair in itertools.combinations(members, 2)]
    for g, h in group_pairs:
        pairs.extend((min(i, j), max(i, j)) for i in groups[g] for j in groups[h])
    return pairs


# The non-empty word sets grouped by equality (indexes, ascending) and the
# pairs (g, h), g < h, of groups whose sets are similar: see similar_groups.
SimilarGroups = tuple[list[list[int]], list[tuple[int, int]]]


def similar_summaries(summaries: Iterable[str], threshold: float) -> SimilarGroups:
    """similar_groups of the summaries' word sets: the costly half of MBR006."""
    return _TokenSets(map(_words, summaries)).similar_groups(threshold)


def near_duplicate_threshold(entries: Sequence[Entry], rules: RuleSet) -> float | None:
    """The lowest MBR006 threshold over the entries' categories; None when it is off.

    Groups found at the lowest threshold hold every pair any entry's own
    threshold accepts; each pair is then judged at its entry's threshold.
    """
    thresholds = [
        float(resolved.options["threshold"])
        for category in {entry.category for entry in entries}
        if (resolved := rules.resolve("MBR006", category)) is not None
    ]
    return min(thresholds, default=None)


def similar_groups(sets: Sequence[Iterable[str]], threshold: float) -> SimilarGroups:
    """The non-empty sets grouped by equality, and the pairs of groups that are similar.

    Returns the groups (indexes into `sets`, ascending; groups in order of
    their first member) and every pair (g, h), g < h, of groups whose sets
    have Jaccard similarity >= threshold. Members of one group are trivially
    similar to each other (similarity 1), so boilerplate repeated a thousand
    times costs one set in the join, not a thousand.
    """
    return _TokenSets(sets).similar_groups(threshold)


class _TokenSets:
    """Word sets held as sorted tuples of shared integer token ids.

    A frozenset of 60 words costs about 4 KB (its hash table and its own
    copies of the word strings); the tuple of ids costs about 0.5 KB, which
    keeps MBR006 on 100,000 summaries to tens of megabytes.
    """

    def __init__(self, sets: Iterable[Iterable[str]]) -> None:
        # A new word gets the next id; looked up by map() in C.
        ids: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        self.members = [tuple(sorted(set(map(ids.__getitem__, words)))) for words in sets]

    def similar_groups(self, threshold: float) -> SimilarGroups:
        """Consumes the sets: past grouping the join holds each as its ranks only,
        which keeps the join on 100,000 summaries some 45 MB smaller."""
        members, self.members = self.members, []
        first: dict[tuple[int, ...], int] = {}
        groups: list[list[int]] = []
        for index, tokens in enumerate(members):
            if not tokens:
                continue
            group = first.setdefault(tokens, len(groups))
            if group == len(groups):
                groups.append([])
            groups[group].append(index)
        distinct: list[tuple[int, ...] | None] = [members[group[0]] for group in groups]
        del first, members
        order, ranked = _ranked(distinct)
        return groups, _join(order, ranked, threshold)


def _ranked(sets: list[tuple[int, ...] | None]) -> tuple[list[int], list[tuple[int, ...]]]:
    """The sets in probe order (increasing size), each as its tokens' ranks, rarest first.

    Returns the probe order (indexes into `sets`) and the ranked sets in it.
    Consumes `sets`: each is let go as its ranks are made, so the two forms
    are never held whole at once. Ranks go in tuples: a list built by sorted()
    carries spare slots, some 4 MB over 100,000 summaries.
    """
    frequency = Counter(itertools.chain.from_iterable(filter(None, sets)))
    # Token ids are 0..n-1, so a list maps them to ranks: indexing a list is
    # cheaper than looking up a dict, once per token of every set.
    rank_of = [0] * (max(frequency, default=-1) + 1)
    for rank, (token, _) in enumerate(sorted(frequency.items(), key=_BY_COUNT_THEN_TOKEN)):
        rank_of[token] = rank
    del frequency
    order = sorted(range(len(sets)), key=lambda i: (len(sets[i] or ()), i))
    ranked: list[tuple[int, ...]] = []
    for index in order:
        tokens, sets[index] = sets[index], None
        assert tokens is not None  # each index comes once
        ranked.append(tuple(sorted(map(rank_of.__getitem__, tokens))))
    return order, ranked


@dataclass(frozen=True)
class _Windows:
    """What a probe of a given size reads and writes in the index (see _join).

    The same for every set of that size, and sets come in size order, so it
    is worked out once per size rather than once per set.
    """

    shared_in_prefix: int  # tokens a partner must share within the prefixes: 2, or 1
    smallest: int  # first sequence number of a set large enough to pair
    ends: list[int]  # per prefix position of the probe, past the largest partner it allows
    starts: list[int]  # per position in a partner's prefix, the smallest partner it allows
    indexed: int  # how many of its rarest tokens the set indexes for later probes


def _windows(sizes: list[int], size: int, threshold: float) -> _Windows:
    """The bounds below, as sequence numbers: sizes is non-decreasing."""
    overlap_factor = threshold / (1 + threshold)
    needed = max(1, math.ceil(threshold * size - _EPSILON))
    shared_in_prefix = min(2, needed)
    probe = min(size, size - needed + shared_in_prefix)
    smallest = bisect.bisect_left(sizes, needed)
    ends: list[int] = []
    for position in range(probe):
        # A partner of size s needs an overlap a >= t/(1+t) (size + s), so
        # the first shared tokens sit within x's first size - a + 2: the
        # later the position, the smaller the partners it can pair with.
        largest = (size - position + shared_in_prefix - 1 + _EPSILON) / overlap_factor - size
        end = bisect.bisect_right(sizes, largest + _MARGIN)
        if end <= smallest:
            break  # later positions allow smaller partners still
        ends.append(end)
    # The same bound on the partner's side: its token at position j (from 0)
    # is one of the first two shared only if j <= s - a + 1, so
    # s (1 - t/(1+t)) >= j - 1 + t/(1+t) size (j itself when one shared token
    # is enough): the later the position, the larger the partner must be.
    starts: list[int] = []
    end = ends[0] if ends else smallest
    while len(starts) < size:
        least = (len(starts) - shared_in_prefix + 1 + overlap_factor * size - _EPSILON) / (
            1 - overlap_factor
        )
        start = max(smallest, bisect.bisect_left(sizes, least - _MARGIN))
        if start >= end:
            break  # no partner at this position or later ones
        starts.append(start)
    indexed = min(size, size - max(1, math.ceil(2 * overlap_factor * size - _EPSILON)) + 2)
    return _Windows(shared_in_prefix, smallest, ends, starts, indexed)


# A posting: the sequence number of the one set indexing the token (most
# tokens: a ticket number, a figure), a list of them, or for a token many
# sets index, one list per position the token has in those sets' prefixes.
_Posting = int | list[int] | tuple[list[int], ...]
# A token's posting is split by position once this many sets index it.
_SPLIT_AT = 64


def _join(
    order: list[int], ranked: list[tuple[int, ...]], threshold: float
) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of distinct non-empty token sets with Jaccard >= threshold, sorted.

    The sets come from _ranked: `order[seq]` is the index of the set probed
    `seq`-th, `ranked[seq]` its tokens' ranks.

    Sets are probed in increasing size against an index of the sets already
    seen, with tokens ordered rarest first. For x probed against a y with
    |y| <= |x|, J(x, y) >= t needs an overlap a >= t|x| (so |y| >= t|x|) and
    a >= 2t/(1+t) |y|. Their first two shared tokens then lie within x's first
    |x| - ceil(t|x|) + 2 tokens and y's first |y| - ceil(2t/(1+t)|y|) + 2 (the
    only ones indexed): the l-prefix filter with l = 2 (one when the overlap
    needed is one token). Sharing one token is common on template-like prose
    (a code name, a figure), sharing two in both prefixes is not, so few
    candidates reach the exact check. Posting lists hold sequence numbers in
    probe order, which is increasing size, so size bounds are bisections.

    Reading postings is most of the time: generated or template prose reuses
    a limited vocabulary, so even a set's rarest tokens have postings that
    grow with the log. Two things keep that down. The position bounds (a later
    position in x's prefix allows smaller partners, a later position in y's
    larger ones) cut what is read; y's side needs the posting split by y's
    position, which pays only for the few long postings, so those alone are
    split (_SPLIT_AT). And the work per sequence number read stays in C and
    small: the slices are concatenated and sorted (sorted runs, which the sort
    merges), and a set met under two tokens is one equal to its neighbour,
    found by map/compress, where seen/twice sets did three hash operations
    per number.
    """
    sizes = [len(tokens) for tokens in ranked]  # by sequence number, non-decreasing
    postings: dict[int, _Posting] = {}  # token -> sequence numbers of sets indexing it
    get = postings.get
    pairs: list[tuple[int, int]] = []
    windows: _Windows | None = None
    for seq, tokens in enumerate(ranked):
        size = sizes[seq]
        if windows is None or size != sizes[seq - 1]:
            windows = _windows(sizes, size, threshold)
        smallest, starts = windows.smallest, windows.starts
        met: list[int] = []
        lists = 0
        # ends is no longer than tokens: the probe prefix is part of the set.
        for token, end in zip(tokens, windows.ends, strict=False):
            posting = get(token)
            if posting is None:
                continue
            if isinstance(posting, int):
                if smallest <= posting < end:
                    met.append(posting)
                    lists += 1
            elif isinstance(posting, list):
                low = bisect.bisect_left(posting, smallest)
                high = bisect.bisect_left(posting, end, low)
                if high > low:
                    met += posting[low:high]
                    lists += 1
            else:
                for start, part in zip(starts, posting, strict=False):
                    if start >= end:
                        break  # later positions need larger partners still
                    low = bisect.bisect_left(part, start)
                    high = bisect.bisect_left(part, end, low)
                    if high > low:
                        met += part[low:high]
                        lists += 1
        if lists > 1 or (lists and windows.shared_in_prefix == 1):
            if windows.shared_in_prefix == 1:
                candidates = set(met)
            else:
                met.sort()
                candidates = set(
                    itertools.compress(met, map(operator.eq, met, itertools.islice(met, 1, None)))
                )
            if candidates:
                this = set(tokens)
                x = order[seq]
                for other in candidates:
                    common = len(this.intersection(ranked[other]))
                    # The same test as is_similar, inlined: this loop runs per candidate.
                    if common >= threshold * (size + sizes[other] - common) - _EPSILON:
                        y = order[other]
                        pairs.append((y, x) if y < x else (x, y))
        for position, token in enumerate(tokens[: windows.indexed]):
            posting = get(token)
            if posting is None:
                postings[token] = seq
            elif isinstance(posting, int):
                postings[token] = [posting, seq]
            elif isinstance(posting, list):
                posting.append(seq)
                if len(posting) >= _SPLIT_AT:
                    postings[token] = _by_position(posting, token, ranked)
            elif position < len(posting):
                posting[position].append(seq)
            else:
                grown = posting + tuple([] for _ in range(position + 1 - len(posting)))
                grown[position].append(seq)
                postings[token] = grown
    # Candidates come out of sets, in an order that is no part of the
    # answer; sorted, the answer does not depend on it.
    pairs.sort()
    return pairs


def _by_position(posting: list[int], token: int, ranked: list[tuple[int, ...]]) -> _Posting:
    """The posting split by the token's position in each set's prefix."""
    parts: list[list[int]] = []
    for seq in posting:
        position = ranked[seq].index(token)
        while len(parts) <= position:
            parts.append([])
        parts[position].append(seq)
    return tuple(parts)


class _WordSetsOf:
    """The entries' summary word sets, made when first asked for."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries = entries
        self._made: dict[int, frozenset[str]] = {}

    def __getitem__(self, index: int) -> frozenset[str]:
        made = self._made.get(index)
        if made is None:
            made = self._made[index] = word_set(self._entries[index].summary)
        return made


def _normalise(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class _Earlier:
    index: int  # position in the entries sequence
    similarity: float = 1.0


def check_collection(
    entries: Sequence[Entry], rules: RuleSet, similar: SimilarGroups | None = None
) -> list[tuple[int, Diagnostic]]:
    """MBR005 and MBR006 diagnostics, each with the position of the entry it is on.

    `similar` is similar_summaries of the entries' summaries at
    near_duplicate_threshold, when it has been worked out elsewhere (in a
    second process, see mbr.rules.beside); otherwise it is worked out here.
    """
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
    near = _near_duplicates(entries, rules, read_rank, reported_duplicates, similar)
    for later, match in near.items():
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
    similar: SimilarGroups | None,
) -> dict[int, _Earlier]:
    """Later entry position -> its most similar earlier entry, for entries with MBR006 on."""
    thresholds: dict[int, float] = {}
    for index, entry in enumerate(entries):
        resolved = rules.resolve("MBR006", entry.category)
        if resolved is not None and index not in skip:
            thresholds[index] = float(resolved.options["threshold"])
    if not thresholds:
        return {}
    if similar is None:
        lowest = near_duplicate_threshold(entries, rules)
        assert lowest is not None  # some entry has MBR006 on
        similar = similar_summaries((entry.summary for entry in entries), lowest)
    groups, group_pairs = similar
    # Only the entries in a pair need their word set again.
    sets = _WordSetsOf(entries)
    # Within a group of equal sets and within each similar group, every
    # member is equally similar to `later`, so the best earlier entry there
    # is the group's first in read order (the tie-break), if it comes first.
    first_read = [min(members, key=read_rank.__getitem__) for members in groups]
    best: dict[int, _Earlier] = {}

    def offer(later: int, earlier: int, similarity: float) -> None:
        current = best.get(later)
        if (
            current is None
            or similarity > current.similarity
            or (similarity == current.similarity and read_rank[earlier] < read_rank[current.index])
        ):
            best[later] = _Earlier(earlier, similarity)

    for group, members in enumerate(groups):
        earliest = first_read[group]
        for later in members:
            if later in thresholds and read_rank[earliest] < read_rank[later]:
                offer(later, earliest, jaccard(sets[later], sets[earliest]))
    for g, h in group_pairs:
        for group, other in ((g, h), (h, g)):
            earlier = first_read[other]
            similarity = jaccard(sets[groups[group][0]], sets[earlier])
            for later in groups[group]:
                threshold = thresholds.get(later)
                if (
                    threshold is not None
                    and read_rank[earlier] < read_rank[later]
                    and is_similar(sets[later], sets[earlier], threshold)
                ):
                    offer(later, earlier, similarity)
    return dict(sorted(best.items()))
