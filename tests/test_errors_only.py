"""A compile without --draft looks for errors alone (collect's errors_only):
it must find exactly the error diagnostics that looking for every one
finds, under any severities a config sets, and write the same report.
"""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from mbr.config import load_config
from mbr.dates import parse_period
from mbr.model import Diagnostic, Severity
from mbr.pipeline import collect
from mbr.report import CompileOptions, compile_report
from mbr.rules.policy import RuleSet

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TODAY = dt.date(2026, 11, 27)

# Severities moved both ways: a warning rule made an error for one
# category, an error rule a warning for another, a custom rule an error.
_MOVED = """
[rules.MBR107.per-category.win]
severity = "error"
[rules.MBR006]
severity = "error"
[rules.MBR110.per-category.lowlight]
severity = "warning"
[rules.MBR106.per-category.launch]
severity = "info"
"""


def _samples(tmp_path: Path, which: str) -> Path:
    """A copy of the samples; its config's severities moved if `which` says so."""
    copy = tmp_path / "samples"
    shutil.copytree(SAMPLES, copy)
    if which == "moved":
        config = copy / "mbr.toml"
        text = config.read_text(encoding="utf-8")
        custom = 'severity = "warning"\nfield = "summary"'
        assert custom in text
        text = text.replace(custom, 'severity = "error"\nfield = "summary"') + _MOVED
        config.write_text(text, encoding="utf-8")
    return copy


def _errors(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity is Severity.ERROR]


@pytest.mark.parametrize("which", ["sample", "moved"])
@pytest.mark.parametrize("period", ["2026-10", None])
def test_errors_alone_are_the_errors_of_every_diagnostic_on_the_samples(
    tmp_path: Path, which: str, period: str | None
) -> None:
    samples = _samples(tmp_path, which)
    config = load_config(samples / "mbr.toml")
    sources = [str(samples / "intake.xlsx"), str(samples / "entries")]
    wanted = None if period is None else parse_period(period, today=TODAY)
    every = collect(sources, config, today=TODAY, period=wanted)
    errors = collect(sources, config, today=TODAY, period=wanted, errors_only=True)
    assert errors.errors_only and not every.errors_only
    assert errors.diagnostics == _errors(every.diagnostics)
    assert len(errors.diagnostics) < len(every.diagnostics)  # warnings were found, and left
    assert (errors.read, errors.in_period) == (every.read, every.in_period)


@pytest.mark.parametrize("which", ["sample", "moved"])
@pytest.mark.parametrize("period", ["2024-03", None])
def test_errors_alone_are_the_errors_of_every_diagnostic_on_a_generated_log(
    tmp_path: Path, which: str, period: str | None, generated_log: Path
) -> None:
    config = load_config(_samples(tmp_path, which) / "mbr.toml")
    wanted = None if period is None else parse_period(period, today=TODAY)
    every = collect([str(generated_log)], config, today=TODAY, period=wanted)
    errors = collect([str(generated_log)], config, today=TODAY, period=wanted, errors_only=True)
    assert errors.diagnostics == _errors(every.diagnostics)
    if which == "moved":  # MBR006 made an error: its join runs, and finds the same pairs
        assert any(d.code == "MBR006" for d in errors.diagnostics)
    else:
        assert not any(d.code == "MBR006" for d in errors.diagnostics)


def test_the_report_of_errors_alone_is_the_report_of_every_diagnostic(tmp_path: Path) -> None:
    samples = _samples(tmp_path, "sample")
    config = load_config(samples / "mbr.toml")
    sources = [str(samples / "intake.xlsx"), str(samples / "entries")]
    period = parse_period("2026-10", today=TODAY)
    results = []
    for errors_only in (False, True):
        collected = collect(sources, config, today=TODAY, period=period, errors_only=errors_only)
        output = tmp_path / f"{errors_only}.docx"
        results.append(compile_report(collected, config, CompileOptions(output=output)))
    every, errors = results
    assert (errors.accounting, errors.excluded) == (every.accounting, every.excluded)
    assert every.excluded  # entries with errors were left out, and listed
    parts = []
    for result in results:
        assert result.output is not None
        with zipfile.ZipFile(result.output) as package:
            parts.append(package.read("word/document.xml"))
    assert parts[0] == parts[1]


def test_a_draft_of_errors_alone_is_refused(tmp_path: Path) -> None:
    samples = _samples(tmp_path, "sample")
    config = load_config(samples / "mbr.toml")
    collected = collect([str(samples / "entries")], config, today=TODAY, errors_only=True)
    with pytest.raises(ValueError, match="every diagnostic"):
        compile_report(collected, config, CompileOptions(draft=True))


def test_the_second_process_rebuilds_the_rules_with_errors_alone() -> None:
    config = load_config(SAMPLES / "mbr.toml")
    rebuilt = pickle.loads(pickle.dumps(RuleSet(config, errors_only=True)))
    assert rebuilt.errors_only
    assert rebuilt.resolve("MBR107", "win") is None  # a warning: off
    assert rebuilt.resolve("MBR101", "win") is not None


def test_compile_lists_the_same_excluded_entries_with_and_without_a_draft(tmp_path: Path) -> None:
    # The CLI: without --draft only errors are looked for; the entries it
    # lists as excluded are those a draft marks with errors.
    samples = _samples(tmp_path, "sample")
    command = [sys.executable, "-m", "mbr", "compile", "--period", "2026-10",
               "--today", "2026-11-27", "-o", str(tmp_path / "report.docx")]  # fmt: skip
    plain = subprocess.run(command, capture_output=True, text=True, cwd=samples, check=True)
    draft = subprocess.run(
        [*command, "--draft"], capture_output=True, text=True, cwd=samples, check=True
    )
    assert "excluded (" in plain.stderr and "warning" not in plain.stderr
    assert "attached as comments" in draft.stderr
