"""`mbr template xlsx`: the intake spreadsheet, as written and after a LibreOffice round trip."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from mbr.authoring.workbook_template import (
    DATA_SHEET,
    INSTRUCTIONS_SHEET,
    PREPARED_ROWS,
    WORD_COUNT_HEADER,
    build_intake_workbook,
)
from mbr.cli import cli
from mbr.config import Config, config_from_mapping
from mbr.fields import ALL_FIELDS, REQUIRED_FIELDS, field_for_header, looks_like_field_typo


def _config(tmp_path: Path, **data: Any) -> Config:
    return config_from_mapping(data, root=tmp_path)


def _headers(sheet: Any) -> dict[str, str]:
    """Header text -> column letter."""
    return {cell.value: cell.column_letter for cell in sheet[1] if cell.value}


def _validation_for(sheet: Any, letter: str) -> Any:
    for validation in sheet.data_validations.dataValidation:
        if any(str(r).startswith(f"{letter}2:") for r in validation.sqref.ranges):
            return validation
    return None


def _list_values(workbook: Any, formula: str) -> list[str]:
    """The values a list validation offers: inline `"a,b"` or a range on another sheet."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet_name, _, cells = formula.replace("$", "").rpartition("!")
    sheet = workbook[sheet_name.strip("'")]
    return [str(c.value) for (c,) in sheet[cells]]


def test_headers_are_field_names_and_required_ones_stand_out(tmp_path: Path) -> None:
    sheet = build_intake_workbook(_config(tmp_path))[DATA_SHEET]
    fields = {}
    for cell in sheet[1]:
        if cell.value == WORD_COUNT_HEADER:
            # mbr must not read the helper column as a field, nor warn about it.
            assert field_for_header(cell.value) is None
            assert looks_like_field_typo(cell.value) is None
            continue
        field = field_for_header(cell.value)
        assert field is not None, cell.value
        fields[field] = cell
    assert set(fields) == set(ALL_FIELDS)
    for field, cell in fields.items():
        required = field in REQUIRED_FIELDS
        assert cell.font.b is required, field
        assert cell.comment is not None
        assert cell.comment.text.startswith("Required." if required else "Optional."), field
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions[_headers(sheet)["Summary"]].width >= 60


def test_data_sheet_comes_first_so_mbr_reads_it(tmp_path: Path) -> None:
    workbook = build_intake_workbook(_config(tmp_path))
    assert workbook.sheetnames[:2] == [DATA_SHEET, INSTRUCTIONS_SHEET]
    assert workbook.active.title == DATA_SHEET


def test_dropdowns_offer_the_configured_categories_and_teams(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        teams=["Enterprise East", "Enterprise West"],
        categories=[
            {"key": "win", "title": "Wins, big and small"},
            {"key": "risk", "title": "Risks"},
        ],
    )
    workbook = build_intake_workbook(config)
    sheet = workbook[DATA_SHEET]
    columns = _headers(sheet)
    category = _validation_for(sheet, columns["Category"])
    team = _validation_for(sheet, columns["Team"])
    assert category.type == team.type == "list"
    # A title with a comma must survive: it cannot sit in an inline list.
    assert _list_values(workbook, category.formula1) == ["Wins, big and small", "Risks"]
    assert _list_values(workbook, team.formula1) == ["Enterprise East", "Enterprise West"]
    assert category.errorStyle in (None, "stop")
    assert team.errorStyle == "warning"  # an unknown team is only MBR004, a warning


def test_no_team_dropdown_when_no_teams_are_configured(tmp_path: Path) -> None:
    sheet = build_intake_workbook(_config(tmp_path))[DATA_SHEET]
    assert _validation_for(sheet, _headers(sheet)["Team"]) is None
    assert _validation_for(sheet, _headers(sheet)["Category"]) is not None


def test_date_column_is_formatted_and_validated_as_dates(tmp_path: Path) -> None:
    sheet = build_intake_workbook(_config(tmp_path))[DATA_SHEET]
    letter = _headers(sheet)["Date"]
    assert sheet[f"{letter}2"].number_format == "yyyy-mm-dd"
    assert sheet[f"{letter}{PREPARED_ROWS + 1}"].number_format == "yyyy-mm-dd"
    assert _validation_for(sheet, letter).type == "date"


def test_word_count_is_a_formula_on_every_prepared_row(tmp_path: Path) -> None:
    sheet = build_intake_workbook(_config(tmp_path))[DATA_SHEET]
    columns = _headers(sheet)
    words, summary = columns[WORD_COUNT_HEADER], columns["Summary"]
    for row in (2, 3, PREPARED_ROWS + 1):
        formula = sheet[f"{words}{row}"].value
        assert formula.startswith("=IF(")
        assert f"{summary}{row}" in formula


