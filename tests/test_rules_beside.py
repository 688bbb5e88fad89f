"""The rules shared with a second process give exactly what they give in this one.

On a large log check_entries hands MBR006's join and a share of the text
rules to a worker process (mbr.rules.beside); these tests lower the size
limit so a generated log of 1,200 entries takes that path, and compare with
the rules run inline, including when the worker fails at any point.
"""

from __future__ import annotations

import io
import os
import pickle
import random
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

from mbr import spare
from mbr.config import Config, load_config
from mbr.entries import build_entries
from mbr.intake import read_sources
from mbr.model import Diagnostic, Entry
from mbr.rules import beside
from mbr.rules.collection import check_collection, similar_summaries
from mbr.rules.engine import check_entries
from mbr.rules.per_entry import EntryText, RuleFinding, entry_findings
from mbr.rules.policy import RuleSet

TWO_CORES = spare.usable_cores() > 1


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


def _shared(
    collection: beside.RulesBeside,
) -> tuple[dict[int, list[RuleFinding]], list[tuple[int, Diagnostic]]]:
    """Everything a RulesBeside gives; each position must come exactly once."""
    text: dict[int, list[RuleFinding]] = {}
    for position, findings in collection.text_findings():
        assert position not in text, f"position {position} came twice"
        text[position] = findings
    return text, collection.collection_findings()


def _expected(
    entries: Sequence[Entry], rules: RuleSet
) -> tuple[dict[int, list[RuleFinding]], list[tuple[int, Diagnostic]]]:
    text = {position: entry_findings(entry, rules) for position, entry in enumerate(entries)}
    return text, check_collection(entries, rules)


def test_a_large_log_shares_the_rules_with_a_second_process(
    logged: tuple[list[Entry], Config],
) -> None:
    entries, config = logged
    rules = RuleSet(config)
    with beside.RulesBeside(entries, rules, min_entries=len(entries)) as collection:
        assert collection.in_background is TWO_CORES
        found = _shared(collection)
    assert found == _expected(entries, rules)
    assert any(diagnostic.code == "MBR006" for _, diagnostic in found[1])


def test_a_small_log_keeps_them_in_this_process(logged: tuple[list[Entry], Config]) -> None:
    entries, config = logged
    rules = RuleSet(config)
    with beside.RulesBeside(entries, rules, min_entries=len(entries) + 1) as collection:
        assert not collection.in_background
        assert _shared(collection) == _expected(entries, rules)


def test_with_near_duplicate_off_the_worker_takes_text_rules_only(
    logged: tuple[list[Entry], Config],
) -> None:
    entries, config = logged
    rules = RuleSet(config, ignore=["MBR006"])
    with beside.RulesBeside(entries, rules, min_entries=1) as collection:
        assert collection.in_background is TWO_CORES
        found = _shared(collection)
    assert found == _expected(entries, rules)
    assert not any(diagnostic.code == "MBR006" for _, diagnostic in found[1])


