"""mbr's second process: a fresh interpreter of this mbr, fed pickled requests on its stdin.

On a large log two stages can use a second core: reading a large source (a
CSV file's second half, mbr.intake.delimited; the later half of a
workbook's rows, cut to a period, mbr.intake.xlsx_later_rows) and then the
rules (MBR006's join and a share of the text rules, mbr.rules.beside).
For a large source file the process is started before the file is read
(worker_started_early), so its start-up is behind it by the time either
stage asks for it; a stage takes it (take), and the reading stage gives it
back for the rules (give_back). Each request is pickled and written in one call; `serve`
answers jobs (Ask) one by one, then hands the first other request, and the
stream, to the rules' server.

Not a fork: a forked child shares the parent's memory only until either
writes to it, and the text rules write to every entry's page (reference
counts), so a fork ended up holding a second copy of the parent's heap (over
300 MB at 100,000 entries). Not multiprocessing's "spawn" either: it
re-imports the caller's main script in the child, which re-runs any script
that calls mbr without an `if __name__ == "__main__":` guard.

On one core, in a frozen app, or when the process cannot be started or
fails, each stage does its work in the main process instead.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

from mbr.gcpause import without_cycle_collection

# pickle and subprocess are imported where a worker is involved: checking a
# single entry never needs them, and they are ~10 ms of its start-up.
if TYPE_CHECKING:
    import subprocess


class Job(Protocol):
    def run(self) -> object: ...


@dataclass(frozen=True)
class Ask:
    """A request for the worker to run `job` and answer (True, its result),
    or (False, None) if it raised."""

    job: Job


@without_cycle_collection()
def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The worker's whole life: jobs, one answer each, then the rules."""
    import pickle

    # Imported while the first request is awaited: what a job needs. The
    # rules' modules come once a job is answered (while the main process
    # builds entries) or when the rules are asked for: a large source's
    # half is sent as soon as the main process has found where to split it.
    import mbr.intake.delimited
    import mbr.intake.xlsx_later_rows  # noqa: F401

    try:
        message = pickle.load(requests)
        while isinstance(message, Ask):
            try:
                answer: tuple[bool, object] = (True, message.job.run())
            except Exception:
                answer = (False, None)  # the main process does the job itself
            write(answers, answer)
            _import_rules()
            message = pickle.load(requests)
    except Exception:
        answers.close()  # no more requests, or unreadable ones: end quietly
        return
    from mbr.rules import beside

    beside.serve_rules(message, requests, answers)


def _import_rules() -> None:
    """The rules' modules, which compile their patterns as they are imported."""
    from mbr.rules import beside  # noqa: F401
    from mbr.rules.registry import all_rules

    all_rules()


def write(stream: IO[bytes], value: object) -> None:
    """One message: pickled here, then written in one call.

    pickle.dump would write it a frame at a time, and a thread blocked on a
    full pipe waits for the GIL again after each write.
    """
    import pickle

    stream.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    stream.flush()


# The worker's program: the mbr it imports must be this one. Isolated (-I),
# the working directory and PYTHON* variables cannot put another mbr first
# (a checkout of another version, say); the directory this mbr came from is
# put first unless it is already on the path, so site-packages is never
# moved ahead of the standard library.
_WORKER = (
    "import sys; home = sys.argv[1]; "
    "home in sys.path or sys.path.insert(0, home); "
    "from mbr.spare import serve; serve(sys.stdin.buffer, sys.stdout.buffer)"
)


def worker_command() -> list[str]:
    """The command that starts a worker: this Python, this mbr."""
    return [sys.executable, "-I", "-c", _WORKER, str(Path(__file__).resolve().parents[1])]


def _can_start_python() -> bool:
    """Whether sys.executable starts a Python (not so in a frozen app)."""
    return bool(sys.executable) and not getattr(sys, "frozen", False)


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def can_share() -> bool:
    return usable_cores() >= 2 and _can_start_python()


def spawn() -> subprocess.Popen[bytes] | None:
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


_spare_lock = threading.Lock()
_spare: subprocess.Popen[bytes] | None = None


@contextlib.contextmanager
def worker_started_early(wanted: bool) -> Iterator[None]:
    """Start a worker now, if `wanted`, for a stage within the block to take.

    Its interpreter then starts while the sources are read (~0.1 s that the
    rules of one month out of a long log would otherwise wait for). Left
    unused (the log held fewer entries than it looked), it is told to end
    as the block ends: a closed stdin is the end of its requests.
    """
    global _spare
    if wanted and can_share():
        with _spare_lock:
            if _spare is None:
                _spare = spawn()
    try:
        yield
    finally:
        with _spare_lock:
            worker, _spare = _spare, None
        if worker is not None:
            end(worker, stop=False)


def take() -> subprocess.Popen[bytes] | None:
    """The worker started early, now the caller's; None when there is none."""
    global _spare
    with _spare_lock:
        worker, _spare = _spare, None
    return worker


def give_back(worker: subprocess.Popen[bytes]) -> None:
    """Return a taken worker, ready for its next request, for a later stage."""
    global _spare
    with _spare_lock:
        if _spare is None:
            _spare, worker = worker, None  # type: ignore[assignment]
    if worker is not None:
        end(worker, stop=False)


class Asked:
    """A job sent to the worker started early (taken for it), its answer to come.

    Sent from a thread: the worker reads the job as the caller goes on, and
    a full pipe would otherwise block the caller.
    """

    def __init__(self, worker: subprocess.Popen[bytes], job: Job, name: str) -> None:
        self._worker = worker
        self._job = job
        # "sending", then "unsent", "broken" or "sent", then "answered" or "failed"
        self._state = "sending"
        self._sending = threading.Thread(target=self._send, name=name, daemon=True)
        self._sending.start()

    @classmethod
    def send(cls, job: Job, name: str) -> Asked | None:
        """The job on its way, or None when no worker was started early."""
        worker = take()
        return None if worker is None else cls(worker, job, name)

    def _send(self) -> None:
        import pickle

        stream = self._worker.stdin
        assert stream is not None
        try:
            message = pickle.dumps(Ask(self._job), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # a date filter that does not pickle (a caller's lambda)
            self._state = "unsent"  # nothing written: the worker is as it was
            return
        try:
            stream.write(message)
            stream.flush()
        except OSError:  # the worker is gone
            self._state = "broken"
            return
        self._state = "sent"

    def sent(self) -> bool:
        """Whether the job reached the worker (waits until it is written)."""
        self._sending.join()
        return self._state in ("sent", "answered", "failed")

    def answer(self) -> object | None:
        """The job's result; None if it was not sent, raised, or the worker failed."""
        import pickle

        if not self.sent() or self._state != "sent":
            return None
        stream = self._worker.stdout
        assert stream is not None
        try:
            done, result = pickle.load(stream)
        except Exception:  # the worker died, or sent what cannot be read
            return None
        # A job that raised leaves the worker as it left it: not reused.
        self._state = "answered" if done else "failed"
        return result if done else None

    def release(self, *, wait: bool) -> None:
        """Give the worker back for a later stage; one that may be mid-job
        is first waited for if `wait`, else ended."""
        self._sending.join()
        if wait and self._state == "sent":
            self.answer()
        if self._state in ("answered", "unsent"):
            give_back(self._worker)
        else:
            end(self._worker, stop=True)


def end(worker: subprocess.Popen[bytes], *, stop: bool) -> None:
    if stop:
        worker.kill()  # a sender blocked on a full pipe then fails and ends
    for stream in (worker.stdin, worker.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):  # unsent requests to a killed worker
                stream.close()
    worker.wait()
