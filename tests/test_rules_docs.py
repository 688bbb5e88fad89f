"""Rule documentation: the catalogue, `mbr rules`, and the README's rule table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mbr.cli import cli
from mbr.config import Config, RuleSettings
from mbr.errors import UsageError
from mbr.rules.docs import explain, rule_table_markdown
from mbr.rules.registry import RuleInfo, all_rules

README = Path(__file__).resolve().parent.parent / "README.md"
SPEC_CODES = [f"MBR{n:03d}" for n in range(11)] + [f"MBR{n}" for n in range(101, 120)]

CONFIG = """
[rules]
ignore = ["MBR114"]
[rules.MBR101]
max_words = 150
severity = "warning"
[[rules.custom]]
code = "MBR201"
name = "lowlight-next-step"
message = "a lowlight must say what happens next"
help = "add the next step and its date"
categories = ["lowlight"]
require = ["next step", "next steps"]
"""


def test_every_spec_code_is_documented() -> None:
    assert [info.code for info in all_rules()] == SPEC_CODES


@pytest.mark.parametrize("info", all_rules(), ids=lambda info: info.code)
def test_each_rule_is_fully_documented(info: RuleInfo) -> None:
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", info.name)
    assert info.summary and info.help
    for part in (info.doc.what, info.doc.why, info.doc.example, info.doc.fix):
        assert len(part) > 10


def test_readme_rule_table_is_generated_from_the_catalogue() -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    start, end = "<!-- rules:start -->", "<!-- rules:end -->"
    if start not in text or end not in text:
        pytest.skip("README.md has no <!-- rules:start --> / <!-- rules:end --> markers yet")
    section = text.split(start, 1)[1].split(end, 1)[0]
    assert section.strip("\n") == rule_table_markdown().strip("\n"), (
        "the README's rule table is out of date; paste rule_table_markdown() between the markers"
    )


def test_rule_table_rows() -> None:
    lines = rule_table_markdown().splitlines()
    assert lines[0] == "| code | name | default | fires when |"
    assert (
        "| MBR106 | no-metric | error for win / customer-impact / launch, warning otherwise | "
        in rule_table_markdown()
    )
    assert lines[-1].startswith("| MBR2xx | (custom) | as configured |")
    assert len(lines) == 2 + len(SPEC_CODES) + 1


def test_explain_gives_every_part() -> None:
    text = explain("mbr101")
    assert text.startswith("MBR101 too-long (error)\n")
    for heading in ("What:", "Why:", "Example:", "Fix:", "Help line:", "Options (default):"):
        assert heading in text
    assert "  max_words = 120" in text


def test_explain_by_name_and_with_a_config() -> None:
    config = Config(rules=RuleSettings(select=("MBR0",), options={"MBR101": {"max_words": 90}}))
    text = explain("too-long", config)
    assert "  max_words = 120  (configured: 90)" in text
    assert "Turned off by the config's rules.select / rules.ignore." in text


@pytest.mark.parametrize(("code", "hint"), [("MBR1O1", "MBR101"), ("too-lng", "too-long")])
def test_explain_unknown_rule(code: str, hint: str) -> None:
    with pytest.raises(UsageError) as raised:
        explain(code)
    assert raised.value.hint == f"did you mean `{hint}`?"


# --- the command ---------------------------------------------------------------------


def test_rules_lists_every_rule(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["rules", "--config", str(_write_config(tmp_path, ""))])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == SPEC_CODES
    assert re.match(r"MBR101  too-long +error +Summary over `max_words`", lines[11])
    assert " varies " in lines[16]  # MBR106 depends on the category


def test_rules_shows_the_configs_custom_rules_and_settings(tmp_path: Path) -> None:
    path = _write_config(tmp_path, CONFIG)
    result = CliRunner().invoke(cli, ["rules", "--config", str(path)])
    assert result.exit_code == 0, result.output
    by_code = {line.split()[0]: line for line in result.output.splitlines()}
    assert by_code["MBR101"].split()[2] == "warning"
    assert by_code["MBR114"].split()[2] == "off"
    assert by_code["MBR201"].split()[1:3] == ["lowlight-next-step", "warning"]

    explained = CliRunner().invoke(cli, ["rules", "MBR201", "--config", str(path)])
    assert explained.exit_code == 0, explained.output
    assert 'has none of "next step", "next steps", for the categories lowlight' in " ".join(
        explained.output.split()
    )


def test_rules_json(tmp_path: Path) -> None:
    path = _write_config(tmp_path, CONFIG)
    result = CliRunner().invoke(cli, ["rules", "--format", "json", "--config", str(path)])
    assert result.exit_code == 0, result.output
    rules = json.loads(result.output)
    assert [r["code"] for r in rules] == [*SPEC_CODES, "MBR201"]
    too_long = rules[11]
    assert set(too_long) >= {
        "code",
        "name",
        "severity",
        "summary",
        "help",
        "options",
        "what",
        "why",
        "example",
        "fix",
    }
    assert too_long["options"] == {"max_words": 150}
    assert too_long["severity"] == "warning"
    one = CliRunner().invoke(cli, ["rules", "MBR106", "--format", "json", "--config", str(path)])
    [no_metric] = json.loads(one.output)
    assert no_metric["category_severity"] == {
        "win": "error",
        "customer-impact": "error",
        "launch": "error",
    }


def test_unknown_rule_is_a_usage_error(tmp_path: Path) -> None:
    path = _write_config(tmp_path, "")
    result = CliRunner().invoke(cli, ["rules", "MBR1O1", "--config", str(path)])
    assert result.exit_code == 2
    assert "unknown rule `MBR1O1`" in result.output
    assert "did you mean `MBR101`?" in result.output


def test_invalid_config_is_a_config_error(tmp_path: Path) -> None:
    path = _write_config(tmp_path, "[rules.MBR101]\nmax_wrds = 3\n")
    result = CliRunner().invoke(cli, ["rules", "--config", str(path)])
    assert result.exit_code == 2
    assert "unknown option `max_wrds` for MBR101" in result.output
    assert "did you mean `max_words`?" in result.output


def _write_config(directory: Path, text: str) -> Path:
    path = directory / "mbr.toml"
    path.write_text(text, encoding="utf-8")
    return path
