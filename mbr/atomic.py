"""Write a file so that readers see the old version or the whole new one, never half.

The data goes to a temporary file in the target's directory (same file
system, so the final rename is atomic), is flushed to disk, and only then
replaces the target with os.replace. If anything fails — or the process is
killed — the target is untouched; an interrupted run may leave a hidden
`.NAME.*.tmp` file behind, never a truncated report.
"""

from __future__ import annotations

import contextlib
import os
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
    directory = target.parent
    descriptor, temporary_name = tempfile.mkstemp(
        dir=directory, prefix=f".{target.name}.", suffix=".tmp"
    )
    temporary = Path(temporary_name)
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
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


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
