"""One run at a time per report.

The lock is an fcntl.flock on a file beside the report. The kernel releases
a flock when the process holding it ends, however it ends (SIGKILL, power
cut of the container), so a crashed run never leaves a lock that blocks the
next one; the file itself may stay, and means nothing on its own.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mbr.errors import MbrError


class RunLocked(MbrError):
    """Another process holds the lock; try again later (exit 75, EX_TEMPFAIL)."""


@contextmanager
def hold_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` for the duration of the block.

    Never waits: raises RunLocked at once when another process holds it,
    naming that process when it wrote its pid into the file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # Opened without truncating: the holder's pid must survive our open().
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(descriptor)
            raise RunLocked(
                f"another mbr run{holder} is working on this report (lock {path})",
                hint="it will finish on its own; try again later. The lock is released "
                "when that process ends, even if it is killed",
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # closing the last descriptor releases the flock


def _read_holder(descriptor: int) -> str:
    text = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    return f" (pid {text})" if text.isdigit() else ""