def test_check_entries_gives_the_same_diagnostics_either_way(
    logged: tuple[list[Entry], Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    entries, config = logged
    inline = _inline(entries, config)
    monkeypatch.setattr(beside, "BESIDE_MIN_ENTRIES", 1)
    assert check_entries(entries, config) == inline
    assert {"MBR005", "MBR006", "MBR101", "MBR109"} <= {diagnostic.code for diagnostic in inline}
    # The command line's selectors reach the worker's rules too.
    assert check_entries(entries, config, ignore=["MBR109"]) == [
        diagnostic for diagnostic in inline if diagnostic.code != "MBR109"
    ]


def test_a_worker_that_is_killed_leaves_the_work_to_this_process(
    logged: tuple[list[Entry], Config],
) -> None:
    entries, config = logged
    rules = RuleSet(config)
    with beside.RulesBeside(entries, rules, min_entries=1) as collection:
        if collection.in_background:
            worker = collection._worker
            assert worker is not None
            worker.kill()  # as if killed for memory: no answer, no exception
            worker.wait()
        assert _shared(collection) == _expected(entries, rules)


# Answers the join, then takes the first chunk of entries and dies.
_DIES_AFTER_THE_JOIN = """
import pickle, sys
sys.path.insert(0, sys.argv[1])
from mbr.rules.beside import _received
from mbr.spare import write as _write
from mbr.rules.collection import similar_summaries
requests, answers = sys.stdin.buffer, sys.stdout.buffer
rules, threshold = pickle.load(requests)
_write(answers, similar_summaries(_received(requests), threshold))
pickle.load(requests)
"""


@pytest.mark.skipif(not TWO_CORES, reason="a worker starts only with two cores")
def test_chunks_a_dead_worker_took_are_done_here(
    logged: tuple[list[Entry], Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    entries, config = logged
    rules = RuleSet(config)
    home = str(Path(beside.__file__).resolve().parents[2])
    monkeypatch.setattr(
        spare, "worker_command", lambda: [sys.executable, "-c", _DIES_AFTER_THE_JOIN, home]
    )
    with beside.RulesBeside(entries, rules, min_entries=1) as collection:
        # Let the sender hand the worker a chunk before this process takes
        # everything (on a busy machine it could otherwise come too late).
        deadline = time.monotonic() + 60
        while not collection._given and time.monotonic() < deadline:
            time.sleep(0.01)
        found = _shared(collection)
        assert collection._given, "the worker took chunks and answered none"
        assert not collection._answers
    assert found == _expected(entries, rules)


def test_the_worker_answers_each_chunk_with_the_findings_made_here(
    logged: tuple[list[Entry], Config],
) -> None:
    entries, config = logged
    rules = RuleSet(config, ignore=["MBR102"])
    chunks = [entries[:40], entries[40:45]]
    requests = io.BytesIO()
    for message in (
        (rules, None),
        *([EntryText.of(entry) for entry in chunk] for chunk in chunks),
        [],
    ):
        pickle.dump(message, requests)
    requests.seek(0)
    read, write = os.pipe()
    with os.fdopen(read, "rb") as answers:
        beside.serve(requests, os.fdopen(write, "wb"))
        for chunk in chunks:
            assert pickle.load(answers) == [entry_findings(entry, rules) for entry in chunk]
        assert answers.read() == b""
    assert any(findings for findings in (entry_findings(entry, rules) for entry in entries[:40]))


@pytest.mark.parametrize(
    "messages",
    [
        [(None, 0.8), [None]],  # a failing join (None is not a summary)
        [(None, None), [None]],  # a failing text rule (None is not an entry)
        [(None, None)],  # requests that end early
    ],
    ids=["join", "text rule", "cut short"],
)
def test_a_failing_worker_ends_its_answers_without_a_traceback(
    logged: tuple[list[Entry], Config],
    capfd: pytest.CaptureFixture[str],
    messages: list[object],
) -> None:
    rules = RuleSet(logged[1])
    requests = io.BytesIO()
    for message in messages:
        if isinstance(message, tuple):
            message = (rules, message[1])
        pickle.dump(message, requests)
    requests.seek(0)
    read, write = os.pipe()
    with os.fdopen(read, "rb") as answer:
        beside.serve(requests, os.fdopen(write, "wb"))
        assert answer.read() == b""  # what RulesBeside takes as "do it here"
    assert capfd.readouterr().err == ""


def test_the_worker_receives_the_rules_and_the_summaries_in_order(
    logged: tuple[list[Entry], Config],
) -> None:
    entries, config = logged
    summaries = [f"summary {n} · Zürich" for n in range(4321)]
    many = [replace(entries[0], summary=text) for text in summaries]
    rules = RuleSet(config, select=["MBR1"], ignore=["MBR101"])
    read, write = os.pipe()
    # Sent from a thread, as RulesBeside does: a pipe holds only so much.
    sender = threading.Thread(
        target=beside._send_summaries, args=(os.fdopen(write, "wb"), rules, 0.75, many)
    )
    sender.start()
    with os.fdopen(read, "rb") as received:
        sent_rules, threshold = pickle.load(received)
        assert threshold == 0.75
        assert list(beside._received(received)) == summaries
    sender.join()
    # The rules arrive as built from the same config and command line.
    assert sent_rules.text_plan("win") == rules.text_plan("win")
    assert sent_rules.resolve("MBR101", "win") is None
    assert sent_rules.resolve("MBR005", "win") is None  # not selected


def test_the_worker_answers_what_the_rules_give_here(
    logged: tuple[list[Entry], Config], tmp_path: Path
) -> None:
    entries, config = logged
    rules = RuleSet(config)
    summaries = [entry.summary for entry in entries]
    chunk = [EntryText.of(entry) for entry in entries[:30]]
    # Run from a directory holding another "mbr": the worker must not take it.
    decoy = tmp_path / "mbr"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise ImportError('not this mbr')\n", encoding="utf-8")
    messages = [(rules, 0.8), summaries, [], chunk, []]
    worker = subprocess.run(
        spare.worker_command(),
        input=b"".join(pickle.dumps(message) for message in messages),
        capture_output=True,
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    answers = io.BytesIO(worker.stdout)
    assert pickle.load(answers) == similar_summaries(summaries, 0.8)
    assert pickle.load(answers) == [entry_findings(entry, rules) for entry in entries[:30]]
    assert answers.read() == b""


@pytest.mark.parametrize("count", [0, 1, 31, 33, 1200, 100_000])
def test_positions_are_handed_out_once_each_from_both_ends(count: int) -> None:
    positions = beside._Positions(count)
    taken: list[int] = []
    sizes: list[int] = []
    chooser = random.Random(count)
    while True:
        chunk = positions.take_front() if chooser.random() < 0.5 else positions.take_back()
        if not chunk:
            break
        assert chunk.step == 1
        taken.extend(chunk)
        sizes.append(len(chunk))
    assert sorted(taken) == list(range(count))
    assert all(size <= 512 for size in sizes)
    # The chunks shrink as the work runs out, so both sides end together.
    if count >= 1200:
        assert sizes[0] > 100 and sizes[-1] <= 32


@pytest.mark.skipif(not TWO_CORES, reason="a worker starts only with two cores")
def test_a_worker_started_early_is_the_one_the_rules_take(
    logged: tuple[list[Entry], Config],
) -> None:
    entries, config = logged
    rules = RuleSet(config)
    with spare.worker_started_early(True):
        early = spare._spare
        assert early is not None
        with beside.RulesBeside(entries, rules, min_entries=1) as collection:
            assert collection._worker is early
            found = _shared(collection)
        assert spare._spare is None
    assert early.returncode is not None
    assert found == _expected(entries, rules)


@pytest.mark.skipif(not TWO_CORES, reason="a worker starts only with two cores")
def test_a_worker_started_early_and_not_needed_ends_quietly(
    logged: tuple[list[Entry], Config], capfd: pytest.CaptureFixture[str]
) -> None:
    entries, config = logged
    with spare.worker_started_early(True):
        early = spare._spare
        assert early is not None
        # Too few entries to share: the spare is left alone.
        with beside.RulesBeside(entries[:10], RuleSet(config)) as collection:
            assert not collection.in_background
            _shared(collection)
    assert spare._spare is None
    assert early.returncode == 0
    assert capfd.readouterr().err == ""
    with spare.worker_started_early(False):
        assert spare._spare is None


def test_only_large_source_files_start_a_worker_early(tmp_path: Path) -> None:
    from mbr.pipeline import _large

    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    small.write_bytes(b"x" * 1000)
    large.write_bytes(b"x" * (1 << 20))
    assert _large([str(large)])
    assert _large([str(small), str(large)])
    assert not _large([str(small)])
    assert not _large([str(tmp_path), str(tmp_path / "missing.csv")])


class _Unpicklable:
    def __reduce__(self) -> str:
        raise TypeError("cannot pickle this")


@pytest.mark.skipif(not TWO_CORES, reason="a worker starts only with two cores")
def test_rules_that_cannot_be_sent_leave_the_work_here(
    logged: tuple[list[Entry], Config], capfd: pytest.CaptureFixture[str]
) -> None:
    entries, config = logged
    rules = RuleSet(config)
    # As if the config held something pickle cannot send: the worker must end,
    # not wait for requests that never come.
    rules._command_line = (_Unpicklable(), None)  # type: ignore[assignment]
    with beside.RulesBeside(entries, rules, min_entries=1) as collection:
        assert collection.in_background
        found = _shared(collection)
    assert found == _expected(entries, rules)
    assert capfd.readouterr().err == ""
