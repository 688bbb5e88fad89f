"""`mbr rules`: list the rules, or explain one."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mbr.config import load_config
from mbr.rules.docs import explain, rule_list_text, rules_as_dicts


@click.command("rules")
@click.argument("code", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="config file (default: mbr.toml or pyproject.toml found walking up); "
    "its custom rules, severities and options are shown",
)
def rules(code: str | None, output_format: str, config_path: Path | None) -> None:
    """List every rule, or explain one (what, why, an example, how to fix it).

    CODE is a rule code (MBR101) or name (too-long). JSON output is a list of
    objects with code, name, severity, summary, help, options, what, why,
    example and fix.

    Example:

    \b
        mbr rules
        mbr rules MBR106
        mbr rules --format json --config mbr.toml
    """
    config = load_config(config_path)
    if output_format == "json":
        click.echo(json.dumps(rules_as_dicts(config, code), indent=2, ensure_ascii=False))
    elif code:
        click.echo(explain(code, config), nl=False)
    else:
        click.echo(rule_list_text(config), nl=False)
