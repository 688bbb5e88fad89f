"""Config discovery and validation (SPEC §2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mbr.config import DEFAULT_CATEGORIES, load_config
from mbr.errors import ConfigError
from mbr.model import Severity


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    config = load_config(start=tmp_path)
    assert config.path is None
    assert [c.key for c in config.categories] == [
        "win", "customer-impact", "launch", "lowlight", "risk", "ask",
    ]
    assert config.date_order == "MDY"
    assert config.rules.select == ("MBR",)


def test_mbr_toml_found_walking_up(tmp_path: Path) -> None:
    write(tmp_path / "mbr.toml", 'org = "Field Engineering EMEA"\nsources = ["entries"]\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    config = load_config(start=deep)
    assert config.org == "Field Engineering EMEA"
    assert config.path == tmp_path / "mbr.toml"
    assert config.sources == (tmp_path / "entries",)


def test_pyproject_tool_section_found(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n[tool.mbr]\norg = "Sales"\n')
    assert load_config(start=tmp_path).org == "Sales"


def test_pyproject_without_section_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path / "mbr.toml", 'org = "Outer"\n')
    write(tmp_path / "inner" / "pyproject.toml", '[project]\nname = "x"\n')
    assert load_config(start=tmp_path / "inner").org == "Outer"


def test_mbr_toml_wins_over_pyproject_in_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.mbr]\norg = "From pyproject"\n')
    write(tmp_path / "mbr.toml", 'org = "From mbr.toml"\n')
    assert load_config(start=tmp_path).org == "From mbr.toml"


def test_explicit_config_overrides_discovery(tmp_path: Path) -> None:
    write(tmp_path / "mbr.toml", 'org = "Found"\n')
    other = write(tmp_path / "elsewhere" / "other.toml", 'org = "Named"\n')
    assert load_config(other, start=tmp_path).org == "Named"


def test_explicit_config_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('ogr = "x"\n', "unknown key `ogr` in the config\n  = help: did you mean `org`?"),
        ('sorces = ["a"]\n', "did you mean `sources`?"),
        ("[smtp]\nhots = 'x'\n", "unknown key `hots` in [smtp]\n  = help: did you mean `host`?"),
        ("[[categories]]\nkey = 'win'\ntitel = 'Wins'\n", "did you mean `title`?"),
        ("[rules]\nselct = ['MBR']\n", "did you mean `select`?"),
    ],
)
def test_unknown_keys_get_did_you_mean(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path / "mbr.toml", text)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert fragment in str(raised.value)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("org = 3\n", "`org` must be a string, not int 3"),
        ('teams = "East"\nvocabulary = [1]\n', "`vocabulary` must be a list of strings"),
        ('date_order = "YDM"\n', "`date_order` must be one of MDY, DMY, YMD"),
        ("[rules.MBR101]\nseverity = 'fatal'\n", "must be error, warning or info"),
        ("[smtp]\nsecurity = 'tls'\n", "`smtp.security` must be starttls, ssl or none"),
        ("[[rules.custom]]\ncode = 'MBR101'\nrequire = ['x']\n", "from MBR200 to MBR299"),
        ("[[rules.custom]]\ncode = 'MBR201'\n", "needs one of require, forbid"),
        ("org = \n", "invalid TOML"),
        ("[[categories]]\nkey = 'win'\n[[categories]]\nkey = 'win'\n", "configured twice"),
        ("[quadrants]\nA = ['win']\n", "exactly four titles"),
    ],
)
def test_invalid_values_are_named(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path / "mbr.toml", text)
    with pytest.raises(ConfigError, match=None) as raised:
        load_config(path)
    assert fragment in str(raised.value)


def test_full_config(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mbr.toml",
        """
org = "Field Engineering EMEA"
sources = ["entries", "intake.xlsx"]
output = "reports/{org}-mbr-{period}.docx"
template = "2x2"
reference_docx = "brand.docx"
classification = "Confidential"
date_order = "dmy"
roster = "roster.csv"
schedule = "0 7 1 * *"
vocabulary = ["EDP", "MAP"]
teams = ["Enterprise East", "Enterprise West"]

[[categories]]
key = "win"
title = "Wins"
aliases = ["highlight"]

[[categories]]
key = "lowlight"
title = "Lowlights"

[rules]
select = ["MBR"]
ignore = ["mbr114"]
[rules.MBR101]
max_words = 150
severity = "error"
[rules.MBR101.per-category.lowlight]
max_words = 200
[rules.per-category-ignores]
lowlight = ["MBR106"]

[[rules.custom]]
code = "MBR201"
name = "lowlight-needs-root-cause"
categories = ["lowlight"]
require = ["root cause", "caused by"]
message = "lowlights must name a root cause"
severity = "error"

[smtp]
host = "localhost"
port = 2525
security = "none"
user = "mbr-bot"
password_env = "MBR_SMTP_PASSWORD"
from = "mbr@example.com"
to = ["leadership@example.com"]
""",
    )
    config = load_config(path)
    assert config.sources == (tmp_path / "entries", tmp_path / "intake.xlsx")
    assert config.reference_docx == tmp_path / "brand.docx"
    assert config.roster == tmp_path / "roster.csv"
    assert config.date_order == "DMY"
    assert [c.key for c in config.categories] == ["win", "lowlight"]
    assert config.category_for("Highlight") is config.categories[0]
    assert config.category_for("lowlite") is None
    assert config.category_for("low_light") is config.categories[1]
    assert config.category_for("LOWLIGHTS") is config.categories[1]
    assert config.rules.ignore == ("MBR114",)
    assert config.rules.options["MBR101"] == {"max_words": 150, "severity": Severity.ERROR}
    assert config.rules.per_category["MBR101"]["lowlight"] == {"max_words": 200}
    assert config.rules.per_category_ignores == {"lowlight": ("MBR106",)}
    (custom,) = config.rules.custom
    assert custom.code == "MBR201" and custom.severity is Severity.ERROR
    assert custom.require == ("root cause", "caused by")
    assert config.smtp is not None
    assert config.smtp.port == 2525 and config.smtp.from_addr == "mbr@example.com"
    assert config.smtp.to == ("leadership@example.com",)


def test_category_matching_ignores_case_space_hyphen_underscore() -> None:
    from mbr.config import Config

    config = Config(categories=DEFAULT_CATEGORIES)
    for text in ("Customer Impact", "customer_impact", "customer-impact", " CUSTOMER IMPACT "):
        category = config.category_for(text)
        assert category is not None and category.key == "customer-impact"
    win = config.category_for("Wins")
    assert win is not None and win.key == "win"
