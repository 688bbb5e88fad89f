"""A second process for the rules of a large log: MBR006's join and a share of the text rules.

On a large log the rules stage is most of a build: the text rules look at
one entry at a time, MBR006's join at all summaries together. With a second
core, a worker process takes the join and then text rules for entries from
the end of the log while this process works from the start, until they
meet; the shares are handed out in chunks that shrink as the work runs out
(as OpenMP's guided schedule does), so both end at about the same time
whatever the join cost.

The worker is a fresh interpreter running `serve` (see worker_command). A
thread here sends it, pickled on its stdin: the RuleSet (as the config and
selectors it is built from), the summaries in batches, then chunks of
entries' EntryText; another thread reads its answers: the groups of equal
word sets and similar pairs of groups (indexes only), then each chunk's
RuleFindings. The Diagnostics are made here from them, exactly as the rules
would make them here. Reading and writing on separate threads means neither
side can block the other on a full pipe. For a large source file the worker
is started before the file is read (worker_started_early), so its start-up
is behind it when the rules begin.

Not a fork: a forked child shares the parent's memory only until either
writes to it, and the text rules write to every entry's page (reference
counts), so a fork ended up holding a second copy of the parent's heap (over
300 MB at 100,000 entries). Not multiprocessing's "spawn" either: it
re-imports the caller's main script in the child, which re-runs any script
that calls mbr without an `if __name__ == "__main__":` guard.

On one core, on a small log (starting an interpreter costs more than it
saves there), or when the worker cannot be started or fails, the work runs
here (a chunk the worker took and did not answer, too): the findings are the
same.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
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

# pickle and subprocess are imported where a worker is involved: checking a
# single entry never needs them, and they are ~10 ms of its start-up.
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
    """The worker's whole life: the rules and a threshold, the summaries and
    the groups back, then chunks of entries and their findings back."""
    import pickle

    try:
        rules, threshold = pickle.load(requests)
        if threshold is not None:
            _write(answers, similar_summaries(_received(requests), threshold))
        while texts := pickle.load(requests):
            _write(answers, [entry_findings(text, rules) for text in texts])
    except Exception:
        # Quietly: the parent finds answers missing and does that work
        # itself, where the same failure is reported the usual way.
        pass
    finally:
        answers.close()


def _write(stream: IO[bytes], value: object) -> None:
    """One message: pickled here, then written in one call.

    pickle.dump would write it a frame at a time, and a thread blocked on a
    full pipe waits for the GIL again after each write.
    """
    import pickle

    stream.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    stream.flush()


def _send_summaries(
    stream: IO[bytes], rules: RuleSet, threshold: float | None, entries: Sequence[Entry]
) -> None:
    _write(stream, (rules, threshold))
    if threshold is None:
        return
    summaries = (entry.summary for entry in entries)
    while batch := list(itertools.islice(summaries, _BATCH)):
        _write(stream, batch)
    _write(stream, [])


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


_spare_lock = threading.Lock()
_spare: subprocess.Popen[bytes] | None = None


def _spawn() -> subprocess.Popen[bytes] | None:
    import subprocess

    try:
        return subprocess.Popen(
            worker_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None  # no process to be had (limits, memory): the work runs here


def _can_share() -> bool:
    return _usable_cores() >= 2 and _can_start_python()


@contextlib.contextmanager
def worker_started_early(wanted: bool) -> Iterator[None]:
    """Start a worker now, if `wanted`, for a RulesBeside within the block to take.

    Its interpreter then starts while the sources are read (~0.1 s that the
    rules of one month out of a long log would otherwise wait for). Left
    unused (the log held fewer entries than it looked), it is told to end
    as the block ends: a closed stdin is the end of its requests.
    """
    global _spare
    if wanted and _can_share():
        with _spare_lock:
            if _spare is None:
                _spare = _spawn()
    try:
        yield
    finally:
        with _spare_lock:
            worker, _spare = _spare, None
        if worker is not None:
            _end(worker, stop=False)


def _take_spare() -> subprocess.Popen[bytes] | None:
    global _spare
    with _spare_lock:
        worker, _spare = _spare, None
    return worker


def _end(worker: subprocess.Popen[bytes], *, stop: bool) -> None:
    if stop:
        worker.kill()  # a sender blocked on a full pipe then fails and ends
    for stream in (worker.stdin, worker.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):  # unsent chunks to a killed worker
                stream.close()
    worker.wait()


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
        if len(entries) >= min_entries and _can_share():
            self._start()

    @property
    def in_background(self) -> bool:
        return self._worker is not None

    def _start(self) -> None:
        worker = _take_spare() or _spawn()
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
                _write(stream, [EntryText.of(self._entries[position]) for position in chunk])
            _write(stream, [])  # the end
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
        _end(worker, stop=False)

    def __enter__(self) -> RulesBeside:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Normally collection_findings() has closed it all; left early (an
        # error, an interrupt), the worker is stopped rather than left running.
        self._close(stop=True)
