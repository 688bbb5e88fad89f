"""The shipped samples (samples/): what a new user runs first must stay valid.

The files are read directly (tomllib via load_config, openpyxl, PyYAML, csv)
rather than through mbr.intake, so these tests pin the samples themselves:
the config parses, the workbook has the shape the README promises, every
clean entry looks clean by simple measures, and every deliberate mistake is
still there for `mbr check` to find.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from mbr.config import Config, load_config
from mbr.fields import REQUIRED_FIELDS, field_for_header

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TEAMS = ("Enterprise East", "Enterprise West", "Digital Natives", "Public Sector")
CATEGORY_KEYS = ("win", "customer-impact", "launch", "lowlight", "risk", "ask")
LAST_DAY = dt.date(2026, 10, 31)  # nothing in the samples is dated after October
OCTOBER = (dt.date(2026, 10, 1), LAST_DAY)

Entry = dict[str, Any]


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(SAMPLES / "mbr.toml")


def _header_row(sheet: Any) -> int:
    """The first row holding two recognised field names, as the intake looks for it."""
    for row in sheet.iter_rows(min_row=1, max_row=20):
        names = [field_for_header(str(c.value)) for c in row if isinstance(c.value, str)]
        if sum(name is not None for name in names) >= 2:
            return int(row[0].row)
    raise AssertionError("no header row in the first 20 rows")


def _read_workbook(path: Path) -> list[Entry]:
    """Every entry row as {field: cell value, "row": n, "cell": date cell}."""
    sheet = openpyxl.load_workbook(path)["Entries"]
    header = _header_row(sheet)
    fields = [field_for_header(str(c.value)) for c in sheet[header]]
    entries: list[Entry] = []
    for row in sheet.iter_rows(min_row=header + 1):
        if all(c.value is None for c in row):
            continue
        entry: Entry = {name: cell.value for name, cell in zip(fields, row, strict=True) if name}
        entry["row"] = row[0].row
        entry["date_cell"] = row[0]
        entries.append(entry)
    return entries


def _read_yaml_entries() -> list[tuple[Path, Entry]]:
    found: list[tuple[Path, Entry]] = []
    for path in sorted((SAMPLES / "entries").rglob("*.y*ml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data if isinstance(data, list) else [data]:
            found.append((path, entry))
    return found


@pytest.fixture(scope="module")
def rows() -> list[Entry]:
    return _read_workbook(SAMPLES / "intake.xlsx")


def _by_row(rows: list[Entry]) -> dict[int, Entry]:
    return {entry["row"]: entry for entry in rows}


def _words(text: str) -> list[str]:
    return [w for w in text.split() if re.search(r"[A-Za-z0-9]", w)]


def _word_set(text: str) -> set[str]:
    return set(re.sub(r"[^\w\s]", " ", text.lower()).split())


# ---- mbr.toml ------------------------------------------------------------------


def test_sample_config_parses_with_its_teams_categories_and_rules(config: Config) -> None:
    assert config.org == "Field Engineering EMEA"
    assert config.sources == (SAMPLES / "intake.xlsx", SAMPLES / "entries")
    assert all(source.exists() for source in config.sources)
    assert config.roster == SAMPLES / "roster.csv" and config.roster.is_file()
    assert config.teams == TEAMS
    assert tuple(c.key for c in config.categories) == CATEGORY_KEYS
    assert config.category_title("customer-impact") == "Customer Impact"
    assert config.template == "narrative"
    assert config.date_order == "MDY"
    assert config.schedule == "0 7 1 * *"
    assert config.smtp is None  # shown commented out, so a first run sends no mail
    assert config.rules.select == ("MBR",)
    assert config.rules.options["MBR101"]["max_words"] == 120
    assert config.rules.per_category["MBR101"]["lowlight"]["max_words"] == 150


def test_sample_config_has_the_lowlight_root_cause_custom_rule(config: Config) -> None:
    (rule,) = config.rules.custom
    assert (rule.code, rule.name, rule.severity.value) == (
        "MBR201",
        "lowlight-needs-root-cause",
        "warning",
    )
    assert rule.categories == ("lowlight",)
    assert rule.require == ("root cause", "caused by", "because")
    assert rule.message and rule.help


def test_vocabulary_leaves_map_undefined_for_the_acronym_example(config: Config) -> None:
    assert "MAP" not in config.vocabulary
    assert {"EDP", "CSAT"} <= set(config.vocabulary)


# ---- intake.xlsx ---------------------------------------------------------------


def test_workbook_has_a_title_row_a_blank_row_then_alias_headers() -> None:
    sheet = openpyxl.load_workbook(SAMPLES / "intake.xlsx")["Entries"]
    assert sheet["A1"].value == "Field Engineering EMEA — MBR intake"
    assert all(cell.value is None for cell in sheet[2])
    headers = [cell.value for cell in sheet[3]]
    assert [field_for_header(str(h)) for h in headers] == [
        "date", "author", "team", "category", "customer",
        "headline", "summary", "service", "metric", "link",
    ]
    assert "Submitted by" in headers and "Section" in headers


def test_workbook_holds_three_months_of_real_date_cells(rows: list[Entry]) -> None:
    assert len(rows) >= 45
    dates = [e["date"] for e in rows if isinstance(e["date"], dt.datetime)]
    assert {(d.year, d.month) for d in dates} == {(2026, 8), (2026, 9), (2026, 10)}
    assert max(d.date() for d in dates) <= LAST_DAY
    for entry in rows:
        if isinstance(entry["date"], dt.datetime):
            assert "yy" in entry["date_cell"].number_format, entry["row"]
    # Two cells were typed as text: an ISO date (fine) and "next Tuesday" (MBR002).
    assert sorted(e["date"] for e in rows if isinstance(e["date"], str)) == [
        "2026-10-21",
        "next Tuesday",
    ]


def test_workbook_covers_every_team_and_category(rows: list[Entry], config: Config) -> None:
    assert {e["team"] for e in rows} == {*TEAMS, None}  # one row leaves the team empty
    used = set()
    for entry in rows:
        category = config.category_for(entry["category"])
        if entry["category"] == "Wiins":
            assert category is None
            continue
        assert category is not None, f"row {entry['row']}: {entry['category']!r}"
        used.add(category.key)
    assert used == set(CATEGORY_KEYS)
    # People write categories many ways; the sample shows that off.
    assert len({e["category"] for e in rows}) >= 12


def test_workbook_authors_and_customers_look_like_a_real_org(rows: list[Entry]) -> None:
    assert 11 <= len({e["author"] for e in rows}) <= 14
    assert len({e["customer"] for e in rows}) >= 15


# Row -> (the rule it should trigger, how to tell the trap is still in place).
DELIBERATE: dict[int, tuple[str, Callable[[Entry, dict[int, Entry], Config], bool]]] = {
    27: (
        "MBR006",
        lambda e, by_row, _: e["author"] != by_row[26]["author"]
        and len(_word_set(e["summary"]) & _word_set(by_row[26]["summary"]))
        / len(_word_set(e["summary"]) | _word_set(by_row[26]["summary"]))
        >= 0.8,
    ),
    31: ("MBR103", lambda e, *_: "\n" in e["summary"] and "•" not in e["summary"]),
    33: ("MBR003", lambda e, *_: e["category"] == "Wiins"),
    35: ("MBR001", lambda e, *_: e["team"] is None),
    36: ("MBR112", lambda e, *_: e["summary"].count("\n• ") == 3),
    39: (
        "MBR101",
        lambda e, _, c: len(_words(e["summary"])) > 120
        and c.category_for(e["category"]).key != "lowlight",  # type: ignore[union-attr]
    ),
    41: (
        "MBR005",
        lambda e, by_row, _: {k: v for k, v in e.items() if k not in ("row", "date_cell")}
        == {k: v for k, v in by_row[40].items() if k not in ("row", "date_cell")},
    ),
    42: ("MBR106", lambda e, *_: e["category"] == "Wins" and not re.search(r"\d", e["summary"])),
    44: ("MBR107", lambda e, *_: "significantly" in e["summary"] and "various" in e["summary"]),
    47: ("MBR110", lambda e, *_: "TBD" in e["summary"]),
    48: ("MBR109", lambda e, *_: "MAP funding" in e["summary"] and "(MAP)" not in e["summary"]),
    49: ("MBR113", lambda e, *_: e["summary"].startswith("I think ")),
    50: (
        "MBR201",
        lambda e, _, c: c.category_for(e["category"]).key == "lowlight"  # type: ignore[union-attr]
        and not any(p in e["summary"].lower() for p in c.rules.custom[0].require),
    ),
    51: ("MBR002", lambda e, *_: e["date"] == "next Tuesday"),
}


@pytest.mark.parametrize("row", sorted(DELIBERATE))
def test_each_deliberate_mistake_is_still_there(
    row: int, rows: list[Entry], config: Config
) -> None:
    by_row = _by_row(rows)
    code, still_there = DELIBERATE[row]
    assert by_row[row]["date"] == "next Tuesday" or by_row[row]["date"].month == 10, code
    assert still_there(by_row[row], by_row, config), f"row {row} no longer shows {code}"


def test_about_seventy_percent_of_rows_are_clean(rows: list[Entry]) -> None:
    assert 0.6 <= 1 - len(DELIBERATE) / len(rows) <= 0.8


def _looks_clean(entry: Entry) -> list[str]:
    """Cheap checks that a clean sample entry would fail if someone broke it."""
    summary: str = entry["summary"]
    problems = []
    if not 40 <= len(_words(summary)) <= 110:
        problems.append(f"{len(_words(summary))} words")
    if "\n" in summary:
        problems.append("line break")
    if not re.search(r"\d", summary):
        problems.append("no figure")
    if not summary.endswith("."):
        problems.append("no final full stop")
    customer = re.sub(r"\s+(Ltd|Inc\.|plc|GmbH)$", "", entry.get("customer") or "")
    if customer.lower() not in summary.lower():
        problems.append("customer not named")
    if re.search(r"\b(I|me|my|TBD|significantly|various|several)\b", summary):
        problems.append("first person, placeholder or weasel word")
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", summary):
        if len(_words(sentence)) > 30:
            problems.append(f"sentence of {len(_words(sentence))} words")
    return problems


def test_clean_rows_look_clean(rows: list[Entry]) -> None:
    # 26 and 40 are the originals that 27 and 41 repeat; they are clean themselves.
    clean = [e for e in rows if e["row"] not in DELIBERATE]
    assert {
        e["row"]: problems for e in clean if (problems := _looks_clean(e))
    } == {}


def test_make_intake_is_deterministic_and_matches_the_committed_workbook(
    tmp_path: Path,
) -> None:
    script = runpy.run_path(str(SAMPLES / "make_intake.py"), run_name="make_intake")
    first = script["write_intake"](tmp_path / "first.xlsx")
    second = script["write_intake"](tmp_path / "second.xlsx")
    assert first.read_bytes() == second.read_bytes()

    def cells(path: Path) -> list[tuple[Any, ...]]:
        sheet = openpyxl.load_workbook(path)["Entries"]
        return [(c.coordinate, c.value, c.number_format) for row in sheet for c in row]

    assert cells(first) == cells(SAMPLES / "intake.xlsx"), (
        "samples/intake.xlsx is out of date: run `python samples/make_intake.py`"
    )


# ---- entries/*.yaml ------------------------------------------------------------


def test_every_yaml_entry_parses_and_sits_under_its_month() -> None:
    found = _read_yaml_entries()
    files = {path for path, _ in found}
    assert len(files) >= 8
    assert any(isinstance(yaml.safe_load(p.read_text(encoding="utf-8")), list) for p in files)
    for path, entry in found:
        assert isinstance(entry, dict), path
        assert all(entry.get(name) for name in REQUIRED_FIELDS), path
        assert isinstance(entry["date"], dt.date), path
        assert path.parent.name == entry["date"].strftime("%Y-%m"), path
        assert path.name.startswith(entry["date"].isoformat()), path


def test_yaml_entries_use_configured_teams_and_categories(config: Config) -> None:
    for path, entry in _read_yaml_entries():
        assert entry["team"] in config.teams, path
        assert config.category_for(entry["category"]) is not None, path


def test_yaml_entries_are_clean_except_two_warnings() -> None:
    dirty = {
        path.name: problems
        for path, entry in _read_yaml_entries()
        if (problems := _looks_clean(entry)) or len(_words(entry["headline"])) > 12
    }
    assert set(dirty) == {
        "2026-10-20-fatima-el-idrissi-lakeside-health-board.yaml",  # MBR102 too-short
        "2026-10-22-jonas-meyer-wingtip-toys.yaml",  # MBR118 headline-too-long
    }


# ---- roster.csv ----------------------------------------------------------------


def test_roster_lists_every_author_and_two_who_did_not_submit_in_october(
    rows: list[Entry], config: Config
) -> None:
    with (SAMPLES / "roster.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["name", "email", "team"]
        roster = list(reader)
    assert all(m["email"].endswith("@example.com") for m in roster)
    assert {m["team"] for m in roster} == set(config.teams)
    names = {m["name"] for m in roster}

    entries = [*rows, *(entry for _, entry in _read_yaml_entries())]
    assert {e["author"] for e in entries} <= names

    def in_october(value: object) -> bool:
        day = value.date() if isinstance(value, dt.datetime) else value
        return isinstance(day, dt.date) and OCTOBER[0] <= day <= OCTOBER[1]

    submitted = {e["author"] for e in entries if in_october(e["date"])}
    assert names - submitted == {"Rui Costa", "Olga Petrenko"}
