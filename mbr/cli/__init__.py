"""The `mbr` command line: a thin click group over the library.

Each command lives in its own module in this package and is imported only
when it runs, so `mbr check` on one file does not pay for python-docx or
Jinja2. Library errors (MbrError) become a message on stderr and exit 2;
no command ends in a traceback.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import sys
from typing import Any

import click

from mbr import __version__
from mbr.errors import MbrError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# Command name -> "module:attribute". Listed here so the group can show help
# without importing every command's dependencies.
COMMANDS: dict[str, str] = {
    "check": "mbr.cli.check:check",
    "compile": "mbr.cli.compile:compile_command",
    "rules": "mbr.cli.rules:rules",
    "template": "mbr.cli.template:template",
    "new": "mbr.cli.new:new",
    "init": "mbr.cli.init:init",
    "missing": "mbr.cli.missing:missing",
    "run": "mbr.cli.run:run",
    "schedule": "mbr.cli.schedule:schedule",
}

EXIT_USAGE = 2


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, target in COMMANDS.items() if _module_exists(target)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _module_exists(target):
            return None
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MbrError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(EXIT_USAGE)


def _module_exists(target: str) -> bool:
    return importlib.util.find_spec(target.partition(":")[0]) is not None


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="mbr")
def cli() -> None:
    """Check contributors' paragraphs and compile the Monthly Business Review.

    Example:

        mbr check samples/intake.xlsx --period 2024-11
    """


def main() -> None:
    # A command is one short run: the cycle collector stays off for all of
    # it (see mbr.gcpause for why the library pauses it stage by stage).
    gc.disable()
    try:
        cli(prog_name="mbr")
    except Exception as exc:  # the last line of defence: never a traceback
        if os.environ.get("MBR_DEBUG"):
            import traceback  # only here: ~5 ms of every start-up otherwise

            traceback.print_exc()
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "  = help: this is a bug in mbr; run again with MBR_DEBUG=1 for details and report it",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    finally:
        # Python makes one full collection at exit, disabled collector or
        # not, walking every object still held: ~0.1 s after a month's
        # compile out of a 100,000-row log. Frozen objects are not walked.
        # Reference counting still frees them as modules are torn down, and
        # atexit handlers and stream flushes still run; only finalizers of
        # cyclic garbage, which Python never promises at exit, are skipped.
        gc.freeze()
