"""The pre-commit hook runs `mbr check` on entry files, and only on them."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

HOOKS = Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml"


def test_hook_runs_mbr_check_on_the_staged_files() -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert hook["id"] == "mbr-check"
    assert hook["entry"] == "mbr check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    assert hook["require_serial"] is True  # one run: duplicates across files are found


def test_hook_selects_entry_files_and_skips_configuration() -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))

    def selected(path: str) -> bool:
        # pre-commit's rule: `files` must match and `exclude` must not (re.search).
        return bool(re.search(hook["files"], path)) and not re.search(hook["exclude"], path)

    for path in ("entries/2024-11/a.yaml", "b.yml", "intake.xlsx", "log/nov.csv"):
        assert selected(path), path
    for path in (".pre-commit-config.yaml", ".github/workflows/mbr.yml", "mbr.toml",
                 "README.md", "entries/.gitkeep", "notes.yaml.bak"):
        assert not selected(path), path
