"""read_sources: SOURCE arguments, directory walks, read order and per-file outcomes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mbr.errors import UsageError
from mbr.intake import read_sources
from tests.fixtures.workbooks import make_xlsx

ENTRY_YAML = "author: {name}\nsummary: Entry from {name}.\n"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write(path: str, text: str | None = None) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text if text is not None else ENTRY_YAML.format(name=target.stem))
    return target


def sources_of(paths: list[str], sheet: str | None = None) -> list[str]:
    return [record.source for record in read_sources(paths, sheet=sheet).records]


def test_a_directory_is_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    write("entries/2024-11/zeta.yaml")
    write("entries/2024-11/acme.csv", "Date,Author,Summary\n2024-11-05,acme,Did it.\n")
    write("entries/2024-10/old.yml")
    write("entries/B.yaml")
    write("entries/a-b.yaml")
    write("entries/a/b.yaml")
    make_xlsx(tmp_path / "entries", [["Author", "Summary"], ["book", "From a workbook."]],
              name="book.xlsx")  # fmt: skip
    result = read_sources(["entries"])
    expected = [
        "entries/2024-10/old.yml",
        "entries/2024-11/acme.csv",
        "entries/2024-11/zeta.yaml",
        "entries/B.yaml",
        "entries/a/b.yaml",
        "entries/a-b.yaml",
        "entries/book.xlsx",
    ]
    assert [r.source for r in result.records] == expected
    assert result.files == [Path(p) for p in expected]
    assert str(result.records[1].origin) == "entries/2024-11/acme.csv:2"
    assert result.diagnostics == []


def test_hidden_lock_backup_and_unsupported_files_are_skipped_in_a_directory() -> None:
    write("entries/kept.yaml")
    for skipped in [".hidden.yaml", ".git/config.yaml", ".#kept.yaml", "kept.yaml~",
                    "~$book.xlsx", "notes.md", "old.xls", "drafts/.cache/x.yaml"]:  # fmt: skip
        write(f"entries/{skipped}", "not: [valid yaml")
    result = read_sources(["entries"])
    assert [r.source for r in result.records] == ["entries/kept.yaml"]
    assert result.files == [Path("entries/kept.yaml")]
    assert result.diagnostics == []


def test_the_display_path_is_the_source_as_given(tmp_path: Path) -> None:
    write("entries/2024-11/acme.yaml")
    assert sources_of(["entries/"]) == ["entries/2024-11/acme.yaml"]
    assert sources_of(["./entries"]) == ["./entries/2024-11/acme.yaml"]
    assert sources_of([str(tmp_path / "entries")]) == [str(tmp_path / "entries/2024-11/acme.yaml")]
    assert sources_of(["entries/2024-11/acme.yaml"]) == ["entries/2024-11/acme.yaml"]


def test_sources_are_read_in_argument_order() -> None:
    write("b.yaml")
    write("dir/a.yaml")
    write("c.YAML")
    assert sources_of(["b.yaml", "dir", "c.YAML"]) == ["b.yaml", "dir/a.yaml", "c.YAML"]


def test_a_missing_source_is_a_usage_error_before_anything_is_read() -> None:
    write("good.yaml")
    with pytest.raises(UsageError) as raised:
        read_sources(["good.yaml", "entries/nope.xlsx"])
    assert raised.value.message == "source not found: entries/nope.xlsx"
    assert raised.value.hint is not None and raised.value.hint.startswith("check the path")


def test_an_unsupported_file_given_by_name_is_mbr000_naming_the_formats() -> None:
    write("notes.txt", "hello")
    write("good.yaml")
    result = read_sources(["notes.txt", "good.yaml"])
    [problem] = result.diagnostics
    assert (problem.code, str(problem.location)) == ("MBR000", "notes.txt")
    assert problem.message == "unsupported file type '.txt'"
    assert ".xlsx" in problem.help and ".csv" in problem.help and ".yaml" in problem.help
    assert result.files == [Path("good.yaml")]
    assert sources_of(["good.yaml"]) == ["good.yaml"]


def test_other_sources_are_still_read_after_an_unreadable_one() -> None:
    write("a-broken.yaml", "summary: [unclosed\n")
    write("b-fine.yaml")
    result = read_sources(["a-broken.yaml", "b-fine.yaml"])
    assert [d.code for d in result.diagnostics] == ["MBR000"]
    assert [r.source for r in result.records] == ["b-fine.yaml"]
    assert result.files == [Path("a-broken.yaml"), Path("b-fine.yaml")]


def test_each_file_without_entries_gets_mbr010() -> None:
    write("entries/empty.yaml", "")
    write("entries/header-only.csv", "Date,Author,Summary\n")
    write("entries/full.yaml")
    result = read_sources(["entries"])
    assert [(d.code, str(d.location)) for d in result.diagnostics] == [
        ("MBR010", "entries/empty.yaml"),
        ("MBR010", "entries/header-only.csv"),
    ]


def test_the_sheet_option_applies_to_workbooks_only(tmp_path: Path) -> None:
    make_xlsx(tmp_path, [["Author", "Summary"], ["A", "From Log."]], sheet="Log", name="w.xlsx")
    write("e.yaml")
    result = read_sources(["w.xlsx", "e.yaml"], sheet="Log")
    assert [r.source for r in result.records] == ["w.xlsx", "e.yaml"]
    assert result.diagnostics == []


def test_symlinked_directories_are_followed_once_and_loops_end() -> None:
    write("shared/team-a/a.yaml")
    write("entries/own.yaml")
    Path("entries/team-a").symlink_to(Path("../shared/team-a"), target_is_directory=True)
    Path("entries/loop").symlink_to(Path("."), target_is_directory=True)
    Path("entries/team-a/again").symlink_to(Path("../../shared"), target_is_directory=True)
    assert sources_of(["entries"]) == ["entries/own.yaml", "entries/team-a/a.yaml"]


def test_a_directory_without_entry_files_is_mbr010() -> None:
    write("entries/README.md", "notes")
    result = read_sources(["entries"])
    [problem] = result.diagnostics
    assert (problem.code, str(problem.location)) == ("MBR010", "entries")
    assert problem.message == "no .xlsx, .xlsm, .csv, .yaml or .yml files in this directory"


def test_a_directory_that_cannot_be_listed_is_mbr000_and_the_rest_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Permissions cannot take a directory away from root (tests often run as
    # root), so the refusal is simulated at the one call that lists it.
    write("entries/a/one.yaml")
    write("entries/b/two.yaml")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if path == os.path.join("entries", "a"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = read_sources(["entries"])
    assert [(d.code, str(d.location), d.message) for d in result.diagnostics] == [
        ("MBR000", "entries/a", "cannot list the directory: Permission denied")
    ]
    assert [r.source for r in result.records] == ["entries/b/two.yaml"]
