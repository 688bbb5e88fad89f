"""`mbr init`: a starter project whose config loads, and which never clobbers files."""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from mbr.authoring.init_project import starter_config
from mbr.cli import cli
from mbr.config import _TOP_LEVEL_KEYS, load_config
from mbr.roster import load_roster
from mbr.rules.registry import all_rules

RunMbr = Callable[..., subprocess.CompletedProcess[str]]  # the run_mbr fixture (conftest)

STARTER_FILES = ("mbr.toml", "intake.xlsx", "roster.csv", "entries/.gitkeep")


def _digest(directory: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((directory / name).read_bytes()).hexdigest()
        for name in STARTER_FILES
    }


def test_init_writes_a_project_that_mbr_can_use(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "reports"), "--org", "Acme EMEA"])
    assert result.exit_code == 0, result.output
    project = tmp_path / "reports"
    assert result.stdout.splitlines() == [f"wrote {project / name}" for name in STARTER_FILES]

    config = load_config(project / "mbr.toml")
    assert config.org == "Acme EMEA"
    assert config.sources == (project / "entries", project / "intake.xlsx")
    assert config.roster == project / "roster.csv"
    assert [c.key for c in config.categories] == [
        "win", "customer-impact", "launch", "lowlight", "risk", "ask"
    ]
    assert [m.name for m in load_roster(project / "roster.csv")] == ["Ana Silva", "Ben Okafor"]

    intake = openpyxl.load_workbook(project / "intake.xlsx")
    assert intake.sheetnames[:2] == ["Entries", "Instructions"]


def test_starter_config_mentions_every_setting_and_rule_option() -> None:
    text = starter_config()
    for key in _TOP_LEVEL_KEYS:
        assert re.search(rf"(?m)^#?\[*{key}\b", text), key
    for info in all_rules():
        for option, value in info.options.items():
            assert f"#[rules.{info.code}]" in text
            assert re.search(rf"(?m)^#{option} = ", text), (info.code, option, value)


def test_uncommenting_every_example_still_gives_a_valid_config(tmp_path: Path) -> None:
    # `#key = value` lines are examples; enabling all of them must not break the file.
    enabled = re.sub(r"(?m)^#(?=\S)", "", starter_config(org="Acme"))
    path = tmp_path / "mbr.toml"
    path.write_text(enabled, encoding="utf-8")
    config = load_config(path)
    assert config.smtp is not None and config.smtp.password_env == "MBR_SMTP_PASSWORD"
    assert [rule.code for rule in config.rules.custom] == ["MBR201"]
    assert config.sheet == "Entries"
    assert config.rules.per_category_ignores == {"ask": ("MBR106",)}
    max_words = next(i.options["max_words"] for i in all_rules() if "max_words" in i.options)
    assert config.rules.options["MBR101"]["max_words"] == max_words


def test_refuses_to_overwrite_and_names_the_files(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path)]).exit_code == 0
    (tmp_path / "roster.csv").write_text("name\nOnly Me\n", encoding="utf-8")
    before = _digest(tmp_path)

    again = runner.invoke(cli, ["init", str(tmp_path)])
    assert again.exit_code == 2
    for name in ("mbr.toml", "intake.xlsx", "roster.csv"):
        assert str(tmp_path / name) in again.stderr
    assert "--force" in again.stderr
    assert _digest(tmp_path) == before

    forced = runner.invoke(cli, ["init", str(tmp_path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "roster.csv").read_text(encoding="utf-8").startswith("name,email,team\n")


def test_existing_entries_are_left_alone(tmp_path: Path) -> None:
    entry = tmp_path / "entries" / "2024-11" / "a.yaml"
    entry.parent.mkdir(parents=True)
    entry.write_text("author: Ana\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert entry.read_text(encoding="utf-8") == "author: Ana\n"
    assert not (tmp_path / "entries" / ".gitkeep").exists()


def test_a_file_where_the_directory_should_be_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_init_in_a_subprocess_then_check_finds_the_config(
    tmp_path: Path, run_mbr: RunMbr
) -> None:
    done = run_mbr("init", "--org", "Acme")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "mbr.toml").is_file()
    # A fresh project holds no entries yet: `mbr check` says so (exit 2), no traceback.
    check = run_mbr("check")
    assert check.returncode == 2, check.stdout + check.stderr
    assert "Traceback" not in check.stderr
    assert "no entries" in check.stderr


@pytest.mark.parametrize("name", ["template", "new", "init", "missing"])
def test_every_authoring_command_explains_itself(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"mbr {name}" in result.output
