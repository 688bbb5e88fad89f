"""`mbr check` end to end on the shipped samples: every planted mistake, nothing else."""

from __future__ import annotations

import json

from mbr.model import Location
from tests.conftest import SAMPLES, RunMbr

CONFIG = str(SAMPLES / "mbr.toml")
OCTOBER = ("check", "--config", CONFIG, "--period", "2026-10", "--today", "2026-11-27")

XLSX = "intake.xlsx:Entries!"
YAML = "entries/2026-10/"

# (location suffix, code) for each mistake planted in samples/ (see samples/make_intake.py).
EXPECTED = {
    (XLSX + "G27", "MBR006"),
    (XLSX + "G31", "MBR103"),
    (XLSX + "D33", "MBR003"),
    (XLSX + "C35", "MBR001"),
    (XLSX + "G36", "MBR103"),
    (XLSX + "G36", "MBR112"),
    (XLSX + "G39", "MBR101"),
    (XLSX + "G41", "MBR005"),
    (XLSX + "G42", "MBR106"),
    (XLSX + "G44", "MBR107"),
    (XLSX + "G47", "MBR110"),
    (XLSX + "G48", "MBR109"),
    (XLSX + "G49", "MBR113"),
    (XLSX + "G49", "MBR117"),
    (XLSX + "G50", "MBR201"),
    (XLSX + "A51", "MBR002"),
    (YAML + "2026-10-20-fatima-el-idrissi-lakeside-health-board.yaml:8:10", "MBR102"),
    (YAML + "2026-10-22-jonas-meyer-wingtip-toys.yaml:6:11", "MBR118"),
}


def test_october_finds_exactly_the_planted_mistakes(run_mbr: RunMbr) -> None:
    result = run_mbr(*OCTOBER, "--format", "json", cwd=SAMPLES.parent)
    assert result.returncode == 1, result.stderr
    located = {
        (str(Location(**item["location"])).removeprefix("samples/"), item["code"])
        for item in json.loads(result.stdout)
    }
    assert located == EXPECTED


def test_october_text_output_and_count_line(run_mbr: RunMbr) -> None:
    result = run_mbr(*OCTOBER, cwd=SAMPLES.parent)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == "10 errors, 9 warnings in 35 entries"
    assert (
        "samples/intake.xlsx:Entries!G39: MBR101 [error] summary has 138 words; the limit is 120"
        in lines
    )
    assert (
        "samples/intake.xlsx:Entries!D33: MBR003 [error] unknown category 'Wiins'; "
        "did you mean 'Wins'?"
    ) in lines


def test_august_is_clean(run_mbr: RunMbr) -> None:
    august = ("check", "--config", CONFIG, "--period", "Aug 2026", "--today", "2026-11-27",
              "--ignore", "MBR002")
    result = run_mbr(*august, cwd=SAMPLES.parent)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "0 errors, 0 warnings in 11 entries"


def test_select_and_strict(run_mbr: RunMbr) -> None:
    only_style = run_mbr(*OCTOBER, "--select", "MBR107,MBR113", cwd=SAMPLES.parent)
    assert only_style.returncode == 0
    assert only_style.stdout.splitlines()[-1] == "0 errors, 3 warnings in 35 entries"
    strict = run_mbr(*OCTOBER, "--select", "MBR107,MBR113", "--strict", cwd=SAMPLES.parent)
    assert strict.returncode == 1
    ignored = run_mbr(*OCTOBER, "--select", "MBR107", "--ignore", "MBR107", cwd=SAMPLES.parent)
    assert ignored.returncode == 0
    assert ignored.stdout.strip() == "0 errors, 0 warnings in 35 entries"


def test_github_format(run_mbr: RunMbr) -> None:
    result = run_mbr(*OCTOBER, "--format", "github", "--select", "MBR102", cwd=SAMPLES.parent)
    assert result.returncode == 0
    (line,) = result.stdout.splitlines()
    assert line.startswith(
        "::warning file=samples/entries/2026-10/"
        "2026-10-20-fatima-el-idrissi-lakeside-health-board.yaml,line=8,col=10,"
        "title=MBR102 too-short::summary has 14 words; the minimum is 25"
    )
