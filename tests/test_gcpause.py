"""The cycle collector is paused while a log is read, checked and rendered, and resumed after."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from mbr.config import load_config
from mbr.entries import build_entries
from mbr.gcpause import without_cycle_collection
from mbr.intake import read_sources
from mbr.rules.engine import check_entries


def test_the_collector_is_paused_within_and_restored_after() -> None:
    assert gc.isenabled()
    with without_cycle_collection():
        assert not gc.isenabled()
        with without_cycle_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not resume it early
    assert gc.isenabled()
    gc.disable()
    try:
        with without_cycle_collection():
            pass
        assert not gc.isenabled()  # paused by someone else: left paused
    finally:
        gc.enable()
    with pytest.raises(ValueError), without_cycle_collection():
        raise ValueError
    assert gc.isenabled()


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """Generations collected while the test runs, with collections made frequent."""
    seen: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    threshold = gc.get_threshold()
    gc.set_threshold(50, 2, 2)
    gc.callbacks.append(record)
    try:
        yield seen
    finally:
        gc.callbacks.remove(record)
        gc.set_threshold(*threshold)


def _settled(collections: list[int]) -> None:
    """Collect what is due now, so a stage starts with nothing pending.

    A paused stage allows one collection: the one due as the collector
    resumes, over what the stage allocated. Unpaused, with collections made
    this frequent, there are hundreds.
    """
    gc.collect()
    collections.clear()


def test_reading_building_and_checking_a_log_run_no_collection(
    generate: ModuleType, tmp_path: Path, collections: list[int]
) -> None:
    path = tmp_path / "log.csv"
    generate.write_csv(path, 300)
    config = load_config(generate.CONFIG)
    _settled(collections)
    intake = read_sources([str(path)])
    assert len(collections) <= 1
    _settled(collections)
    entries, _ = build_entries(intake.records, config, today=generate.TODAY)
    assert len(collections) <= 1
    _settled(collections)
    assert check_entries(entries, config)
    assert len(collections) <= 1
    assert gc.isenabled()
    # Work of this kind with the collector running does collect (so the test can fail).
    kept = [[n] for n in range(1000)]
    assert collections
    assert len(kept) == 1000


def test_the_command_leaves_little_for_the_collection_python_makes_at_exit(
    tmp_path: Path,
) -> None:
    """Python's exit collection walks every object the collector tracks, frozen ones
    aside; `mbr` freezes what it holds as it ends, so that walk is short."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print(len(gc.get_objects()), gc.get_freeze_count(),"
        " file=sys.stderr))\n"
        "from mbr.cli import main\n"
        "sys.argv = ['mbr', 'check', 'samples/intake.xlsx', '--config', 'samples/mbr.toml',"
        " '--today', '2024-12-02']\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1, done.stderr  # the samples hold errors on purpose
    assert "MBR" in done.stdout
    walked, frozen = map(int, done.stderr.split()[-2:])
    assert frozen > 10_000  # what the run still held: modules, entries, diagnostics
    assert walked < frozen // 20
