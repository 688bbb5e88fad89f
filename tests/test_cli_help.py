"""Every command explains itself: help, an example, and the SPEC's options."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from mbr import __version__
from mbr.cli import COMMANDS, cli


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"mbr, version {__version__}"


def test_h_is_an_alias_for_help() -> None:
    long = CliRunner().invoke(cli, ["--help"])
    short = CliRunner().invoke(cli, ["-h"])
    assert long.exit_code == short.exit_code == 0
    assert long.output == short.output
    assert "check" in long.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name: str) -> None:
    group = cli
    listed = group.list_commands(None)  # type: ignore[arg-type]
    if name not in listed:
        pytest.fail(f"command {name} is listed in COMMANDS but its module is missing")
    result = CliRunner().invoke(cli, [name, "-h"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert f"mbr {name}" in result.output


def test_check_has_the_spec_options() -> None:
    output = CliRunner().invoke(cli, ["check", "--help"]).output
    for option in (
        "--period", "--today", "--format", "--strict", "--select", "--ignore", "--annotate",
    ):
        assert option in output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["chekc"])
    assert result.exit_code == 2
    assert "No such command" in result.output
