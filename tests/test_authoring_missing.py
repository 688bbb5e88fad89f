"""The roster and `mbr missing`: who has not submitted an entry for the period."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from mbr.cli import cli
from mbr.config import Config, RosterMember, config_from_mapping
from mbr.dates import Period
from mbr.errors import ConfigError, InputError, UsageError
from mbr.model import Entry, Location
from mbr.roster import load_roster, missing_members, roster_for

NOVEMBER = Period(dt.date(2024, 11, 1), dt.date(2024, 11, 30), "month")


def _entry(author: str, day: dt.date | None) -> Entry:
    origin = Location("entries/x.yaml", line=1)
    return Entry(
        id=f"{author}-{day}", date=day, author=author, team="East", category="win",
        summary="Cut costs by 40%.", source="entries/x.yaml", origin=origin, locations={},
    )


# --- load_roster -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ("name,email,team\nAna Silva,ana@example.com,East\n", "utf-8"),
        ("name,email,team\nAna Silva,ana@example.com,East\n", "utf-8-sig"),  # Excel's BOM
        ("Full Name;E-mail;Department\nAna Silva;ana@example.com;East\n", "utf-8"),
        ("Team\tEmail Address\tMember\nEast\tana@example.com\tAna Silva\n", "utf-8"),
        ('"Name","Email","Team"\r\n"Ana  Silva ","ana@example.com","East"\r\n', "cp1252"),
    ],
)
def test_load_roster_tolerates_header_aliases_bom_and_separators(
    tmp_path: Path, content: str, encoding: str
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(content.encode(encoding))
    assert load_roster(path) == [RosterMember("Ana Silva", "ana@example.com", "East")]


def test_load_roster_reads_cp1252_names(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("name,team\nRené Müller,West\n,\n".encode("cp1252"))
    assert load_roster(path) == [RosterMember("René Müller", "", "West")]


def test_roster_without_a_name_column_says_what_it_found(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("who,where\nAna,East\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no name or email column \(the header row holds who, "
                                         r"where\)"):
        load_roster(path)


def test_empty_or_absent_roster_is_an_input_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        load_roster(empty)
    with pytest.raises(InputError, match="roster not found"):
        load_roster(tmp_path / "nope.csv")


def test_roster_comes_from_option_then_config(tmp_path: Path) -> None:
    csv_path = tmp_path / "people.csv"
    csv_path.write_text("name\nFrom File\n", encoding="utf-8")
    inline = config_from_mapping({"roster": [{"name": "Inline"}]}, root=tmp_path)
    by_path = config_from_mapping({"roster": "people.csv"}, root=tmp_path)
    assert roster_for(inline) == [RosterMember("Inline")]
    assert roster_for(by_path) == [RosterMember("From File")]
    assert roster_for(inline, csv_path) == [RosterMember("From File")]
    with pytest.raises(UsageError, match="no roster configured"):
        roster_for(Config(root=tmp_path))
    with pytest.raises(ConfigError, match="roster file not found"):
        roster_for(config_from_mapping({"roster": "gone.csv"}, root=tmp_path))


# --- missing_members -----------------------------------------------------------------------

def test_matching_ignores_case_spacing_and_unicode_composition() -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë Brown")
    roster = [
        RosterMember(decomposed, "zoe@example.com"),
        RosterMember("Ana Silva", "ana@example.com"),
        RosterMember("Ben Okafor", "ben@example.com"),
        RosterMember("René Roy"),
        RosterMember("Di Chen"),
    ]
    entries = [
        _entry("  ZOË   brown ", dt.date(2024, 11, 3)),  # NFC, other case and spacing
        _entry("BEN@example.com", dt.date(2024, 11, 4)),  # by email
        _entry("Rene Roy", dt.date(2024, 11, 5)),  # accents are not ignored
        _entry("Ana Silva", dt.date(2024, 10, 31)),  # the month before
        _entry("Di Chen", None),  # no date: cannot be placed in the period
    ]
    missing = missing_members(roster, entries, NOVEMBER)
    assert [m.name for m in missing] == ["Ana Silva", "René Roy", "Di Chen"]
    assert missing_members(roster, entries, None) == [roster[3]]


# --- the command ---------------------------------------------------------------------------

def _write_entry(directory: Path, name: str, author: str, day: str) -> None:
    path = directory / "entries" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"date: {day}\nauthor: {author}\nteam: East\ncategory: win\n"
        "summary: Acme cut its build times by 40% in 3 weeks after moving to EC2.\n",
        encoding="utf-8",
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "mbr.toml").write_text(
        'sources = ["entries"]\nroster = "roster.csv"\n', encoding="utf-8"
    )
    (tmp_path / "roster.csv").write_text(
        "\ufeffname,email,team\n"
        "Ana Silva,ana@example.com,East\n"
        "Ben Okafor,ben@example.com,West\n"
        "Cy Young,,\n",
        encoding="utf-8",
    )
    _write_entry(tmp_path, "a.yaml", "ana silva", "2024-11-05")
    _write_entry(tmp_path, "b.yaml", "Ben Okafor", "2024-10-20")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_text_lists_one_member_per_line(project: Path) -> None:
    result = CliRunner().invoke(cli, ["missing", "--period", "2024-11"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Ben Okafor <ben@example.com> (West)\nCy Young\n"
    assert "2 of 3 roster members have no entry for November 2024" in result.stderr


def test_period_defaults_to_last_month_before_today(project: Path) -> None:
    result = CliRunner().invoke(cli, ["missing", "--today", "2024-11-03"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Ana Silva <ana@example.com> (East)\nCy Young\n"  # October


def test_json_output(project: Path) -> None:
    result = CliRunner().invoke(cli, ["missing", "--period", "Nov 2024", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "period": "2024-11",
        "period_label": "November 2024",
        "roster_size": 3,
        "missing": [
            {"name": "Ben Okafor", "email": "ben@example.com", "team": "West"},
            {"name": "Cy Young", "email": "", "team": ""},
        ],
    }


def test_roster_option_and_source_arguments(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("name\nBen Okafor\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["missing", "entries/b.yaml", "--roster", str(other), "--period", "2024-10"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 of 1 roster members" in result.stderr


def test_unreadable_source_is_reported_not_fatal(project: Path) -> None:
    (project / "entries" / "broken.xlsx").write_text("not a workbook", encoding="utf-8")
    result = CliRunner().invoke(cli, ["missing", "--period", "2024-11"])
    assert result.exit_code == 0, result.output
    assert "warning: entries/broken.xlsx" in result.stderr
    assert "listed as missing" in result.stderr
    assert result.stdout == "Ben Okafor <ben@example.com> (West)\nCy Young\n"


def test_no_roster_is_a_usage_error_saying_how_to_configure_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mbr.toml").write_text('sources = ["entries"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["missing", "--period", "2024-11"])
    assert result.exit_code == 2
    assert "no roster configured" in result.stderr
    assert "--roster" in result.stderr and 'roster = "roster.csv"' in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "Novembr 2024"], "Novembr"),
        (["--today", "yesterday"], "--today"),
        (["--roster", "absent.csv"], "absent.csv"),
        (["no-such-dir"], "no-such-dir"),
    ],
)
def test_bad_input_is_exit_2_without_traceback(
    project: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["missing", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_multi_year_sheet_counts_only_the_periods_rows(project: Path) -> None:
    # Rows of other months and years are only counted while reading (as in
    # compile); whoever logged only there is missing, as is an undatable row.
    (project / "log.csv").write_text(
        "date,author,team,category,summary\n"
        "2023-11-20,Ben Okafor,West,win,Acme cut build times by 40% in 3 weeks.\n"
        "2024-11-05,Ana Silva,East,win,Acme cut build times by 40% in 3 weeks.\n"
        "2024-12-01,Cy Young,East,win,Acme cut build times by 40% in 3 weeks.\n"
        "sometime in week 3,Cy Young,East,win,Acme cut build times by 40% in 3 weeks.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["missing", "--period", "2024-11", "log.csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Ben Okafor <ben@example.com> (West)\nCy Young\n"
