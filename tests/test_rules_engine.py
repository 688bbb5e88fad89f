"""The rule engine: selection, severities and options per category, custom rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from mbr.config import Config, config_from_mapping
from mbr.errors import ConfigError, UsageError
from mbr.model import Diagnostic, Entry, Location, Severity
from mbr.rules.engine import apply_policy, check_entries

# Fires MBR102 (too short), MBR106 (no figure), MBR107 (very), MBR117 (I) and
# nothing else.
WEAK = "I made Acme very happy with the new platform."


def make_entry(**fields: Any) -> Entry:
    values: dict[str, Any] = {
        "id": "e1",
        "date": dt.date(2024, 11, 5),
        "author": "Jane Doe",
        "team": "Enterprise East",
        "category": "win",
        "summary": WEAK,
        "source": "log.csv",
        "origin": Location("log.csv", line=2),
        "locations": {"summary": Location("log.csv", line=2)},
    }
    values.update(fields)
    return Entry(**values)


def config(tmp_path: Path, **data: Any) -> Config:
    """A config built by the real loader from a parsed-TOML mapping."""
    return config_from_mapping(data, root=tmp_path, path=tmp_path / "mbr.toml")


def codes(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def test_default_run_reports_every_rule_in_code_order() -> None:
    found = check_entries([make_entry()], Config())
    assert codes(found) == ["MBR102", "MBR106", "MBR107", "MBR117"]
    assert [d.severity for d in found] == [
        Severity.WARNING,
        Severity.ERROR,
        Severity.WARNING,
        Severity.WARNING,
    ]


@pytest.mark.parametrize(
    ("rules", "select", "ignore", "expected"),
    [
        ({}, ["MBR1"], None, ["MBR102", "MBR106", "MBR107", "MBR117"]),
        ({}, ["MBR10"], None, ["MBR102", "MBR106", "MBR107"]),
        ({}, ["MBR106", "MBR117"], None, ["MBR106", "MBR117"]),
        ({}, ["mbr106,mbr117"], None, ["MBR106", "MBR117"]),  # comma lists, any case
        ({}, ["ALL"], ["MBR10"], ["MBR117"]),
        ({}, ["no-metric"], None, ["MBR106"]),  # a rule's name selects it too
        ({"select": ["MBR10"]}, None, None, ["MBR102", "MBR106", "MBR107"]),
        ({"ignore": ["MBR107"]}, None, None, ["MBR102", "MBR106", "MBR117"]),
        # --select replaces the config's select ...
        ({"select": ["MBR10"]}, ["MBR117"], None, ["MBR117"]),
        # ... --ignore adds to the config's ignore ...
        ({"ignore": ["MBR107"]}, None, ["MBR102"], ["MBR106", "MBR117"]),
        # ... the config's ignore still applies under --select ...
        ({"ignore": ["MBR107"]}, ["MBR1"], None, ["MBR102", "MBR106", "MBR117"]),
        # ... unless the command line names the rule at least as precisely.
        ({"ignore": ["MBR107"]}, ["MBR107"], None, ["MBR107"]),
        # The most specific selector wins, within the config too.
        ({"select": ["MBR"], "ignore": ["MBR1"]}, ["MBR106"], None, ["MBR106"]),
        ({"select": ["MBR106"], "ignore": ["MBR1"]}, None, None, ["MBR106"]),
        ({"select": ["MBR1"], "ignore": ["MBR1"]}, None, None, []),  # same length: ignore wins
    ],
)
def test_select_and_ignore_work_by_prefix(
    tmp_path: Path,
    rules: dict[str, Any],
    select: list[str] | None,
    ignore: list[str] | None,
    expected: list[str],
) -> None:
    cfg = config(tmp_path, rules=rules)
    assert codes(check_entries([make_entry()], cfg, select=select, ignore=ignore)) == expected


def test_configured_severity_applies_to_every_category(tmp_path: Path) -> None:
    cfg = config(tmp_path, rules={"MBR106": {"severity": "info"}, "MBR107": {"severity": "error"}})
    for category in ("win", "risk"):
        found = check_entries([make_entry(category=category)], cfg, select=["MBR106", "MBR107"])
        assert [d.severity for d in found] == [Severity.INFO, Severity.ERROR]


def test_per_category_severity_and_options(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        rules={
            "MBR107": {"per-category": {"lowlight": {"severity": "error"}}},
            "MBR101": {"max_words": 50, "per-category": {"Wins": {"max_words": 5}}},
        },
    )
    win, lowlight = make_entry(id="a", category="win"), make_entry(id="b", category="lowlight")
    found = check_entries([win, lowlight], cfg, select=["MBR101", "MBR107"])
    assert [(d.entry_id, d.code, d.severity) for d in found] == [
        ("a", "MBR101", Severity.ERROR),
        ("a", "MBR107", Severity.WARNING),
        ("b", "MBR107", Severity.ERROR),
    ]
    assert found[0].message == "summary has 9 words; the limit is 5"


def test_per_category_ignores(tmp_path: Path) -> None:
    cfg = config(tmp_path, rules={"per-category-ignores": {"ask": ["MBR10"], "risk": ["MBR117"]}})
    entries = [
        make_entry(id="w", seq=0, category="win"),
        make_entry(id="a", seq=1, category="ask"),
        make_entry(id="r", seq=2, category="risk"),
    ]
    found = check_entries(entries, cfg, select=["MBR1"])
    assert [(d.entry_id, d.code) for d in found] == [
        ("w", "MBR102"),
        ("w", "MBR106"),
        ("w", "MBR107"),
        ("w", "MBR117"),
        ("a", "MBR117"),
        ("r", "MBR102"),
        ("r", "MBR106"),
        ("r", "MBR107"),
    ]


def test_diagnostics_follow_read_order_not_list_order() -> None:
    later = make_entry(id="later", seq=5, summary="Acme grew 40% this year and next year too.")
    earlier = make_entry(id="earlier", seq=1)
    found = check_entries([later, earlier], Config(), select=["MBR102"])
    assert [d.entry_id for d in found] == ["earlier", "later"]


@pytest.mark.parametrize(
    ("rules", "message", "hint"),
    [
        ({"MBR1O1": {"max_words": 3}}, "unknown rule `MBR1O1`", "did you mean `MBR101`?"),
        ({"MBR101": {"max_word": 3}}, "unknown option `max_word` for MBR101", "`max_words`"),
        ({"MBR107": {"max_words": 3}}, "unknown option `max_words` for MBR107", "severity"),
        ({"MBR101": {"max_words": "many"}}, "`rules.MBR101.max_words` must be a number", None),
        ({"MBR101": {"max_words": 0}}, "must be above 0", None),
        ({"MBR006": {"threshold": 1.5}}, "at most 1", None),
        (
            {"MBR101": {"per-category": {"wins-typo": {"max_words": 3}}}},
            "unknown category `wins-typo`",
            None,
        ),
        ({"MBR101": {"per-category": {"win": {"max_wrds": 3}}}}, "unknown option `max_wrds`", None),
        ({"select": ["MBR9"]}, "unknown rule selector `MBR9`", None),
        ({"ignore": ["MBR1011"]}, "unknown rule selector `MBR1011`", "did you mean `MBR101`?"),
        ({"per-category-ignores": {"win": ["XYZ"]}}, "unknown rule selector `XYZ`", None),
        ({"per-category-ignores": {"wim": ["MBR101"]}}, "unknown category `wim`", "`win`"),
    ],
)
def test_bad_rule_settings_are_config_errors(
    tmp_path: Path, rules: dict[str, Any], message: str, hint: str | None
) -> None:
    cfg = config(tmp_path, rules=rules)
    with pytest.raises(ConfigError) as raised:
        check_entries([make_entry()], cfg)
    assert message in raised.value.message
    assert raised.value.message.startswith(str(tmp_path / "mbr.toml"))
    if hint is not None:
        assert raised.value.hint is not None and hint in raised.value.hint


def test_bad_command_line_selector_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown rule selector `MBR1x`"):
        check_entries([make_entry()], Config(), select=["MBR1x"])
    with pytest.raises(UsageError, match="--ignore"):
        check_entries([make_entry()], Config(), ignore=["hedgin"])


# --- apply_policy ------------------------------------------------------------------


def upstream(code: str, severity: Severity, entry_id: str | None) -> Diagnostic:
    return Diagnostic(code, "x", severity, "m", "h", Location("log.csv", line=2), entry_id)


def test_apply_policy_selects_and_sets_severities(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        rules={
            "ignore": ["MBR008"],
            "MBR004": {"severity": "error"},
            "MBR007": {"per-category": {"risk": {"severity": "info"}}},
            "per-category-ignores": {"ask": ["MBR001"]},
        },
    )
    diagnostics = [
        upstream("MBR000", Severity.ERROR, None),
        upstream("MBR004", Severity.WARNING, "w"),
        upstream("MBR007", Severity.WARNING, "w"),
        upstream("MBR007", Severity.WARNING, "r"),
        upstream("MBR008", Severity.WARNING, "w"),
        upstream("MBR001", Severity.ERROR, "a"),
        upstream("MBR001", Severity.ERROR, "w"),
    ]
    kept = apply_policy(diagnostics, cfg, categories_by_entry={"w": "win", "r": "risk", "a": "ask"})
    assert [(d.code, d.entry_id, d.severity) for d in kept] == [
        ("MBR000", None, Severity.ERROR),
        ("MBR004", "w", Severity.ERROR),
        ("MBR007", "w", Severity.WARNING),
        ("MBR007", "r", Severity.INFO),
        ("MBR001", "w", Severity.ERROR),
    ]


def test_apply_policy_uses_the_command_line_selection() -> None:
    diagnostics = [
        upstream("MBR004", Severity.WARNING, "w"),
        upstream("MBR007", Severity.WARNING, "w"),
    ]
    kept = apply_policy(diagnostics, Config(), categories_by_entry={"w": "win"}, ignore=["MBR004"])
    assert codes(kept) == ["MBR007"]
    kept = apply_policy(diagnostics, Config(), categories_by_entry={"w": "win"}, select=["MBR1"])
    assert kept == []


# --- custom rules --------------------------------------------------------------------

LOWLIGHT_RULE = {
    "code": "MBR201",
    "name": "lowlight-root-cause",
    "message": "a lowlight must name its root cause",
    "help": 'say what caused it: "root cause: ..."',
    "severity": "error",
    "categories": ["lowlight"],
    "require": ["root cause", "caused by"],
}


@pytest.mark.parametrize(
    ("category", "summary", "fires"),
    [
        ("lowlight", "Acme churned 3 workloads.", True),
        ("lowlight", "Acme churned 3 workloads; the ROOT  CAUSE was pricing.", False),
        ("lowlight", "Acme churned 3 workloads, caused by pricing.", False),
        ("lowlight", "Acme churned 3 workloads; the root causes were many.", True),  # whole words
        ("win", "Acme grew 3 workloads.", False),  # other categories are not checked
    ],
)
def test_custom_require(tmp_path: Path, category: str, summary: str, fires: bool) -> None:
    cfg = config(tmp_path, rules={"custom": [LOWLIGHT_RULE]})
    found = check_entries([make_entry(category=category, summary=summary)], cfg, select=["MBR2"])
    assert bool(found) is fires
    if fires:
        [diag] = found
        assert (diag.code, diag.name, diag.severity) == (
            "MBR201",
            "lowlight-root-cause",
            Severity.ERROR,
        )
        assert diag.message == "a lowlight must name its root cause"
        assert diag.help == 'say what caused it: "root cause: ..."'


def test_custom_forbid_quotes_what_it_found(tmp_path: Path) -> None:
    rules = {
        "custom": [
            {"code": "MBR202", "name": "no-jargon", "forbid": ["synergy", "leverage"]},
            {
                "code": "MBR203",
                "name": "no-internal-links",
                "message": "internal link {found} in the {field}",
                "forbid_regex": r"https?://wiki\.internal\S*",
            },
            {"code": "MBR204", "name": "no-hype", "message": "hype", "forbid": ["game changer"]},
        ]
    }
    cfg = config(tmp_path, rules=rules)
    summary = "We leveraged Synergy and a Game  Changer, see https://wiki.internal/x for 40%."
    found = check_entries([make_entry(summary=summary)], cfg, select=["MBR2"])
    assert [(d.code, d.message) for d in found] == [
        ("MBR202", 'summary contains "Synergy", which is not allowed'),
        ("MBR203", "internal link https://wiki.internal/x in the summary"),
        ("MBR204", 'hype ("Game  Changer")'),
    ]
    assert found[0].severity is Severity.WARNING  # the default for custom rules


def test_custom_rule_on_the_headline(tmp_path: Path) -> None:
    rule = {
        "code": "MBR210",
        "name": "headline-names-customer",
        "field": "headline",
        "require_regex": r"^[A-Z]",
    }
    cfg = config(tmp_path, rules={"custom": [rule]})
    found = check_entries(
        [make_entry(id="a", seq=0, headline="acme grows"), make_entry(id="b", seq=1, headline="")],
        cfg,
        select=["MBR210"],
    )
    assert [(d.entry_id, d.field) for d in found] == [("a", "headline"), ("b", "headline")]
    assert found[0].message == "headline does not match the required pattern `^[A-Z]`"


def test_custom_rule_severity_can_be_overridden_per_category(tmp_path: Path) -> None:
    rule = {"code": "MBR205", "name": "no-very", "forbid": ["very"]}
    cfg = config(
        tmp_path,
        rules={"custom": [rule], "MBR205": {"per-category": {"risk": {"severity": "error"}}}},
    )
    found = check_entries(
        [make_entry(id="w", category="win"), make_entry(id="r", category="risk", seq=1)],
        cfg,
        select=["MBR205"],
    )
    assert [(d.entry_id, d.severity) for d in found] == [
        ("w", Severity.WARNING),
        ("r", Severity.ERROR),
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"code": "MBR206", "name": "bad", "require_regex": "(unclosed"},
            "custom rule MBR206 (bad): invalid require_regex '(unclosed'",
        ),
        (
            {"code": "MBR207", "name": "bad", "forbid": ["x"], "categories": ["lowlite"]},
            "custom rule MBR207 (bad) names unknown category `lowlite`",
        ),
    ],
)
def test_bad_custom_rules_are_config_errors(
    tmp_path: Path, rule: dict[str, Any], message: str
) -> None:
    cfg = config(tmp_path, rules={"custom": [rule]})
    with pytest.raises(ConfigError) as raised:
        check_entries([make_entry()], cfg)
    assert message in raised.value.message


def test_custom_codes_must_be_unique(tmp_path: Path) -> None:
    rule = {"code": "MBR201", "name": "a", "forbid": ["x"]}
    cfg = config(tmp_path, rules={"custom": [rule, {**rule, "name": "b"}]})
    with pytest.raises(ConfigError, match="MBR201 is configured twice"):
        check_entries([make_entry()], cfg)
