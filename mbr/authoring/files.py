"""Writing files so that a reader never sees half of one (on top of mbr.atomic)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from mbr.atomic import atomic_write


def atomic_save(workbook: Any, output: Path) -> None:
    """Save an openpyxl workbook to `output`: the old file or the whole new one, never half."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(output) as handle:
        workbook.save(handle)


def atomic_write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8, \\n line ends) in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "w") as handle:
        handle.write(text)


def create_exclusively(path: Path, text: str) -> bool:
    """Write `text` to `path` unless `path` exists; False when it does.

    Written to a temporary file first and hard-linked into place: the link
    fails if the name is taken (no race with a concurrent writer), and a
    reader never sees half a file.
    """
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        # mkstemp makes the file private (0600); an entry is shared like any file.
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)
