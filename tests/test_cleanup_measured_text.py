"""MeasuredText's measurements are taken once, kept, and read like attributes."""

from __future__ import annotations

import datetime as dt

import pytest

from mbr.model import Entry, Location
from mbr.rules import textutil
from mbr.rules.registry import RuleContext
from mbr.rules.textutil import MeasuredText

_MEASUREMENTS = [
    "tokens",
    "joined",
    "words",
    "word_count",
    "sentence_word_counts",
    "sentences",
    "grade",
    "letter_runs",
    "lowered",
    "printable",
    "capital_shape",
    "has_figure",
]
_TEXT = "Acme cut  run costs by 28% across 40 workloads. The team finished in Nov 5 days early!"


@pytest.mark.parametrize("name", _MEASUREMENTS)
def test_a_measurement_is_kept_after_the_first_read(name: str) -> None:
    measured = MeasuredText(_TEXT)
    first = getattr(measured, name)
    assert getattr(measured, name) is first


def test_a_measurement_is_taken_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = textutil._letter_runs

    def counted(text: str) -> frozenset[str]:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(textutil, "_letter_runs", counted)
    measured = MeasuredText(_TEXT)
    assert calls == []
    assert "acme" in measured.letter_runs
    assert "team" in measured.letter_runs
    assert calls == [_TEXT]


def test_none_is_kept_like_any_value() -> None:
    measured = MeasuredText("— … —")
    assert measured.word_count == 0
    assert measured.grade is None
    assert measured.grade is None
    assert not measured.grade_may_exceed(-100.0)


def test_measurements_read_the_same_on_a_rule_context() -> None:
    origin = Location("log.xlsx", sheet="Entries", row=7)
    entry = Entry("e1", dt.date(2024, 11, 5), "Dana", "East", "win", _TEXT, "log.xlsx", origin, {})
    ctx = RuleContext(entry, _TEXT, "summary", {}, frozenset())
    plain = MeasuredText(_TEXT)
    for name in _MEASUREMENTS:
        assert getattr(ctx, name) == getattr(plain, name), name
    assert ctx.sentences == (
        ("Acme cut run costs by 28% across 40 workloads.", 9),
        ("The team finished in Nov 5 days early!", 8),
    )
