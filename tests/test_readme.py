"""The README's examples work: its config snippets load, its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mbr.cli import COMMANDS
from mbr.config import load_config
from mbr.rules.policy import RuleSet
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
TOML_BLOCKS = re.findall(r"```toml\n(.*?)```", README, flags=re.DOTALL)


@pytest.mark.parametrize("index", range(len(TOML_BLOCKS)))
def test_toml_examples_are_valid_config(tmp_path: Path, index: int) -> None:
    path = tmp_path / "mbr.toml"
    path.write_text(TOML_BLOCKS[index], encoding="utf-8")
    config = load_config(path)
    RuleSet(config)  # unknown rule codes or options would raise here


def test_there_are_toml_examples() -> None:
    assert TOML_BLOCKS


def test_commands_in_readme_exist() -> None:
    used = set(re.findall(r"^\s*(?:\.venv/bin/)?mbr ([a-z]+)", README, flags=re.MULTILINE))
    assert used, "the README shows no mbr commands"
    assert used <= set(COMMANDS), used - set(COMMANDS)
