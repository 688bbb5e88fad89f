"""MBR006's set-similarity join in a second process while this one runs the text rules.

On a large log the two halves of the rules stage cost about the same (at
50,000 entries each takes seconds) and share nothing: the text rules look at
one entry at a time, MBR006's join at all summaries together. With a second
core they run side by side.

The worker is a fresh interpreter (multiprocessing's "spawn"), not a fork: a
forked child shares the parent's memory only until either writes to it, and
the text rules write to every entry's page (reference counts), so a fork
ended up holding a second copy of the parent's heap (over 300 MB at 100,000
entries). The summaries are sent to it in batches from a thread, so neither
side ever holds them all a second time. It sends back the groups of equal
word sets and the similar pairs of groups (indexes only); the diagnostics
are made here from them, exactly as check_collection makes them alone.

On one core, on a small log (starting an interpreter costs more than the
join there), with MBR006 off, or when the worker cannot be started or fails,
the join runs here after the text rules: the findings are the same.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection

from mbr.model import Diagnostic, Entry
from mbr.rules.collection import (
    SimilarGroups,
    check_collection,
    near_duplicate_threshold,
    similar_summaries,
)
from mbr.rules.policy import RuleSet

# Below this many entries the join takes less than starting a worker costs.
BESIDE_MIN_ENTRIES = 10_000
# Summaries per message: large enough that pickling is cheap per summary,
# small enough that a batch in flight is a few hundred kilobytes.
_BATCH = 500

Findings = list[tuple[int, Diagnostic]]


def _received(connection: Connection) -> Iterator[str]:
    """The summaries sent by _send, in order; an empty batch ends them."""
    while batch := connection.recv():
        yield from batch


def _join_in_worker(connection: Connection, threshold: float) -> None:
    """The worker's whole life: read the summaries, join, send the groups back."""
    try:
        connection.send(similar_summaries(_received(connection), threshold))
    except Exception:
        # Quietly: the parent sees the connection close and runs the join
        # itself, where the same failure is reported the usual way.
        pass
    finally:
        connection.close()


def _send(connection: Connection, entries: Sequence[Entry]) -> None:
    try:
        summaries = (entry.summary for entry in entries)
        while batch := list(itertools.islice(summaries, _BATCH)):
            connection.send(batch)
        connection.send([])
    except OSError:
        pass  # the worker is gone: findings() notices and does the join here


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


class CollectionRules:
    """MBR005 and MBR006 findings, MBR006's join worked out beside the caller where it pays.

    Start it, run the text rules, then ask for `findings()`:

        with CollectionRules(entries, rules) as collection:
            ...  # text rules
            found = collection.findings()
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
        self._worker: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self._sender: threading.Thread | None = None
        if min_entries is None:
            min_entries = BESIDE_MIN_ENTRIES
        if len(entries) < min_entries or _usable_cores() < 2:
            return
        threshold = near_duplicate_threshold(entries, rules)
        if threshold is not None:
            self._start(threshold)

    @property
    def in_background(self) -> bool:
        return self._worker is not None

    def _start(self, threshold: float) -> None:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        worker = context.Process(
            target=_join_in_worker, args=(theirs, threshold), name="mbr-near-duplicates"
        )
        try:
            worker.start()
        except OSError:
            ours.close()
            return  # no process to be had (limits, memory): the join runs here
        finally:
            theirs.close()  # the worker has its own end
        self._worker, self._connection = worker, ours
        self._sender = threading.Thread(
            target=_send, args=(ours, self._entries), name="mbr-summaries", daemon=True
        )
        self._sender.start()

    def findings(self) -> Findings:
        """MBR005 and MBR006 diagnostics with the position of the entry each is on."""
        similar: SimilarGroups | None = None
        if self._connection is not None:
            try:
                similar = self._connection.recv()
            except (EOFError, OSError):
                pass  # the worker failed or was killed: the join runs here
            finally:
                # Answered, it has read every summary and is ending; if not, it is
                # no use any more.
                self._close(stop=similar is None)
        return check_collection(self._entries, self._rules, similar)

    def _close(self, *, stop: bool) -> None:
        worker, connection, sender = self._worker, self._connection, self._sender
        self._worker = self._connection = self._sender = None
        if worker is not None:
            if stop:
                worker.kill()  # a sender blocked on a full pipe then fails and ends
            worker.join()
        if sender is not None:
            sender.join()
        if connection is not None:
            connection.close()  # only now: the sender may have been writing to it

    def __enter__(self) -> CollectionRules:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Normally findings() has closed it all; left early (an error, an
        # interrupt), the worker is stopped rather than left running.
        self._close(stop=True)