def _red_rule_formula(sheet: Any) -> str:
    formulas = [
        rule.formula[0]
        for ranges in sheet.conditional_formatting
        for rule in ranges.rules
        if rule.dxf is not None and rule.dxf.fill is not None
        and rule.dxf.fill.fgColor.rgb.endswith("FFC7CE")
    ]
    assert len(formulas) == 1, formulas
    return str(formulas[0])


def test_word_count_turns_red_over_the_configured_max_words(tmp_path: Path) -> None:
    config = _config(tmp_path, rules={"MBR101": {"max_words": 80}})
    formula = _red_rule_formula(build_intake_workbook(config)[DATA_SHEET])
    assert re.search(r">80\)$", formula), formula
    # "" > 80 is TRUE in Excel (text sorts after numbers): empty rows must not turn red.
    assert "ISNUMBER" in formula


def test_word_count_limit_follows_per_category_overrides(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        rules={"MBR101": {"max_words": 100, "per-category": {"lowlight": {"max_words": 60}}}},
    )
    formula = _red_rule_formula(build_intake_workbook(config)[DATA_SHEET])
    assert '="Lowlights"' in formula
    assert ",60,100)" in formula


def test_no_red_word_count_when_too_long_is_ignored(tmp_path: Path) -> None:
    config = _config(tmp_path, rules={"ignore": ["MBR101"]})
    sheet = build_intake_workbook(config)[DATA_SHEET]
    with pytest.raises(AssertionError):
        _red_rule_formula(sheet)


def _instruction_rows(workbook: Any) -> dict[str, tuple[Any, ...]]:
    sheet = workbook[INSTRUCTIONS_SHEET]
    return {
        row[0]: row
        for row in sheet.iter_rows(values_only=True)
        if isinstance(row[0], str) and re.fullmatch(r"MBR\d{3}", row[0])
    }


def test_instructions_state_every_rule_as_configured(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        rules={
            "ignore": ["MBR114"],
            "per-category-ignores": {"ask": ["MBR106"]},
            "MBR101": {"max_words": 90, "severity": "warning"},
            "MBR102": {"per-category": {"ask": {"min_words": 10}}},
            "custom": [{"code": "MBR201", "name": "root-cause", "message": "name the root cause",
                        "require": ["root cause"], "categories": ["lowlight"]}],
        },
    )
    rows = _instruction_rows(build_intake_workbook(config))
    from mbr.rules.registry import all_rules

    assert {info.code for info in all_rules()} <= set(rows)
    _code, name, severity, _fires, limits, _help = rows["MBR101"][:6]
    assert (name, severity) == ("too-long", "warning")
    assert "max_words = 90" in limits
    assert rows["MBR114"][2] == "off"
    assert rows["MBR102"][4] == "min_words = 25; Asks: min_words = 10"
    # Severities that differ by category (catalogue defaults) and per-category ignores.
    assert rows["MBR106"][4] == "Wins: error; Customer Impact: error; Launches: error; Asks: off"
    assert rows["MBR201"][1:3] == ("root-cause", "warning")
    assert '"root cause"' in rows["MBR201"][3]


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    config = _config(tmp_path, org="=cmd|' /C calc'!A0", teams=["-Ops", "@Field"])
    workbook = build_intake_workbook(config)
    path = tmp_path / "intake.xlsx"
    workbook.save(path)
    reread = openpyxl.load_workbook(path)
    title = reread[INSTRUCTIONS_SHEET]["A1"]
    assert title.data_type == "s" and title.value.startswith("=cmd")
    assert [c.value for (c,) in reread["Lists"]["B2:B3"]] == ["-Ops", "@Field"]


