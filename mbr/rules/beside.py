"""A second process for the rules of a large log: MBR006's join and a share of the text rules.

On a large log the rules stage is most of a build: the text rules look at
one entry at a time, MBR006's join at all summaries together. With a second
core, a worker process takes the join and then text rules for entries from
the end of the log while this process works from the start, until they
meet; the shares are handed out in chunks that shrink as the work runs out
(as OpenMP's guided schedule does), so both end at about the same time
whatever the join cost.

The worker is mbr's second process (mbr.spare; started before a large
source file is read). A thread here sends it, pickled on its stdin: the
RuleSet (as the config and selectors it is built from), the summaries in
batches, then chunks of entries' EntryText; another thread reads its
answers: the groups of equal word sets and similar pairs of groups (indexes
only), then each chunk's RuleFindings. The Diagnostics are made here from
them, exactly as the rules would make them here. Reading and writing on
separate threads means neither side can block the other on a full pipe.

On one core, on a small log (starting an interpreter costs more than it
saves there), or when the worker cannot be started or fails, the work runs
here (a chunk the worker took and did not answer, too): the findings are the
same.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import threading
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING

from mbr.gcpause import without_cycle_collection
from mbr.model import Diagnostic, Entry
from mbr.rules.collection import (
    SimilarGroups,
    check_collection,
    near_duplicate_threshold,
    similar_summaries,
)
from mbr.rules.per_entry import EntryText, RuleFinding, entry_findings
from mbr.rules.policy import RuleSet
from mbr.spare import can_share, end, spawn, take, write

# subprocess is imported where a worker is involved: checking a single entry
# never needs it.
if TYPE_CHECKING:
    import subprocess

# Below this many entries the rules take less than starting a worker costs
# (about 0.2 s of the other core; the rules on 3,600 entries take ~1 s).
BESIDE_MIN_ENTRIES = 2_000
# Summaries per message: few messages (each costs the sending thread a wait
# for the GIL), each a megabyte or so.
_BATCH = 2_000
# Entries handed out at a time: an eighth of what is left, within bounds. A
# chunk of 512 is ~0.1 s of text rules: long next to a message's latency
# (the reading and writing threads wait for the GIL up to 5 ms each), short
# enough that the side that finishes first waits little for the other.
_SHARE, _MIN_CHUNK, _MAX_CHUNK = 8, 32, 512
# Chunks sent to the worker ahead of its answers, so it never waits for the next.
_AHEAD = 2

Findings = list[tuple[int, Diagnostic]]
TextFindings = Iterator[tuple[int, list[RuleFinding]]]


class _Positions:
    """Entry positions handed out in chunks: from the front to this process,
    from the back to the worker; each position once."""

    def __init__(self, count: int) -> None:
        self._front, self._back = 0, count
        self._lock = threading.Lock()

    def _size(self) -> int:
        left = self._back - self._front
        return min(left, max(_MIN_CHUNK, min(_MAX_CHUNK, left // _SHARE)))

    def take_front(self) -> range:
        with self._lock:
            start = self._front
            self._front += self._size()
            return range(start, self._front)

    def take_back(self) -> range:
        with self._lock:
            stop = self._back
            self._back -= self._size()
            return range(self._back, stop)


def _received(stream: IO[bytes]) -> Iterator[str]:
    """The summaries sent by _send_summaries, in order; an empty batch ends them."""
    import pickle

    while batch := pickle.load(stream):
        yield from batch


@without_cycle_collection()
def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The rules' part of the worker's life (see serve_rules), from its first request."""
    import pickle

    try:
        first = pickle.load(requests)
    except Exception:
        answers.close()
        return
    serve_rules(first, requests, answers)


def serve_rules(first: object, requests: IO[bytes], answers: IO[bytes]) -> None:
    """The rules and a threshold (`first`), the summaries and the groups back,
    then chunks of entries and their findings back."""
    import pickle

    try:
        rules: RuleSet
        threshold: float | None
        rules, threshold = first  # type: ignore[misc]  # whatever the parent sent
        if threshold is not None:
            write(answers, similar_summaries(_received(requests), threshold))
        while texts := pickle.load(requests):
            write(answers, [entry_findings(text, rules) for text in texts])
    except Exception:
        # Quietly: the parent finds answers missing and does that work
        # itself, where the same failure is reported the usual way.
        pass
    finally:
        answers.close()


def _send_summaries(
    stream: IO[bytes], rules: RuleSet, threshold: float | None, entries: Sequence[Entry]
) -> None:
    write(stream, (rules, threshold))
    if threshold is None:
        return
    summaries = (entry.summary for entry in entries)
    while batch := list(itertools.islice(summaries, _BATCH)):
        write(stream, batch)
    write(stream, [])


