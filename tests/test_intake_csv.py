"""Reading .csv files: encodings, delimiters, line numbers and broken files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mbr.config import Limits
from mbr.intake import IntakeResult, read_sources

HEADER = "Date,Author,Team,Category,Summary"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def read_bytes(tmp_path: Path, data: bytes, name: str = "log.csv") -> IntakeResult:
    (tmp_path / name).write_bytes(data)
    return read_sources([name])


def read_text(tmp_path: Path, text: str) -> IntakeResult:
    return read_bytes(tmp_path, text.encode("utf-8"))


def test_a_plain_csv_reads_records_with_line_locations(tmp_path: Path) -> None:
    result = read_text(tmp_path, f"{HEADER},Notes\n2024-11-05,Ana,Platform,Win,Did it.,n1\n")
    [record] = result.records
    assert record.fields == {
        "date": "2024-11-05",
        "author": "Ana",
        "team": "Platform",
        "category": "Win",
        "summary": "Did it.",
    }
    assert record.extra == {"Notes": "n1"}
    assert str(record.origin) == "log.csv:2"
    assert str(record.location_of("summary")) == "log.csv:2"
    assert str(record.location_of("Notes")) == "log.csv:2"
    assert result.diagnostics == []


def test_utf8_with_bom_reads_the_first_header(tmp_path: Path) -> None:
    data = "\ufeffDate,Author,Team,Category,Summary\n2024-11-05,Zoë,Platform,Win,Café.\n"
    [record] = read_bytes(tmp_path, data.encode("utf-8")).records
    assert record.fields["date"] == "2024-11-05"
    assert record.fields["author"] == "Zoë"


def test_windows_1252_is_the_fallback(tmp_path: Path) -> None:
    data = f"{HEADER}\r\n2024-11-05,Zoë,Platform,Win,Acme’s “cloud” move.\r\n"
    [record] = read_bytes(tmp_path, data.encode("cp1252")).records
    assert record.fields["author"] == "Zoë"
    assert record.fields["summary"] == "Acme’s “cloud” move."


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    data = f"{HEADER}\r\n2024-11-05,Zoë,Platform,Win,Did it.\r\n"
    [record] = read_bytes(tmp_path, data.encode("utf-16")).records
    assert record.fields["author"] == "Zoë"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    lines = [HEADER.replace(",", delimiter), delimiter.join(
        ["2024-11-05", "Ana", "Platform", "Win", "Cut costs by 3,5%, then more."])]  # fmt: skip
    [record] = read_text(tmp_path, "\n".join(lines) + "\n").records
    assert record.fields["summary"] == "Cut costs by 3,5%, then more."


def test_excel_sep_line_names_the_delimiter(tmp_path: Path) -> None:
    text = f"sep=;\n{HEADER.replace(',', ';')}\n2024-11-05;Ana;Platform;Win;Did it.\n"
    [record] = read_text(tmp_path, text).records
    assert (record.fields["author"], str(record.origin)) == ("Ana", "log.csv:3")


def test_multi_line_quoted_fields_keep_physical_line_numbers(tmp_path: Path) -> None:
    text = (
        f"{HEADER}\r\n"
        '2024-11-05,Ana,Platform,Win,"First line\r\nsecond line\r\nthird"\r\n'
        "\r\n"
        '2024-11-06,Ben,Data,Win,"He said ""hi"""\r\n'
        '2024-11-07,Cy,Data,Win,"one\nmore"\n'
        "2024-11-08,Dee,Data,Win,last\n"
    )
    records = read_text(tmp_path, text).records
    assert [str(r.origin) for r in records] == ["log.csv:2", "log.csv:6", "log.csv:7", "log.csv:9"]
    assert records[0].fields["summary"] == "First line\nsecond line\nthird"
    assert records[1].fields["summary"] == 'He said "hi"'


def test_title_and_blank_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    text = f"November intake,,\n,,\n{HEADER}\n2024-11-05,Ana,Platform,Win,Did it.\n"
    [record] = read_text(tmp_path, text).records
    assert str(record.origin) == "log.csv:4"


