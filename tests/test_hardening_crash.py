"""A compile killed while it writes the report leaves the previous report whole.

The real `mbr compile` runs in a subprocess and gets SIGKILL while its
temporary file exists. Writing the bytes of even a large report takes a
couple of milliseconds, far too short to hit reliably by polling, so the
child is paused at an exact point of the write by an audit hook loaded
through `sitecustomize` (the code under test is not changed or mocked): it
drops a marker file and sleeps, the test sees the marker and kills it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.generate import CONFIG, TODAY, write_csv

# Runs in the child before mbr is imported. Audit events fire before the
# operation: "open" of the temporary file's descriptor comes after it was
# created and locked and before a byte is written; "os.chmod" after every
# byte is written and fsynced, just before the rename.
PAUSE_HOOK = """\
import os, sys, time

def _pause_at_write(event, args):
    wanted = os.environ["MBR_TEST_PAUSE_EVENT"]
    if event != wanted:
        return
    if wanted == "open":
        if not isinstance(args[0], int):
            return
        name = os.readlink(f"/proc/self/fd/{args[0]}")
    else:
        name = str(args[0])
    if os.path.basename(name).startswith(os.environ["MBR_TEST_PAUSE_PREFIX"]):
        with open(os.environ["MBR_TEST_PAUSE_MARKER"], "w"):
            pass
        time.sleep(120)

sys.addaudithook(_pause_at_write)
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compile_args(period: str | None) -> list[str]:
    chosen = ["--period", period] if period else []
    return [
        sys.executable, "-m", "mbr", "compile", "log.csv", *chosen,
        "--today", TODAY.isoformat(), "--config", "mbr.toml", "-o", "out/report.docx",
    ]


def temporaries(directory: Path) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.endswith(".tmp"))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "mbr.toml").write_text(CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    write_csv(tmp_path / "log.csv", 1200)
    return tmp_path


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("event", ["open", "os.chmod"])
def test_sigkill_while_writing_keeps_the_old_report(workspace: Path, event: str) -> None:
    report = workspace / "out" / "report.docx"
    first = subprocess.run(compile_args("2025"), cwd=workspace, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    before = sha256(report)

    hooks = workspace / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(PAUSE_HOOK, encoding="utf-8")
    marker = workspace / "paused"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")])),
        "MBR_TEST_PAUSE_EVENT": event,
        "MBR_TEST_PAUSE_PREFIX": ".report.docx.",
        "MBR_TEST_PAUSE_MARKER": str(marker),
    }
    # The whole log, not one year: a bigger and different report than the first.
    child = subprocess.Popen(
        compile_args(None), cwd=workspace, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, child.communicate()[1]
            assert time.monotonic() < deadline, "the compile never reached the write"
            time.sleep(0.02)
        [leftover] = temporaries(report.parent)  # killed in the middle of the write
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.communicate()
    assert child.returncode == -signal.SIGKILL

    assert sha256(report) == before
    if event == "os.chmod":  # the new report was complete, only not yet in place
        assert (report.parent / leftover).stat().st_size > report.stat().st_size
    assert temporaries(report.parent) == [leftover]

    again = subprocess.run(compile_args(None), cwd=workspace, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert sha256(report) != before
    assert os.listdir(report.parent) == ["report.docx"]  # the leftover is gone
