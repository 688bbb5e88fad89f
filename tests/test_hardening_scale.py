"""Nothing lost at scale: every entry read is in the report, rejected with its
reason, or counted as outside the period — for `mbr compile` and `mbr run`.

The log is the benchmarks' seeded 5,000-row generator (one row in five
carries a mistake a rule reports) plus a YAML file of the awkward cases:
missing fields, bad and unknown dates, unknown categories, exact
duplicates, a reused id, dates outside the period.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from benchmarks.generate import CONFIG, TODAY, write_csv
from mbr.config import load_config
from mbr.dates import parse_period
from mbr.model import Entry
from mbr.pipeline import Collected, collect

PERIOD = "2021-01-01..2026-12-31"  # the generator's whole span; its future dates fall outside
SUMMARY = (
    "Closed a three-year agreement worth $4.2M after a 6-week proof of concept that cut "
    "query latency by 45% across 12 regional warehouses for the retail analytics team."
)


def extra(**fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "date": "2024-11-05", "author": "Dana Reyes", "team": "Enterprise East",
        "category": "win", "customer": "Acme Corp",
        # One summary each, so that only the pair meant as duplicates is one.
        "summary": f"{SUMMARY} Reference {fields.get('id')}.",
    }
    values.update(fields)
    return {key: value for key, value in values.items() if value is not None}


EXTRAS = [
    extra(id="no-author", author=None),
    extra(id="no-summary", summary=""),
    extra(id="no-category", category=None),
    extra(id="no-date", date=None),  # unknown date: in the period, rejected (MBR001)
    extra(id="bad-date", date="sometime soon"),  # unknown date: in the period (MBR002)
    extra(id="bad-category", category="Wiins"),
    extra(id="unknown-team", team="Enterprise Est"),  # a warning: included
    extra(id="too-old", date="2019-05-01"),
    # An id written twice, first outside the period: the second is "twice-2" in
    # a build for the period too, where the first entry is not built.
    extra(id="twice", date="2019-06-01"),
    extra(id="twice", date="2024-11-06", summary=SUMMARY + " Reused from 2019."),
    extra(id="too-new", date="2030-01-01"),
    extra(id="reused", summary=SUMMARY + " First of two."),
    extra(id="reused", summary=SUMMARY + " Second of two."),  # same id: becomes reused-2
    extra(author="Sam Okafor", summary=SUMMARY + " Logged twice."),  # derived ids
    extra(author="Sam Okafor", summary=SUMMARY + " Logged twice."),  # exact duplicate: MBR005
]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale")
    config = CONFIG.read_text(encoding="utf-8")
    (root / "mbr.toml").write_text(
        'sources = ["log.csv", "extras.yaml"]\n' + config, encoding="utf-8"
    )
    write_csv(root / "log.csv", 5000)
    (root / "extras.yaml").write_text(yaml.safe_dump(EXTRAS, sort_keys=False), encoding="utf-8")
    return root


def _collect(workspace: Path, period: str | None) -> Collected:
    return collect(
        [str(workspace / "log.csv"), str(workspace / "extras.yaml")],
        load_config(workspace / "mbr.toml"),
        today=TODAY,
        period=parse_period(period, today=TODAY) if period else None,
    )


@pytest.fixture(scope="module")
def collected(workspace: Path) -> Collected:
    """What was read for the period, the way the CLI reads it: the ground truth."""
    return _collect(workspace, PERIOD)


@pytest.fixture(scope="module")
def every_entry(workspace: Path) -> list[Entry]:
    """Every entry read, built without a period (so none is skipped)."""
    return _collect(workspace, None).in_period


def mbr(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mbr", *args],
        cwd=workspace, capture_output=True, text=True, timeout=120,
    )


def accounting(stderr: str) -> tuple[int, int, int, int]:
    found = re.search(
        r"^read (\d+) · in period (\d+) · included (\d+) · excluded (\d+)$", stderr, re.MULTILINE
    )
    assert found, stderr[-2000:]
    read, in_period, included, excluded = (int(group) for group in found.groups())
    return read, in_period, included, excluded


def test_the_log_mixes_every_kind_of_problem(
    collected: Collected, every_entry: list[Entry]
) -> None:
    codes = Counter(d.code for d in collected.diagnostics)
    for code in ("MBR001", "MBR002", "MBR003", "MBR004", "MBR005", "MBR007", "MBR101", "MBR102"):
        assert codes[code] > 0, code
    ids = [entry.id for entry in every_entry]
    assert len(ids) == len(set(ids)) == collected.read == 5000 + len(EXTRAS)
    assert {"reused", "reused-2", "twice", "twice-2"} <= set(ids)
    assert any(entry.date is None for entry in collected.in_period)
    assert len(collected.in_period) < collected.read


def test_a_build_for_the_period_gives_the_same_entries(
    collected: Collected, every_entry: list[Entry]
) -> None:
    # Entries dated outside the period are not built at all (speed); those
    # that are must be the very entries a whole build gives, ids and all.
    period = parse_period(PERIOD, today=TODAY)
    assert collected.in_period == [e for e in every_entry if e.date is None or e.date in period]
    assert "twice-2" in {e.id for e in collected.in_period}


def test_compile_accounts_for_every_entry(
    workspace: Path, collected: Collected, every_entry: list[Entry]
) -> None:
    result = mbr(
        workspace, "compile", "--period", PERIOD, "--today", TODAY.isoformat(),
        "-o", "report.html", "--rejects", "rejects.json",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    read, in_period, included, excluded = accounting(result.stderr)
    html = (workspace / "report.html").read_text(encoding="utf-8")
    in_report = re.findall(r' id="entry-([^"]+)"', html)
    rejects = json.loads((workspace / "rejects.json").read_text(encoding="utf-8"))
    rejected = [r["entry_id"] for r in rejects]

    period_ids = {entry.id for entry in collected.in_period}
    assert (read, in_period) == (len(every_entry), len(period_ids))
    assert included + excluded == in_period
    assert len(in_report) == len(set(in_report)) == included
    assert len(rejected) == len(set(rejected)) == excluded
    assert set(in_report).isdisjoint(rejected)
    assert set(in_report) | set(rejected) == period_ids
    errors = {
        (d.entry_id, d.code) for d in collected.diagnostics if d.severity.value == "error"
    }
    for reject in rejects:  # each with the errors that kept it out, and where it is
        assert reject["location"] and reject["reasons"]
        for reason in reject["reasons"]:
            assert (reject["entry_id"], reason["code"]) in errors
            assert reason["message"] and reason["location"]

    reasons = {r["entry_id"]: {x["code"] for x in r["reasons"]} for r in rejects}
    assert reasons["no-author"] == reasons["no-summary"] == reasons["no-date"] == {"MBR001"}
    assert reasons["bad-date"] == {"MBR002"} and reasons["bad-category"] == {"MBR003"}
    first, second = (e.id for e in every_entry if e.summary.endswith("Logged twice."))
    assert first in in_report and reasons[second] == {"MBR005"}
    assert {"unknown-team", "reused", "reused-2"} <= set(in_report)
    outside = {entry.id for entry in every_entry} - period_ids
    assert {"too-old", "too-new"} <= outside
    assert outside.isdisjoint(in_report) and outside.isdisjoint(rejected)
    future = {e.id for e in every_entry if e.date is not None and e.date > TODAY}
    assert future - {"too-new"}  # the generator's future dates are outside the period too


def test_run_manifest_accounts_for_every_entry(workspace: Path, collected: Collected) -> None:
    result = mbr(workspace, "run", "--period", PERIOD, "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stderr[-2000:]
    [manifest_path] = (workspace / "reports").glob("*.json")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    counts = manifest["counts"]
    period_ids = {entry.id for entry in collected.in_period}
    assert counts["read"] == collected.read
    assert counts["in_period"] == len(period_ids)
    assert counts["included"] + counts["excluded"] == counts["in_period"]
    excluded = {e["entry_id"]: e for e in manifest["excluded"]}
    assert len(excluded) == len(manifest["excluded"]) == counts["excluded"]
    assert set(excluded) <= period_ids
    errors: dict[str, set[str]] = {}
    for d in collected.diagnostics:
        if d.severity.value == "error" and d.entry_id is not None:
            errors.setdefault(d.entry_id, set()).add(d.code)
    assert {key: {r["code"] for r in e["reasons"]} for key, e in excluded.items()} == {
        key: codes for key, codes in errors.items() if key in period_ids
    }
    [report] = (workspace / "reports").glob("*.docx")
    assert report.stat().st_size > 0
