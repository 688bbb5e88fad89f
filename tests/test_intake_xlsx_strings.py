"""The shared-string table of a workbook saved by a spreadsheet application
is read only when openpyxl reads the rows (mbr.intake.xlsx_open).

That openpyxl's rows still read right with it is test_fast_paths' comparison
of both readers on the same LibreOffice fixture."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from mbr.intake.xlsx import read_xlsx
from mbr.intake.xlsx_open import Workbook

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "field-log-libreoffice.xlsx"


def _rows(sheet: object) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))  # type: ignore[attr-defined]


def test_the_fixture_keeps_its_text_in_a_shared_string_table() -> None:
    with zipfile.ZipFile(FIXTURE) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()


def test_opening_leaves_the_table_unread_until_rows_need_it() -> None:
    data = FIXTURE.read_bytes()
    whole = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    expected = _rows(whole.worksheets[0])
    workbook = Workbook(io.BytesIO(data))
    sheet = workbook.openpyxl.worksheets[0]
    with pytest.raises(IndexError):  # a text cell looks up a table not read yet
        _rows(sheet)
    workbook.load_strings()
    workbook.load_strings()  # a second call changes nothing
    assert _rows(sheet) == expected
    workbook.close()


def _with_part(path: Path, part: str, content: bytes, out: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts[part] = content
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.read_bytes()


@pytest.mark.parametrize("fast", [True, False], ids=["calamine", "openpyxl"])
def test_a_broken_shared_string_table_is_one_mbr000(tmp_path: Path, fast: bool) -> None:
    broken = b"<sst><si><t>cut short"
    data = _with_part(FIXTURE, "xl/sharedStrings.xml", broken, tmp_path / "b.xlsx")
    result = read_xlsx(data, "b.xlsx", fast=fast)
    assert result.records == []
    [problem] = result.diagnostics
    assert (problem.code, str(problem.location)) == ("MBR000", "b.xlsx")
    assert problem.message.startswith("not an Excel workbook: ")
    assert problem.help