def test_cli_writes_the_template_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    Path("mbr.toml").write_text('teams = ["Blue", "Green"]\n', encoding="utf-8")
    result = runner.invoke(cli, ["template", "xlsx", "-o", "intake.xlsx"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote intake.xlsx\n"
    workbook = openpyxl.load_workbook("intake.xlsx")
    sheet = workbook[DATA_SHEET]
    team = _validation_for(sheet, _headers(sheet)["Team"])
    assert _list_values(workbook, team.formula1) == ["Blue", "Green"]

    again = runner.invoke(cli, ["template", "xlsx", "-o", "intake.xlsx"])
    assert again.exit_code == 2
    assert "not overwriting intake.xlsx" in again.stderr
    forced = runner.invoke(cli, ["template", "xlsx", "-o", "intake.xlsx", "--force"])
    assert forced.exit_code == 0

    wrong = runner.invoke(cli, ["template", "xlsx", "-o", "intake.csv"])
    assert wrong.exit_code == 2
    assert "must be an .xlsx file" in wrong.stderr
    assert runner.invoke(cli, ["template", "docx"]).exit_code == 2


# --- LibreOffice round trip ------------------------------------------------------------

LONG_SUMMARY = " ".join(["Acme moved 40 services to EC2 and cut costs by 30%."] * 13)  # 143 words
GOOD_SUMMARY = (
    "Acme Corp moved 40 payment services to Amazon EC2 in six weeks, cutting its monthly "
    "infrastructure bill by 30% and release times from two days to 4 hours for the "
    "checkout team."
)


def _resave_with_libreoffice(source: Path, work: Path) -> Path:
    """Open and re-save `source` in LibreOffice; return the re-saved copy."""
    inbox, outbox = work / "in", work / "out"
    inbox.mkdir(parents=True)
    outbox.mkdir()
    # A copy under another name and directory: the output never overwrites the input.
    shutil.copy(source, inbox / "filled.xlsx")
    subprocess.run(
        [
            "soffice", "--headless", f"-env:UserInstallation=file://{work}/profile",
            "--convert-to", "xlsx", "--outdir", str(outbox), str(inbox / "filled.xlsx"),
        ],
        check=True, capture_output=True, timeout=120,
    )
    return outbox / "filled.xlsx"


@pytest.mark.office
def test_filled_template_resaved_by_libreoffice_is_read_by_check(tmp_path: Path) -> None:
    (tmp_path / "mbr.toml").write_text(
        'teams = ["Enterprise East", "Enterprise West"]\n', encoding="utf-8"
    )
    template = tmp_path / "intake.xlsx"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["template", "xlsx", "-o", str(template), "--config", str(tmp_path / "mbr.toml")]
    )
    assert result.exit_code == 0, result.output

    workbook = openpyxl.load_workbook(template)
    sheet = workbook[DATA_SHEET]
    columns = _headers(sheet)
    rows = [
        (dt.date(2024, 11, 5), "Ana Silva", "Enterprise East", "Wins", "Acme Corp", GOOD_SUMMARY),
        (dt.date(2024, 11, 6), "Ben Okafor", "Enterprise West", "Wins", "Acme Corp", LONG_SUMMARY),
        (dt.date(2024, 11, 7), "Ana Silva", "Enterprise East", "Lowlights", "", GOOD_SUMMARY
         .replace("Acme Corp", "Initech")),
    ]
    for row, values in enumerate(rows, start=2):
        for header, value in zip(
            ("Date", "Author", "Team", "Category", "Customer", "Summary"), values, strict=True
        ):
            sheet[f"{columns[header]}{row}"] = value or None
    workbook.save(template)

    resaved = _resave_with_libreoffice(template, tmp_path / "lo")

    # The dropdowns survive the round trip.
    back = openpyxl.load_workbook(resaved)
    back_sheet = back[DATA_SHEET]
    category = _validation_for(back_sheet, columns["Category"])
    team = _validation_for(back_sheet, columns["Team"])
    assert _list_values(back, category.formula1) == [
        "Wins", "Customer Impact", "Launches", "Lowlights", "Risks", "Asks"
    ]
    assert _list_values(back, team.formula1) == ["Enterprise East", "Enterprise West"]
    assert _validation_for(back_sheet, columns["Date"]).type == "date"
    # ... and so does the red "too long" rule on the word count.
    words = columns[WORD_COUNT_HEADER]
    formulas = [r.formula[0] for cf in back_sheet.conditional_formatting for r in cf.rules]
    assert f"AND(ISNUMBER({words}2),{words}2>120)" in formulas

    # LibreOffice computed the live word count; unused rows stay empty.
    values = openpyxl.load_workbook(resaved, data_only=True)[DATA_SHEET]
    assert values[f"{words}3"].value == 143
    assert values[f"{words}2"].value == len(GOOD_SUMMARY.split())
    assert values[f"{words}5"].value in (None, "")

    check = runner.invoke(
        cli,
        ["check", str(resaved), "--config", str(tmp_path / "mbr.toml"), "--today", "2024-12-01"],
    )
    assert check.exit_code == 1, (check.output, check.exception)
    lines = check.stdout.splitlines()
    assert lines[-1].endswith(" in 3 entries")  # the prepared formula rows are not entries
    assert f"{resaved}:Entries!{columns['Summary']}3: MBR101 [error]" in check.stdout
    assert "MBR001" not in check.stdout
    assert "MBR008" not in check.stdout  # the Words (live) column raises no typo warning
    assert not any(line.startswith(f"{resaved}:Entries!") and "!" + columns["Date"] in line
                   for line in lines), "dates must read as dates"
