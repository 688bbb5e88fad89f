"""Configurable input limits: clear errors instead of hours of work or gigabytes of memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from mbr.config import Limits, load_config
from mbr.errors import ConfigError
from mbr.intake import read_sources
from tests.fixtures.workbooks import make_xlsx

HEADER = ["Date", "Author", "Team", "Category", "Summary"]
SUMMARY = "Northwind cut monthly spend by 38% after moving 40 services to AWS."


def rows(count: int) -> list[list[object]]:
    return [["2024-11-05", f"Author {n}", "East", "win", SUMMARY] for n in range(count)]


def codes_and_messages(result: object) -> list[tuple[str, str, str]]:
    return [(str(d.location), d.code, d.message) for d in result.diagnostics]  # type: ignore[attr-defined]


def test_limits_load_from_config(tmp_path: Path) -> None:
    path = tmp_path / "mbr.toml"
    path.write_text("[limits]\nmax_file_mb = 5\nmax_rows = 10\nmax_cell_chars = 400\n")
    assert load_config(path).limits == Limits(max_file_mb=5, max_rows=10, max_cell_chars=400)
    path.write_text("[limits]\nmax_row = 10\n")
    with pytest.raises(ConfigError, match="did you mean `max_rows`"):
        load_config(path)
    path.write_text("[limits]\nmax_rows = 0\n")
    with pytest.raises(ConfigError, match=r"`limits\.max_rows` must be at least 1"):
        load_config(path)


def test_too_many_rows_in_a_workbook(tmp_path: Path) -> None:
    make_xlsx(tmp_path, [HEADER, *rows(11)], name="log.xlsx")
    result = read_sources([str(tmp_path / "log.xlsx")], limits=Limits(max_rows=10))
    assert result.records == []
    assert codes_and_messages(result) == [
        (
            f"{tmp_path}/log.xlsx:Entries",
            "MBR000",
            "not read: the file holds more than 10 entries, the limit",
        ),
    ]
    within = read_sources([str(tmp_path / "log.xlsx")], limits=Limits(max_rows=11))
    assert len(within.records) == 11 and within.diagnostics == []


def test_too_many_rows_in_csv_and_yaml(tmp_path: Path) -> None:
    csv = tmp_path / "log.csv"
    csv.write_text("\n".join(",".join(map(str, r)) for r in [HEADER, *rows(3)]) + "\n")
    yaml = tmp_path / "log.yaml"
    entry = "- {date: 2024-11-05, author: A, team: East, category: win, summary: Text 42.}\n"
    yaml.write_text(entry * 3)
    for path in (csv, yaml):
        result = read_sources([str(path)], limits=Limits(max_rows=2))
        assert result.records == []
        assert [d.code for d in result.diagnostics] == ["MBR000"]
        assert "more than 2 entries" in result.diagnostics[0].message


def test_too_long_value_drops_only_that_entry(tmp_path: Path) -> None:
    long_row = ["2024-11-05", "Bob", "East", "win", "word " * 100]
    make_xlsx(tmp_path, [HEADER, *rows(1), long_row], name="log.xlsx")
    result = read_sources([str(tmp_path / "log.xlsx")], limits=Limits(max_cell_chars=200))
    assert len(result.records) == 1
    assert codes_and_messages(result) == [
        (
            f"{tmp_path}/log.xlsx:Entries!E3",
            "MBR000",
            "the value has 499 characters; the limit is 200, so the entry is not used",
        ),
    ]


def test_file_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (3 << 19))  # 1.5 MB
    result = read_sources([str(big)], limits=Limits(max_file_mb=1))
    assert codes_and_messages(result) == [
        (str(big), "MBR000", "not read: the file is 1.5 MB; the limit is 1 MB"),
    ]
