"""The limits the readers put on hostile input, checked in-process where the CLI cannot reach."""

from __future__ import annotations

import csv
from pathlib import Path

from mbr.config import Limits
from mbr.intake import read_sources
from mbr.intake.delimited import read_csv
from mbr.intake.yamlfile import EntryLoader, PureEntryLoader, read_yaml

HEADER = "Date,Author,Team,Category,Summary\n"


def test_deep_yaml_is_unreadable_with_either_loader() -> None:
    # libyaml stops at 1,000 levels; the pure-Python composer would run out
    # of stack first, which must be an MBR000 too, not a RecursionError.
    text = ("summary: " + "[" * 5_000 + "]" * 5_000 + "\n").encode()
    for loader in (EntryLoader, PureEntryLoader):
        read = read_yaml(text, "deep.yaml", loader=loader)
        assert [d.code for d in read.diagnostics] == ["MBR000"]
        assert "nest" in read.diagnostics[0].message
        assert read.records == []


def test_long_csv_field_is_read_and_the_limit_restored() -> None:
    before = csv.field_size_limit()
    long_summary = "word " * 100_000  # 500,000 characters: over csv's default limit
    data = (HEADER + f"2024-11-05,Ann,East,win,{long_summary}\n").encode()
    read = read_csv(data, "log.csv", limits=Limits(max_cell_chars=1_000_000))
    assert read.diagnostics == []
    assert read.records[0].fields["summary"] == long_summary.strip()
    assert csv.field_size_limit() == before


def test_unclosed_quote_is_still_reported_at_its_line() -> None:
    data = (HEADER + '2024-11-05,Ann,East,win,"never closed\n' + "x\n" * 10).encode()
    [problem] = read_csv(data, "log.csv").diagnostics
    assert (problem.code, problem.location.line) == ("MBR000", 2)
    assert "never closed" in problem.message


def test_typos_are_looked_for_in_the_first_hundred_columns_only(tmp_path: Path) -> None:
    others = [f"note {n}" for n in range(150)]
    headers = ["Date", "Team", "Sumary", *others[:100], "Autor", *others[100:]]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(headers) + "\n" + "2024-11-05,East,x\n", encoding="utf-8")
    typos = [d.message for d in read_sources([str(path)]).diagnostics if d.code == "MBR008"]
    assert typos == ['column "Sumary" is not a field; did you mean "summary"?']
