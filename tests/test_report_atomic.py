"""atomic_write: readers see the old file or the whole new one, never half of it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mbr.atomic import atomic_write


def test_writes_bytes_and_text(tmp_path: Path) -> None:
    with atomic_write(tmp_path / "a.bin") as handle:
        handle.write(b"\x00\x01")
    with atomic_write(tmp_path / "a.txt", "w") as text:
        text.write("café\n")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "a.txt").read_bytes() == "café\n".encode()


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write(b"half of the new")
        raise RuntimeError("killed")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["report.docx"]


def test_the_new_content_appears_only_at_the_end(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    target.write_bytes(b"old")
    with atomic_write(target) as handle:
        handle.write(b"new")
        handle.flush()
        assert target.read_bytes() == b"old"
        temporaries = [p for p in tmp_path.iterdir() if p.name.startswith(".report.docx.")]
        assert len(temporaries) == 1  # beside the target: the rename stays on one file system
    assert target.read_bytes() == b"new"


def test_permissions_are_kept_or_ordinary(tmp_path: Path) -> None:
    shared = tmp_path / "shared.docx"
    shared.write_bytes(b"old")
    shared.chmod(0o640)
    with atomic_write(shared) as handle:
        handle.write(b"new")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.docx"
    with atomic_write(fresh) as handle:
        handle.write(b"new")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600


def test_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        atomic_write(tmp_path / "x", "a")  # type: ignore[call-overload]