def test_whitespace_only_rows_and_short_rows(tmp_path: Path) -> None:
    text = f"{HEADER}\n ,  ,\t,,\n2024-11-05,Ana\n"
    [record] = read_text(tmp_path, text).records
    assert record.fields == {
        "date": "2024-11-05",
        "author": "Ana",
        "team": None,
        "category": None,
        "summary": None,
    }
    assert str(record.location_of("team")) == "log.csv:3"


def test_values_are_trimmed_and_never_coerced(tmp_path: Path) -> None:
    text = f"{HEADER},Customer,Metric\n 2024-11-05 ,Ana  ,Platform,Win,Did it.,NO,1.0\n"
    [record] = read_text(tmp_path, text).records
    assert record.fields["author"] == "Ana"
    assert record.fields["customer"] == "NO"
    assert record.fields["metric"] == "1.0"


def test_typo_headers_get_mbr008_at_the_header_line(tmp_path: Path) -> None:
    text = f"Intake\n{HEADER},Sumary,Notes\n2024-11-05,Ana,Platform,Win,Did it.,x,y\n"
    result = read_text(tmp_path, text)
    assert [(d.code, str(d.location), d.message) for d in result.diagnostics] == [
        ("MBR008", "log.csv:2", 'column "Sumary" is not a field; did you mean "summary"?')
    ]


def test_no_header_row_is_mbr000(tmp_path: Path) -> None:
    [problem] = read_text(tmp_path, "a,b,c\n1,2,3\n").diagnostics
    assert problem.code == "MBR000"
    assert problem.message.endswith("found columns: a, b, c")
    assert str(problem.location) == "log.csv"


def test_an_unclosed_quote_is_mbr000_at_the_line_it_opens(tmp_path: Path) -> None:
    text = (
        f'{HEADER}\n2024-11-05,Ana,Platform,Win,ok\n2024-11-06,Ben,Data,Win,"never closed\nmore\n'
    )
    result = read_text(tmp_path, text)
    [problem] = result.diagnostics
    assert (problem.code, str(problem.location)) == ("MBR000", "log.csv:3")
    assert "never closed" in problem.message
    assert "double quotes" in problem.help
    assert result.records == []


def test_nul_bytes_are_mbr000(tmp_path: Path) -> None:
    [problem] = read_bytes(tmp_path, f"{HEADER}\n2024\0-11\n".encode()).diagnostics
    assert (problem.code, str(problem.location)) == ("MBR000", "log.csv:2")
    assert "NUL" in problem.message


def test_bytes_that_are_neither_utf8_nor_cp1252_are_mbr000(tmp_path: Path) -> None:
    data = f"{HEADER}\n2024-11-05,Ana,Platform,Win,ok\n".encode() + b"bad \x81\xff\n"
    [problem] = read_bytes(tmp_path, data).diagnostics
    assert (problem.code, str(problem.location)) == ("MBR000", "log.csv:3")
    assert "neither UTF-8 nor Windows-1252" in problem.message


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_an_empty_file_is_mbr010(tmp_path: Path, text: str) -> None:
    [problem] = read_text(tmp_path, text).diagnostics
    assert (problem.code, str(problem.location), problem.message) == (
        "MBR010",
        "log.csv",
        "no entries in this file",
    )


def test_a_header_without_rows_is_mbr010(tmp_path: Path) -> None:
    assert [d.code for d in read_text(tmp_path, f"{HEADER}\n,,,,\n").diagnostics] == ["MBR010"]


@pytest.mark.parametrize("summary", ["Did it.", "x" * 200, '"never closed'])
def test_csv_s_field_limit_is_left_as_it_was_after_a_period_build(
    tmp_path: Path, summary: str
) -> None:
    # A period build lowers csv's (process-wide) field limit to max_cell_chars
    # while it judges batches, and a long cell or a broken row makes it read
    # the file again: whichever way it ends, the limit is put back.
    text = (
        f"{HEADER}\n" + "2023-05-02,Ana,Platform,Win,ok\n" * 3 + f"2023-05-03,Ana,P,Win,{summary}\n"
    )
    (tmp_path / "log.csv").write_text(text, encoding="utf-8")
    before = csv.field_size_limit()
    result = read_sources(
        ["log.csv"], limits=Limits(max_cell_chars=100), wanted_date=lambda value: False
    )
    assert csv.field_size_limit() == before
    assert len(result.records) == (0 if summary.startswith('"') else 4 - (len(summary) > 100))
