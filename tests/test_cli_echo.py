"""Lines written a block at a time read exactly as lines written one by one."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from mbr.cli.echo import echo_lines


@pytest.mark.parametrize("count", [0, 1, 999, 1000, 1001, 2345])
@pytest.mark.parametrize("err", [False, True])
def test_blocks_of_lines_are_the_lines_in_order(count: int, err: bool) -> None:
    lines = [f"entries.csv:{n}: MBR107 [warning] line {n}" if n % 7 else "" for n in range(count)]

    @click.command()
    def show() -> None:
        echo_lines((line for line in lines), err=err)  # a generator: read once, in blocks

    result = CliRunner().invoke(show)
    assert result.exit_code == 0
    written, other = (result.stderr, result.stdout) if err else (result.stdout, result.stderr)
    assert written == "".join(f"{line}\n" for line in lines)
    assert other == ""