class RulesBeside:
    """The text, custom and collection rules' findings, shared with a worker where it pays.

    Take the text findings first (this process works through its share as
    they are taken), then the collection findings:

        with RulesBeside(entries, rules) as beside:
            for position, findings in beside.text_findings():
                ...
            for position, diagnostic in beside.collection_findings():
                ...
    """

    def __init__(
        self,
        entries: Sequence[Entry],
        rules: RuleSet,
        *,
        min_entries: int | None = None,
    ) -> None:
        self._entries = entries
        self._rules = rules
        self._positions = _Positions(len(entries))
        self._threshold = near_duplicate_threshold(entries, rules)
        self._similar: SimilarGroups | None = None
        # Chunks in the order sent to the worker, and its answers in that order.
        self._given: collections.deque[range] = collections.deque()
        self._answers: list[tuple[range, list[list[RuleFinding]]]] = []
        self._credit = threading.Semaphore(_AHEAD)
        self._ended = threading.Event()  # the worker is done or gone: send nothing more
        self._worker: subprocess.Popen[bytes] | None = None
        self._threads: list[threading.Thread] = []
        if min_entries is None:
            min_entries = BESIDE_MIN_ENTRIES
        if len(entries) >= min_entries and can_share():
            self._start()

    @property
    def in_background(self) -> bool:
        return self._worker is not None

    def _start(self) -> None:
        worker = take() or spawn()
        if worker is None:
            return
        self._worker = worker
        for target, name in ((self._send, "mbr-send"), (self._receive, "mbr-receive")):
            thread = threading.Thread(target=target, args=(worker,), name=name, daemon=True)
            self._threads.append(thread)
            thread.start()

    def _send(self, worker: subprocess.Popen[bytes]) -> None:
        stream = worker.stdin
        assert stream is not None
        try:
            _send_summaries(stream, self._rules, self._threshold, self._entries)
            while self._credit.acquire() and not self._ended.is_set():
                chunk = self._positions.take_back()
                if not chunk:
                    break
                self._given.append(chunk)
                write(stream, [EntryText.of(self._entries[position]) for position in chunk])
            write(stream, [])  # the end
        except Exception:
            # The worker is gone, or something would not pickle (a config
            # holding an odd object, say): what it did not answer is done here.
            pass
        finally:
            # Closed either way: a worker waiting for more reads the end of
            # its requests and ends, so nothing here waits on it forever.
            with contextlib.suppress(OSError):
                stream.close()

    def _receive(self, worker: subprocess.Popen[bytes]) -> None:
        import pickle

        stream = worker.stdout
        assert stream is not None
        try:
            if self._threshold is not None:
                self._similar = pickle.load(stream)
            while True:
                findings = pickle.load(stream)
                self._answers.append((self._given.popleft(), findings))
                self._credit.release()
        except (EOFError, OSError, pickle.UnpicklingError, IndexError):
            pass  # answered all (EOF) or failed: either way nothing more comes
        finally:
            self._ended.set()
            self._credit.release()  # a sender waiting for credit sees the end

    def text_findings(self) -> TextFindings:
        """Each entry's text and custom rule findings (position, findings), in no set order."""
        entries, rules = self._entries, self._rules
        while chunk := self._positions.take_front():
            for position in chunk:
                yield position, entry_findings(entries[position], rules)
        if self._worker is None:
            return
        for thread in self._threads:
            thread.join()
        for chunk, findings in self._answers:
            yield from zip(chunk, findings, strict=True)
        # Chunks the worker took and did not answer (it failed or was killed).
        for chunk in self._given:
            for position in chunk:
                yield position, entry_findings(entries[position], rules)

    def collection_findings(self) -> Findings:
        """MBR005 and MBR006 diagnostics with the position of the entry each is on."""
        self._close(stop=self._similar is None)
        return check_collection(self._entries, self._rules, self._similar)

    def _close(self, *, stop: bool) -> None:
        worker, self._worker = self._worker, None
        if worker is None:
            return
        if stop:
            worker.kill()  # a sender blocked on a full pipe then fails and ends
        self._ended.set()
        self._credit.release()
        worker.wait()
        for thread in self._threads:
            thread.join()
        end(worker, stop=False)

    def __enter__(self) -> RulesBeside:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Normally collection_findings() has closed it all; left early (an
        # error, an interrupt), the worker is stopped rather than left running.
        self._close(stop=True)
