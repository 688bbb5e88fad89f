"""The benchmark's generator and reference paths (benchmarks/): small runs only."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench() -> Iterator[tuple[ModuleType, ModuleType]]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
        import run

        yield generate, run
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows(
    bench: tuple[ModuleType, ModuleType],
) -> None:
    generate, _ = bench
    assert list(generate.rows(300, seed=1)) == list(generate.rows(300, seed=1))
    assert list(generate.rows(300, seed=1)) != list(generate.rows(300, seed=2))


def test_rows_spread_over_years_and_some_carry_mistakes(
    bench: tuple[ModuleType, ModuleType],
) -> None:
    generate, _ = bench
    rows = list(generate.rows(2000))
    years = {row[0].year for row in rows if isinstance(row[0], dt.date)}
    assert len(years) >= 5
    text_dates = [row[0] for row in rows if isinstance(row[0], str)]
    assert 20 < len(text_dates) < 200  # typed dates and unreadable ones
    assert 10 < sum(1 for row in rows if row[1] == "") < 100  # missing author


def test_mbr_reads_the_generated_log_in_every_format_alike(
    bench: tuple[ModuleType, ModuleType], tmp_path: Path
) -> None:
    from mbr.config import load_config
    from mbr.pipeline import collect

    generate, _ = bench
    generate.write_xlsx(tmp_path / "log.xlsx", 200)
    generate.write_csv(tmp_path / "log.csv", 200)
    generate.write_yaml_folder(tmp_path / "yaml", 200)
    config = load_config(generate.CONFIG)
    found = {
        name: collect([str(tmp_path / name)], config, today=generate.TODAY)
        for name in ("log.xlsx", "log.csv", "yaml")
    }
    summaries = {name: sorted(e.summary for e in c.in_period) for name, c in found.items()}
    assert len(summaries["log.xlsx"]) == 200
    assert summaries["log.xlsx"] == summaries["log.csv"] == summaries["yaml"]
    codes = {d.code for d in found["log.xlsx"].diagnostics}
    assert {"MBR001", "MBR002", "MBR003", "MBR004", "MBR007"} <= codes


def test_the_floor_and_naive_paths_write_documents_word_opens(
    bench: tuple[ModuleType, ModuleType], tmp_path: Path
) -> None:
    import docx

    generate, run = bench
    log = tmp_path / "log.xlsx"
    generate.write_xlsx(log, 50)
    for measure in (run.measure_floor, run.measure_naive):
        out = tmp_path / f"{measure.__name__}.docx"
        times = measure(log, out)
        assert set(times) == {"read", "render", "write"}
        paragraphs = [p.text for p in docx.Document(str(out)).paragraphs if p.text]
        assert len(paragraphs) == 50 and " — " in paragraphs[0]


@pytest.mark.office
def test_the_log_saved_by_libreoffice_reads_like_the_generated_one(
    bench: tuple[ModuleType, ModuleType], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    from mbr.config import load_config
    from mbr.pipeline import collect

    generate, _ = bench
    monkeypatch.setattr(generate, "DATA", tmp_path)
    resaved = generate.saved_by_libreoffice(300, seed=5)
    assert resaved is not None and resaved.parent == tmp_path
    with zipfile.ZipFile(resaved) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()  # as applications write text
    assert generate.saved_by_libreoffice(300, seed=5) == resaved  # converted once, then reused
    config = load_config(generate.CONFIG)
    original, saved = (
        collect([str(path)], config, today=generate.TODAY)
        for path in (generate.ensure(300, "xlsx", seed=5), resaved)
    )
    assert len(saved.in_period) == 300
    assert [e.summary for e in saved.in_period] == [e.summary for e in original.in_period]
    assert [e.date for e in saved.in_period] == [e.date for e in original.in_period]

    def problems(found: object) -> list[tuple[str, str | None, str]]:
        # Messages name the other entry's file: the two files' names differ.
        return [
            (d.code, d.location.cell, d.message.replace("-libreoffice.xlsx", ".xlsx"))
            for d in found.diagnostics  # type: ignore[attr-defined]
        ]

    assert problems(saved) == problems(original)
