"""Bad input through the real CLI: what, where and how to fix, an exit code, no traceback."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.conftest import RunMbr


def assert_clean_failure(result_stderr: str, result_stdout: str) -> None:
    for stream in (result_stderr, result_stdout):
        assert "Traceback" not in stream
        assert "internal error" not in stream


def test_missing_path_is_a_usage_error(run_mbr: RunMbr, tmp_path: Path) -> None:
    result = run_mbr("check", "no-such-log.xlsx")
    assert result.returncode == 2
    assert "error: source not found: no-such-log.xlsx" in result.stderr
    assert "= help: check the path" in result.stderr
    assert_clean_failure(result.stderr, result.stdout)


def test_empty_file_means_no_entries(run_mbr: RunMbr, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    result = run_mbr("check", "empty.csv")
    assert result.returncode == 2
    assert "error: no entries found in any source" in result.stderr
    assert "empty.csv: MBR010" in result.stderr
    assert_clean_failure(result.stderr, result.stdout)


def test_text_file_renamed_xlsx(run_mbr: RunMbr, tmp_path: Path) -> None:
    (tmp_path / "log.xlsx").write_text("date,author\n2024-11-05,Ann\n", encoding="utf-8")
    result = run_mbr("check", "log.xlsx")
    assert result.returncode == 1
    assert result.stdout.startswith("log.xlsx: MBR000 [error] not an Excel workbook")
    assert "= help: if it holds comma-separated values rename it to .csv" in result.stdout
    assert_clean_failure(result.stderr, result.stdout)


def test_unreadable_file_does_not_stop_the_others(run_mbr: RunMbr, tmp_path: Path) -> None:
    (tmp_path / "broken.xlsx").write_text("not a workbook", encoding="utf-8")
    (tmp_path / "good.yaml").write_text(
        "date: 2024-11-05\nauthor: Ann Lee\nteam: East\ncategory: win\n"
        "summary: Northwind cut monthly spend by 38% after moving 40 services to AWS.\n",
        encoding="utf-8",
    )
    result = run_mbr("check", "broken.xlsx", "good.yaml", "--select", "MBR0")
    assert result.returncode == 1
    assert "broken.xlsx: MBR000" in result.stdout
    assert result.stdout.strip().endswith("1 error, 0 warnings in 1 entry")


def test_sheet_without_summary_column(run_mbr: RunMbr, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Field Log"
    sheet.append(["Date", "Author", "Team", "Category"])
    sheet.append(["2024-11-05", "Ann Lee", "East", "win"])
    book.save(tmp_path / "intake.xlsx")
    result = run_mbr("check", "intake.xlsx")
    assert result.returncode == 1
    assert (
        "intake.xlsx:'Field Log'!2:2: MBR001 [error] required field `summary` is missing "
        "(no summary column)"
    ) in result.stdout
    assert_clean_failure(result.stderr, result.stdout)


def test_invalid_yaml_gives_line_and_column(run_mbr: RunMbr, tmp_path: Path) -> None:
    entries = tmp_path / "entries" / "2024-11"
    entries.mkdir(parents=True)
    (entries / "acme.yaml").write_text(
        "date: 2024-11-05\nauthor: Ann\nsummary: [unclosed\n", encoding="utf-8"
    )
    result = run_mbr("check", "entries")
    assert result.returncode == 1
    assert "entries/2024-11/acme.yaml:4:1: MBR000 [error] invalid YAML" in result.stdout
    assert_clean_failure(result.stderr, result.stdout)


def test_unknown_config_key_with_did_you_mean(run_mbr: RunMbr, tmp_path: Path) -> None:
    (tmp_path / "mbr.toml").write_text('ogr = "Field Engineering"\n', encoding="utf-8")
    (tmp_path / "e.yaml").write_text("date: 2024-11-05\n", encoding="utf-8")
    result = run_mbr("check", "e.yaml")
    assert result.returncode == 2
    assert f"error: {tmp_path / 'mbr.toml'}: unknown key `ogr` in the config" in result.stderr
    assert "= help: did you mean `org`?" in result.stderr
    assert_clean_failure(result.stderr, result.stdout)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ["--period", "Novembre 2024"],
            "error: cannot read the period 'Novembre 2024'\n"
            "  = help: use one of these forms: 2024-11",
        ),
        (["--today", "27/11/2026"], "error: --today '27/11/2026' is not a date"),
        (["--format", "xml"], "Invalid value for '--format'"),
        (["--config", "missing.toml"], "error: config file not found: missing.toml"),
    ],
)
def test_bad_options_exit_2(
    run_mbr: RunMbr, tmp_path: Path, args: list[str], fragment: str
) -> None:
    (tmp_path / "e.yaml").write_text("date: 2024-11-05\n", encoding="utf-8")
    result = run_mbr("check", "e.yaml", *args)
    assert result.returncode == 2
    assert fragment in result.stderr
    assert_clean_failure(result.stderr, result.stdout)


def test_a_workbook_with_a_broken_shared_string_table(run_mbr: RunMbr, tmp_path: Path) -> None:
    import zipfile

    fixture = Path(__file__).parent / "fixtures" / "field-log-libreoffice.xlsx"
    with zipfile.ZipFile(fixture) as source, zipfile.ZipFile(tmp_path / "log.xlsx", "w") as out:
        for name in source.namelist():
            body = source.read(name)
            out.writestr(name, b"<sst><si><t>cut short" if name == "xl/sharedStrings.xml" else body)
    (tmp_path / "notes.csv").write_text(
        "date,author,team,category,summary\n2024-11-05,Ann,Core,Win,Shipped 3 things.\n",
        encoding="utf-8",
    )
    result = run_mbr("check", "log.xlsx", "notes.csv")
    assert result.returncode == 1
    assert result.stdout.startswith("log.xlsx: MBR000 [error] not an Excel workbook: ")
    assert "= help: open it in its application and save it again" in result.stdout
    assert result.stdout.rstrip().endswith("1 error, 1 warning in 1 entry")  # the CSV still read
    assert_clean_failure(result.stderr, result.stdout)
