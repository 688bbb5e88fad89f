"""Workbooks written by a real spreadsheet application (LibreOffice Calc).

tests/fixtures/field-log.fods is the source; tests/fixtures/README.md says
how the committed field-log-libreoffice.xlsx was made from it. The office
test repeats that conversion, so a newer LibreOffice is checked too.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from mbr.intake import IntakeResult, read_sources

FIXTURES = Path(__file__).parent / "fixtures"

EXPECTED_FIELDS = [
    {
        "date": dt.date(2024, 11, 5),
        "author": "Ana Lima",  # written with trailing spaces
        "team": "Platform",
        "category": "Win",
        "customer": "NO",
        "summary": "Cut deploy time by 40%.\nSecond line.",  # two paragraphs in one cell
        "metric": 40,
        "id": "00123",  # text that looks like a number
    },
    {
        "date": dt.date(2024, 11, 12),
        "author": "Ben Okafor",
        "team": "Platform",  # from the vertical merge C4:C5
        "category": "Launch",
        "customer": "Acme Corp",  # a formula's cached value
        "summary": "Launched EU region for Acme Corp.",  # rich text (a bold span)
        "metric": 3.5,
        "id": None,
    },
    {
        "date": dt.date(2024, 11, 20),
        "author": "Cy Park",
        "team": "Data",
        "category": "Risk",
        "customer": None,
        "summary": "Hidden row, still an entry.",  # a hidden row
        "metric": None,
        "id": None,
    },
]


def assert_field_log(result: IntakeResult, name: str) -> None:
    assert result.diagnostics == []
    assert [dict(record.fields) for record in result.records] == EXPECTED_FIELDS
    assert [dict(record.extra) for record in result.records] == [
        {"Reviewed": "TRUE"},
        {"Reviewed": "FALSE"},
        {"Reviewed": ""},
    ]
    # Title row (a horizontal merge), blank row, header on row 3; row 6 holds a space.
    assert [record.origin.row for record in result.records] == [4, 5, 7]
    first = result.records[0]
    assert str(first.location_of("summary")) == f"{name}:'Field Log'!F4"
    assert str(first.location_of("author")) == f"{name}:'Field Log'!B4"


def test_the_committed_libreoffice_workbook_reads_as_expected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(FIXTURES)
    name = "field-log-libreoffice.xlsx"
    assert_field_log(read_sources([name]), name)


@pytest.mark.office
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_a_workbook_converted_by_libreoffice_now_reads_as_expected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "field-log.fods"
    source.write_bytes((FIXTURES / "field-log.fods").read_bytes())
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    monkeypatch.chdir(tmp_path / "out")
    assert_field_log(read_sources(["field-log.xlsx"]), "field-log.xlsx")
