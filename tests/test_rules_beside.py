"""MBR006's join in a second process gives exactly what it gives in this one.

check_entries hands MBR006's join to a forked worker on a large log
(mbr.rules.beside); these tests lower the size limit so a generated log of
1,200 entries takes that path, and compare with the rules run inline.
"""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

from mbr.config import Config, load_config
from mbr.entries import build_entries
from mbr.intake import read_sources
from mbr.model import Diagnostic, Entry
from mbr.rules import beside
from mbr.rules.collection import check_collection, similar_summaries
from mbr.rules.engine import check_entries
from mbr.rules.policy import RuleSet

TWO_CORES = beside._usable_cores() > 1


@pytest.fixture(scope="module")
def logged(
    generate: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[Entry], Config]:
    path = tmp_path_factory.mktemp("log") / "log.csv"
    generate.write_csv(path, 1200)
    config = load_config(generate.CONFIG)
    entries, _ = build_entries(read_sources([str(path)]).records, config, today=generate.TODAY)
    return entries, config


def _inline(entries: Sequence[Entry], config: Config) -> list[Diagnostic]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(beside, "BESIDE_MIN_ENTRIES", len(entries) + 1)
        return check_entries(entries, config)


def test_a_large_log_runs_the_join_in_a_second_process(
    logged: tuple[list[Entry], Config],
) -> None:
    entries, config = logged
    collection = beside.CollectionRules(entries, RuleSet(config), min_entries=len(entries))
    with collection:
        assert collection.in_background is TWO_CORES
        found = collection.findings()
    assert found == check_collection(entries, RuleSet(config))
    assert any(diagnostic.code == "MBR006" for _, diagnostic in found)


def test_a_small_log_keeps_them_in_this_process(logged: tuple[list[Entry], Config]) -> None:
    entries, config = logged
    with beside.CollectionRules(entries, RuleSet(config), min_entries=len(entries) + 1) as rules:
        assert not rules.in_background


def test_no_process_is_started_when_near_duplicate_is_off(
    logged: tuple[list[Entry], Config],
) -> None:
    entries, config = logged
    rules = RuleSet(config, ignore=["MBR006"])
    with beside.CollectionRules(entries, rules, min_entries=1) as collection:
        assert not collection.in_background
        assert collection.findings() == check_collection(entries, rules)


def test_check_entries_gives_the_same_diagnostics_either_way(
    logged: tuple[list[Entry], Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    entries, config = logged
    inline = _inline(entries, config)
    monkeypatch.setattr(beside, "BESIDE_MIN_ENTRIES", 1)
    assert check_entries(entries, config) == inline
    assert {"MBR005", "MBR006"} <= {diagnostic.code for diagnostic in inline}


def test_a_worker_that_is_killed_leaves_the_work_to_this_process(
    logged: tuple[list[Entry], Config],
) -> None:
    entries, config = logged
    rules = RuleSet(config)
    with beside.CollectionRules(entries, rules, min_entries=1) as collection:
        if collection.in_background:
            worker = collection._worker
            assert worker is not None
            worker.kill()  # as if killed for memory: no answer, no exception
            worker.wait()
        assert collection.findings() == check_collection(entries, rules)


def test_a_failing_join_in_the_worker_ends_its_answer_without_a_traceback(
    capfd: pytest.CaptureFixture[str],
) -> None:
    requests = io.BytesIO(pickle.dumps(0.8) + pickle.dumps([None]))  # None: not a summary
    read, write = os.pipe()
    with os.fdopen(read, "rb") as answer:
        beside.serve(requests, os.fdopen(write, "wb"))
        assert answer.read() == b""  # what findings() takes as "do the join here"
    assert capfd.readouterr().err == ""


def test_the_worker_receives_the_threshold_and_the_summaries_in_order(
    logged: tuple[list[Entry], Config],
) -> None:
    summaries = [f"summary {n} · Zürich" for n in range(1234)]
    entries = [replace(logged[0][0], summary=text) for text in summaries]
    read, write = os.pipe()
    # Sent from a thread, as CollectionRules does: a pipe holds only so much.
    sender = threading.Thread(target=beside._send, args=(os.fdopen(write, "wb"), 0.75, entries))
    sender.start()
    with os.fdopen(read, "rb") as received:
        assert pickle.load(received) == 0.75
        assert list(beside._received(received)) == summaries
    sender.join()


def test_the_worker_answers_what_the_join_gives_here(
    logged: tuple[list[Entry], Config], tmp_path: Path
) -> None:
    entries, _ = logged
    summaries = [entry.summary for entry in entries]
    # Run from a directory holding another "mbr": the worker must not take it.
    decoy = tmp_path / "mbr"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise ImportError('not this mbr')\n", encoding="utf-8")
    worker = subprocess.run(
        beside.worker_command(),
        input=pickle.dumps(0.8) + pickle.dumps(summaries) + pickle.dumps([]),
        capture_output=True,
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert pickle.loads(worker.stdout) == similar_summaries(summaries, 0.8)
