"""atomic_write clears leftovers of killed writers, and only those."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from mbr.atomic import atomic_write


def test_a_successful_write_removes_this_targets_abandoned_temporaries(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    abandoned = tmp_path / ".report.docx.k3j9x_q1.tmp"
    abandoned.write_bytes(b"half a report")
    others = [
        tmp_path / ".report.docx.x.k3j9x_q1.tmp",  # a leftover of report.docx.x
        tmp_path / ".other.docx.k3j9x_q1.tmp",
        tmp_path / "report.docx.k3j9x_q1.tmp",  # not hidden: not ours
        tmp_path / ".report.docx.k3j9x_q1.bak",
    ]
    for other in others:
        other.write_bytes(b"someone else's")
    with atomic_write(target) as handle:
        handle.write(b"new")
    assert target.read_bytes() == b"new"
    assert not abandoned.exists()
    assert all(other.exists() for other in others)


def test_a_temporary_that_a_live_writer_holds_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    in_progress = tmp_path / ".report.docx.abcd1234.tmp"
    descriptor = os.open(in_progress, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # what a writer in another process holds
        with atomic_write(target) as handle:
            handle.write(b"first")
        assert in_progress.exists()
    finally:
        os.close(descriptor)  # the writer dies: the kernel drops its lock
    with atomic_write(target) as handle:
        handle.write(b"second")
    assert sorted(os.listdir(tmp_path)) == ["report.docx"]


def test_the_writers_own_temporary_is_locked_while_it_writes(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    with atomic_write(target) as handle:
        handle.write(b"new")
        [temporary] = [p for p in tmp_path.iterdir() if p.name.startswith(".report.docx.")]
        probe = os.open(temporary, os.O_RDONLY)
        try:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = False
            except BlockingIOError:
                locked = True
        finally:
            os.close(probe)
        assert locked
    assert target.read_bytes() == b"new"
