"""Write a file so that readers see the old version or the whole new one, never half.

The data goes to a temporary file in the target's directory (same file
system, so the final rename is atomic), is flushed to disk, and only then
replaces the target with os.replace. If anything fails — or the process is
killed — the target is untouched; a killed run may leave a hidden
`.NAME.*.tmp` file behind, never a truncated report, and the next successful
write of the same target removes such leftovers.

Telling a leftover from a file another process is writing right now: every
writer holds an exclusive flock on its temporary file until it is renamed or
removed, and the kernel drops a flock when its process ends, however it ends
(SIGKILL included). So a temporary file whose lock we can take belongs to
no live writer. An age threshold would be simpler but wrong both ways: it
keeps a fresh leftover that the very next run should clear, and it could
delete the file of a writer stalled on a slow network share. (Windows has
no flock, and needs none here: it refuses to delete a file that another
process has open.)
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, TextIO, overload


@overload
def atomic_write(
    path: str | os.PathLike[str], mode: Literal["wb"] = "wb"
) -> contextlib.AbstractContextManager[BinaryIO]: ...


@overload
def atomic_write(
    path: str | os.PathLike[str], mode: Literal["w"], *, encoding: str = "utf-8"
) -> contextlib.AbstractContextManager[TextIO]: ...


def atomic_write(
    path: str | os.PathLike[str], mode: str = "wb", *, encoding: str = "utf-8"
) -> contextlib.AbstractContextManager[IO[Any]]:
    """Open `path` for writing through a temporary file; replace it on success.

    `mode` is "wb" (default, a binary file) or "w" (text in `encoding`,
    newlines as written). Use it as a context manager:

        with atomic_write("report.docx") as handle:
            handle.write(data)
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write mode must be 'wb' or 'w', not {mode!r}")
    return _atomic(Path(path), mode, encoding)


@contextlib.contextmanager
def _atomic(target: Path, mode: str, encoding: str) -> Iterator[IO[Any]]:
    descriptor, temporary = _locked_temporary(target)
    try:
        if mode == "w":
            handle: IO[Any] = open(descriptor, "w", encoding=encoding, newline="")  # noqa: SIM115
        else:
            handle = open(descriptor, "wb")  # noqa: SIM115 - closed by the with below
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            os.chmod(temporary, _mode_for(target))
            if sys.platform != "win32":
                # Renamed while still open, so the lock covers the file until
                # it has its final name: no cleaner can take it for a leftover.
                os.replace(temporary, target)
        if sys.platform == "win32":
            os.replace(temporary, target)  # Windows cannot rename an open file
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _remove_leftovers(target)


def _locked_temporary(target: Path) -> tuple[int, Path]:
    """A new temporary file beside `target`, created and locked by us.

    Between mkstemp and flock another process's cleanup may take the lock
    and delete the file; a file that has no name any more after we hold the
    lock is abandoned for a fresh one.
    """
    while True:
        descriptor, name = tempfile.mkstemp(
            dir=target.parent, prefix=_temporary_prefix(target), suffix=".tmp"
        )
        _lock(descriptor)
        if os.fstat(descriptor).st_nlink > 0:
            return descriptor, Path(name)
        os.close(descriptor)


def _temporary_prefix(target: Path) -> str:
    return f".{target.name}."


def _remove_leftovers(target: Path) -> None:
    """Delete `.NAME.*.tmp` files of this target that no live writer holds.

    Only this target's own temporary files are considered (mkstemp's random
    part never holds a dot, so `.a.docx.x.k3j9.tmp`, which belongs to
    `a.docx.x`, is not one of `a.docx`'s), and one locked by a running writer
    is left alone. Cleanup is best effort: it never fails a write that has
    already succeeded.
    """
    prefix = _temporary_prefix(target)
    try:
        candidates = [
            entry
            for entry in os.scandir(target.parent)
            if entry.name.startswith(prefix)
            and entry.name.endswith(".tmp")
            and "." not in entry.name[len(prefix) : -len(".tmp")]
        ]
    except OSError:
        return
    for candidate in candidates:
        with contextlib.suppress(OSError):
            _remove_if_abandoned(Path(candidate.path))


if sys.platform == "win32":

    def _lock(descriptor: int) -> None:
        """Nothing to do: Windows refuses to delete a file another process has open."""

    def _remove_if_abandoned(path: Path) -> None:
        path.unlink()  # fails while another process has the file open

else:
    import fcntl

    def _lock(descriptor: int) -> None:
        # A file system without locks (some network mounts) must not stop the
        # write; there the cleanup cannot take a lock either, so removes nothing.
        with contextlib.suppress(OSError):
            fcntl.flock(descriptor, fcntl.LOCK_EX)

    def _remove_if_abandoned(path: Path) -> None:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # a live process is writing it
            if os.path.samestat(os.fstat(descriptor), os.stat(path, follow_symlinks=False)):
                path.unlink()
        finally:
            os.close(descriptor)


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new one gets what open() would give it.

    mkstemp creates 0600 files, which would make a shared report unreadable to
    the team that was meant to read it.
    """
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_current_umask()


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
