"""`mbr new`: a YAML skeleton under entries/YYYY-MM/ that fails `mbr check` until written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mbr.authoring.new_entry import NewEntry, entries_directory, slugify, write_new_entry
from mbr.cli import cli
from mbr.config import Config, config_from_mapping

FLAGS = ["--author", "Zoë O'Brien", "--team", "Enterprise East", "--category", "Wins",
         "--customer", "Acme Corp", "--date", "2024-11-05"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "mbr.toml").write_text(
        'sources = ["entries"]\n'
        'teams = ["Enterprise East", "Enterprise West"]\n'
        "[rules.MBR101]\nmax_words = 90\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _new(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["new", *args], input=input)
    return result.exit_code, result.stdout, result.stderr


def test_writes_a_skeleton_named_after_date_author_and_customer(project: Path) -> None:
    code, out, err = _new(*FLAGS)
    assert code == 0, err
    assert out == "entries/2024-11/2024-11-05-zoe-obrien-acme-corp.yaml\n"
    assert "mbr check entries/2024-11/2024-11-05-zoe-obrien-acme-corp.yaml" in err
    text = (project / out.strip()).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data == {
        "date": dt.date(2024, 11, 5),
        "author": "Zoë O'Brien",
        "team": "Enterprise East",
        "category": "win",  # the title given on the command line, stored as the key
        "customer": "Acme Corp",
        "headline": "",
        "summary": data["summary"],
    }
    assert data["summary"].startswith("TODO:")
    assert "\n" not in data["summary"]  # folded: one paragraph
    assert "MBR101 too-long (error): max_words = 90" in text  # the configured limit
    for optional in ("service", "metric", "link", "tags"):
        assert f"# {optional}:" in text


def test_never_overwrites_an_existing_entry(project: Path) -> None:
    outputs = [_new(*FLAGS)[1].strip() for _ in range(3)]
    assert outputs == [
        "entries/2024-11/2024-11-05-zoe-obrien-acme-corp.yaml",
        "entries/2024-11/2024-11-05-zoe-obrien-acme-corp-2.yaml",
        "entries/2024-11/2024-11-05-zoe-obrien-acme-corp-3.yaml",
    ]
    assert len({(project / o).read_text() for o in outputs}) == 3  # each names its own path


def test_without_a_terminal_missing_flags_are_a_usage_error(project: Path) -> None:
    code, out, err = _new("--category", "win")
    assert code == 2
    assert out == ""
    assert "missing --author, --team" in err
    assert not (project / "entries").exists()


def test_prompts_for_missing_fields_when_interactive(project: Path) -> None:
    # A bad category is asked again; team offers the configured teams.
    code, out, err = _new(
        "--interactive", "--date", "2024-11-05", input="Ana Silva\nenterprise west\nwins\nrisk\n"
    )
    assert code == 0, err
    assert "'wins' is not one of" in err
    data = yaml.safe_load((project / out.strip()).read_text(encoding="utf-8"))
    assert (data["author"], data["team"], data["category"]) == (
        "Ana Silva", "Enterprise West", "risk",
    )
    assert out.strip() == "entries/2024-11/2024-11-05-ana-silva-risk.yaml"


def test_unknown_category_is_a_usage_error_with_a_suggestion(project: Path) -> None:
    code, _, err = _new(*FLAGS[:4], "--category", "winn", "--date", "2024-11-05")
    assert code == 2
    assert "--category 'winn' is not a configured category; did you mean 'win'?" in err
    assert "customer-impact" in err


def test_bad_date_is_a_usage_error(project: Path) -> None:
    code, _, err = _new(*FLAGS[:6], "--date", "05/11/2024")
    assert code == 2
    assert "--date" in err


def test_unknown_team_is_allowed_with_a_warning(project: Path) -> None:
    code, out, err = _new("--author", "Ana", "--team", "Blue", "--category", "ask",
                          "--date", "2024-11-05")
    assert code == 0
    assert "MBR004" in err
    assert yaml.safe_load((project / out.strip()).read_text())["team"] == "Blue"


def test_values_that_yaml_would_coerce_stay_strings(tmp_path: Path) -> None:
    config = Config(root=tmp_path)
    entry = NewEntry(dt.date(2024, 11, 5), author="NO", team="1.0", category="win",
                     customer='He said "yes": ok', headline="null")
    path = write_new_entry(entry, config)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (data["author"], data["team"], data["customer"], data["headline"]) == (
        "NO", "1.0", 'He said "yes": ok', "null",
    )


def test_entries_directory_is_the_first_directory_source(tmp_path: Path) -> None:
    (tmp_path / "log").mkdir()
    (tmp_path / "intake.xlsx").write_bytes(b"")
    config = config_from_mapping({"sources": ["intake.xlsx", "log"]}, root=tmp_path)
    assert entries_directory(config) == tmp_path / "log"
    only_files = config_from_mapping({"sources": ["intake.xlsx"]}, root=tmp_path)
    assert entries_directory(only_files) == tmp_path / "entries"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Zoë O'Brien", "zoe-obrien"),
        ("Acme Corp, Inc.", "acme-corp-inc"),
        ("  Ünïcödé  ", "unicode"),
        ("Straße & Söhne GmbH", "strasse-sohne-gmbh"),
        ("東京 Tokyo", "東京-tokyo"),
        ("---", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_new_entry_fails_check_until_the_summary_is_written(project: Path) -> None:
    path = project / _new(*FLAGS)[1].strip()
    runner = CliRunner()
    before = runner.invoke(cli, ["check", str(path), "--today", "2024-12-01"])
    assert before.exit_code == 1, before.output
    assert "MBR110 [error]" in before.stdout

    text = path.read_text(encoding="utf-8")
    start = text.index("summary: >-\n") + len("summary: >-\n")
    end = text.index("\n\n", start)
    written = (
        "  Acme Corp moved 40 payment services to Amazon EC2 in six weeks.\n"
        "  Its monthly infrastructure bill fell by 30% and releases now take 4 hours\n"
        "  instead of two days, so the checkout team ships every afternoon."
    )
    path.write_text(text[:start] + written + text[end:], encoding="utf-8")
    after = runner.invoke(cli, ["check", str(path), "--today", "2024-12-01"])
    assert after.exit_code == 0, after.output
    assert "MBR110" not in after.stdout
    assert "MBR103" not in after.stdout  # the folded lines are one paragraph
