"""MBR006's set-similarity join in a second process while this one runs the text rules.

On a large log the two halves of the rules stage cost about the same (at
50,000 entries each takes seconds) and share nothing: the text rules look at
one entry at a time, MBR006's join at all summaries together. With a second
core they run side by side.

The worker is a fresh interpreter running `serve` (see worker_command),
fed the summaries in pickled batches on its stdin from a thread, so neither
side ever holds them all a second time; it writes back the groups of equal
word sets and the similar pairs of groups (indexes only), and the
diagnostics are made here from them, exactly as check_collection makes them
alone. Not a fork: a forked child shares the
parent's memory only until either writes to it, and the text rules write to
every entry's page (reference counts), so a fork ended up holding a second
copy of the parent's heap (over 300 MB at 100,000 entries). Not
multiprocessing's "spawn" either: it re-imports the caller's main script in
the child, which re-runs any script that calls mbr without an
`if __name__ == "__main__":` guard.

On one core, on a small log (starting an interpreter costs more than the
join there), with MBR006 off, or when the worker cannot be started or fails,
the join runs here after the text rules: the findings are the same.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from mbr.model import Diagnostic, Entry
from mbr.rules.collection import (
    SimilarGroups,
    check_collection,
    near_duplicate_threshold,
    similar_summaries,
)
from mbr.rules.policy import RuleSet

# pickle and subprocess are imported where a worker is involved: checking a
# single entry never needs them, and they are ~10 ms of its start-up.
if TYPE_CHECKING:
    import subprocess

# Below this many entries the join takes less than starting a worker costs
# (about 0.2 s of the other core; the join on 3,600 summaries takes 0.6 s).
BESIDE_MIN_ENTRIES = 2_000
# Summaries per message: large enough that pickling is cheap per summary,
# small enough that a batch in flight is a few hundred kilobytes.
_BATCH = 500

Findings = list[tuple[int, Diagnostic]]


def _received(stream: IO[bytes]) -> Iterator[str]:
    """The summaries sent by _send, in order; an empty batch ends them."""
    import pickle

    while batch := pickle.load(stream):
        yield from batch


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The worker's whole life: a threshold, the summaries, then the groups back."""
    import pickle

    try:
        threshold = pickle.load(requests)
        similar = similar_summaries(_received(requests), threshold)
        pickle.dump(similar, answers, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        # Quietly: the parent finds no answer and runs the join itself,
        # where the same failure is reported the usual way.
        pass
    finally:
        answers.close()


def _send(stream: IO[bytes], threshold: float, entries: Sequence[Entry]) -> None:
    import pickle

    try:
        pickle.dump(threshold, stream)
        summaries = (entry.summary for entry in entries)
        while batch := list(itertools.islice(summaries, _BATCH)):
            pickle.dump(batch, stream, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump([], stream)
        stream.close()
    except OSError:
        pass  # the worker is gone: findings() finds no answer and does the join here


# The worker's program: the mbr it imports must be this one. Isolated (-I),
# the working directory and PYTHON* variables cannot put another mbr first
# (a checkout of another version, say); the directory this mbr came from is
# put first unless it is already on the path, so site-packages is never
# moved ahead of the standard library.
_WORKER = (
    "import sys; home = sys.argv[1]; "
    "home in sys.path or sys.path.insert(0, home); "
    "from mbr.rules.beside import serve; serve(sys.stdin.buffer, sys.stdout.buffer)"
)


def worker_command() -> list[str]:
    """The command that starts a worker: this Python, this mbr."""
    return [sys.executable, "-I", "-c", _WORKER, str(Path(__file__).resolve().parents[2])]


def _can_start_python() -> bool:
    """Whether sys.executable starts a Python (not so in a frozen app)."""
    return bool(sys.executable) and not getattr(sys, "frozen", False)


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
        self._worker: subprocess.Popen[bytes] | None = None
        self._sender: threading.Thread | None = None
        if min_entries is None:
            min_entries = BESIDE_MIN_ENTRIES
        if len(entries) < min_entries or _usable_cores() < 2 or not _can_start_python():
            return
        threshold = near_duplicate_threshold(entries, rules)
        if threshold is not None:
            self._start(threshold)

    @property
    def in_background(self) -> bool:
        return self._worker is not None

    def _start(self, threshold: float) -> None:
        import subprocess

        try:
            worker = subprocess.Popen(
                worker_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return  # no process to be had (limits, memory): the join runs here
        assert worker.stdin is not None
        self._worker = worker
        self._sender = threading.Thread(
            target=_send,
            args=(worker.stdin, threshold, self._entries),
            name="mbr-summaries",
            daemon=True,
        )
        self._sender.start()

    def findings(self) -> Findings:
        """MBR005 and MBR006 diagnostics with the position of the entry each is on."""
        similar: SimilarGroups | None = None
        if self._worker is not None:
            import pickle

            assert self._worker.stdout is not None
            try:
                similar = pickle.load(self._worker.stdout)
            except (EOFError, OSError, pickle.UnpicklingError):
                pass  # the worker failed or was killed: the join runs here
            finally:
                # Answered, it has read every summary and is ending; if not, it
                # is no use any more.
                self._close(stop=similar is None)
        return check_collection(self._entries, self._rules, similar)

    def _close(self, *, stop: bool) -> None:
        worker, sender = self._worker, self._sender
        self._worker = self._sender = None
        if worker is None:
            return
        if stop:
            worker.kill()  # a sender blocked on a full pipe then fails and ends
        worker.wait()
        if sender is not None:
            sender.join()
        for stream in (worker.stdin, worker.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):  # unsent batches to a killed worker
                    stream.close()

    def __enter__(self) -> CollectionRules:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Normally findings() has closed it all; left early (an error, an
        # interrupt), the worker is stopped rather than left running.
        self._close(stop=True)
