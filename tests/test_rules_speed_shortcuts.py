"""The text rules' shortcuts give exactly what the plain definitions give.

Every measurement a rule takes of its text (mbr.rules.textutil.MeasuredText)
and every gate that lets a rule skip its pattern is checked here against the
straightforward computation it replaces: the definitions as first written
(token by token, regex over the whole text), on crafted texts built from the
pieces each shortcut reasons about, with hypothesis, and on the benchmark
generator's prose. A gate must never turn away a text its rule fires on.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mbr.config import load_config
from mbr.entries import build_entries
from mbr.intake import read_sources
from mbr.rules import text_content, text_shape, text_wording, textutil, vocabulary
from mbr.rules.textutil import MeasuredText

ROOT = Path(__file__).resolve().parent.parent
MANY = settings(max_examples=400, deadline=None)


@pytest.fixture(scope="module")
def prose(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Summaries and headlines of 1,000 generated entries, read the way mbr reads them."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        generate: ModuleType = importlib.import_module("generate")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    # The log the benchmarks generate (same rows, same seed), written here so
    # that a clean checkout runs these tests too.
    path = tmp_path_factory.mktemp("prose") / "log-1000-2026.csv"
    generate.write_csv(path, 1000, seed=2026)
    config = load_config(generate.CONFIG)
    entries, _ = build_entries(read_sources([str(path)]).records, config, today=generate.TODAY)
    return [e.summary for e in entries] + [e.headline for e in entries if e.headline]


# --- the plain definitions (SPEC §3), as first written -------------------------

_ALNUM = re.compile(r"[^\W_]")


def plain_words(text: str) -> tuple[str, ...]:
    return tuple(token for token in text.split() if _ALNUM.search(token))


def plain_sentences(text: str) -> tuple[tuple[str, int], ...]:
    """Sentences and their word counts, token by token."""
    tokens = text.split()
    bounds: list[int] = []
    for index, token in enumerate(tokens):
        core = token.rstrip(textutil._CLOSERS)
        if not core or core[-1] not in ".!?":
            continue
        if index + 1 < len(tokens):
            first = tokens[index + 1].lstrip(textutil._OPENERS)[:1]
            if not (first.isupper() or first.isdigit()):
                continue
        before = core.rstrip(".!?")
        if len(core) - len(before) == 1 and core[-1] == "." and plain_abbreviation(before):
            continue
        bounds.append(index + 1)
    found = []
    start = 0
    for end in [*bounds, len(tokens)]:
        part = tokens[start:end]
        count = sum(1 for token in part if _ALNUM.search(token))
        if count:
            found.append((" ".join(part), count))
        start = end
    return tuple(found)


def plain_abbreviation(before: str) -> bool:
    core = before.lstrip(textutil._OPENERS).lower()
    if not core:
        return False
    if core in textutil.ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)+[a-z]", core):
        return True
    return len(core) == 1 and before[-1].isupper()


def plain_grade(text: str) -> float | None:
    words = plain_words(text)
    if not words:
        return None
    syllables = sum(textutil.syllables(word) for word in words)
    sentence_total = max(len(plain_sentences(text)), 1)
    return 0.39 * len(words) / sentence_total + 11.8 * syllables / len(words) - 15.59


def plain_figures(text: str) -> list[str]:
    blanked = textutil._MONTH_DATE.sub(" ", text)
    return [t for t in blanked.split() if re.search(r"\d", t) and plain_is_figure(t)]


def plain_is_figure(token: str) -> bool:
    core = textutil._TRAILING.sub("", textutil._LEADING.sub("", token, count=1), count=1)
    if not core or not (core[0].isdigit() or core[0] in "'’"):
        return False
    if textutil._NOT_A_FIGURE.fullmatch(core):
        return False
    day_month = textutil._DAY_MONTH.fullmatch(core)
    if day_month is not None:
        first, second = int(day_month.group(1)), int(day_month.group(2))
        if 1 <= min(first, second) <= 12 and max(first, second) <= 31:
            return False
    return True


# --- texts built from what the shortcuts reason about -------------------------

PIECES = [
    *("Inc.", "e.g.", "U.S.", "Dr.", "F.", "etc.", "vs.", "no.", "approx.", "x.y.z."),
    *("(", ")", '"', "'", "“", "”", "‘", "’", "»", "«", "[", "]"),
    *("A", "a", "I", "me", "my", "5", "3.5", "2024", "40%", "$2M", "1.5x", "9am", "11/5"),
    *("!", "?", ".", "...", "Wow!?", "x.)", "(The", "É", "é", "ß", "İ", "K", "—", "-", "_"),
    *("Nov", "Nov.", "November", "May", "may", "5th", "of", "Sept", "2023-5"),
    *("the", "table", "agree", "wanted", "boxes", "launched", "saves", "co-op", "ale", "le"),
    *("EDP", "EC2", "S3", "APIs", "DynamoDB", "SaaS", "CEN-30428", "TODO", "XXX", "HUGE!!"),
    *("very", "a number of", "in order to", "I think", "Acme", "Acme Corp.", "ACME"),
    *("²", "٣", "Ⅻ", "\u00a0", "\u2028", "\x1c", "\t", "\n", "\x07", "\u200b", "\ufffd"),
]
GAPS = ["", " ", " ", "  ", "\n", "\u00a0"]
TEXT = st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(GAPS)), max_size=14).map(
    lambda parts: "".join(piece + gap for piece, gap in parts)
)
ASCII_TEXT = st.text(alphabet=st.characters(max_codepoint=127), max_size=60)
ANY_TEXT = st.text(max_size=40)


def crafted() -> Iterator[str]:
    yield from ["", " ", "x", "Done.", "Wow!! Really?", "(A.) (B.) Next.", "e.g. This. Ok."]
    yield from ["Shipped 2023-5 Nov to all.", "In Nov 2024 we grew.", "Sept. 30th - 31st, 2024 40%"]
    yield from ["Version 2.0 shipped! Customers cheered? Yes.", "Acme Inc. Signed the deal."]
    yield from ["“Quoted.” Then more.", "He said ‘hi.’ Ok.", "Ends with closers.)) Next one."]


# --- measurements ---------------------------------------------------------------


def _measured(text: str) -> MeasuredText:
    return MeasuredText(text)


@MANY
@given(TEXT)
@example("")
@example("A  b\tc\n.")
def test_words_joined_and_printable_match_the_plain_definitions(text: str) -> None:
    measured = _measured(text)
    assert measured.joined == " ".join(text.split())
    assert measured.word_count == len(plain_words(text))
    assert _measured(text).words == plain_words(text)
    assert measured.printable is text.isprintable()
    assert measured.plain is (text.isascii() and text.isprintable())


@MANY
@given(st.one_of(TEXT, ASCII_TEXT, ANY_TEXT))
def test_sentences_and_their_word_counts_match_the_plain_definition(text: str) -> None:
    expected = plain_sentences(text)
    assert _measured(text).sentences == expected
    assert _measured(text).sentence_word_counts == tuple(count for _, count in expected)
    # Both orders of asking give the same answers.
    measured = _measured(text)
    assert measured.sentence_word_counts == tuple(count for _, count in expected)
    assert measured.sentences == expected


@MANY
@given(st.one_of(TEXT, ASCII_TEXT, ANY_TEXT))
def test_grade_matches_the_per_word_syllable_definition(text: str) -> None:
    assert _measured(text).grade == plain_grade(text)


@MANY
@given(st.lists(st.text(alphabet="aeiouybcdfghlmnprstxzEAL'-.é0KİS", max_size=8), max_size=6))
def test_syllable_total_of_a_whole_text_is_the_sum_over_its_words(tokens: list[str]) -> None:
    joined = " ".join(token for token in tokens if token)
    words = plain_words(joined)
    assert textutil._syllable_total(joined, len(words)) == sum(map(textutil.syllables, words))


@MANY
@given(st.one_of(TEXT, ANY_TEXT))
def test_letter_runs_match_the_regex(text: str) -> None:
    assert _measured(text).letter_runs == frozenset(re.findall(r"[^\W\d_]+", text.lower()))
    assert textutil.letter_runs(text) == _measured(text).letter_runs


def test_capital_shape_marks_each_latin1_character_by_its_class() -> None:
    caps = re.compile(r"[A-ZÀ-ÖØ-Þ]")
    for code in range(256):
        char = chr(code)
        mark = MeasuredText(char).capital_shape
        if caps.match(char):
            assert mark == b"A", char
        elif "0" <= char <= "9":
            assert mark == b"0", char
        elif re.match(r"\w", char):
            assert mark == b"a", char
        else:
            assert mark == b".", char
    assert MeasuredText("Ł€").capital_shape == b".."  # not Latin-1: no word character


@MANY
@given(st.one_of(TEXT, ANY_TEXT))
def test_has_figure_matches_the_plain_definition(text: str) -> None:
    expected = bool(plain_figures(text))
    assert _measured(text).has_figure is expected
    assert textutil.has_figure(text) is expected


def test_has_figure_on_crafted_texts() -> None:
    for text in crafted():
        assert textutil.has_figure(text) is bool(plain_figures(text)), text


@MANY
@given(st.from_regex(r"[\"(~$€]{0,2}[0-9]{1,6}[%x.,)’s]{0,2}", fullmatch=True))
def test_the_all_digit_figure_shortcut_agrees_with_the_patterns(token: str) -> None:
    assert textutil._is_figure(token) is plain_is_figure(token)


def test_figure_tokens_of_plain_digits_agree_with_the_patterns() -> None:
    for number in [*range(0, 3000), *range(9990, 10010), 19999, 20000, 100000]:
        for token in (str(number), str(number).zfill(4)):
            assert textutil._is_figure(token) is plain_is_figure(token), token


def test_regex_whitespace_is_str_split_whitespace() -> None:
    # MeasuredText.joined normalises whitespace before looking for dates;
    # the date pattern's \s must match exactly what str.split() splits on.
    space = re.compile(r"\s")
    assert all(bool(space.match(chr(c))) is chr(c).isspace() for c in range(sys.maxunicode + 1))


def test_no_month_date_is_longer_than_the_window_has_figure_looks_at() -> None:
    # In single-spaced text \s+ is one space and \s* at most one.
    pattern = textutil._MONTH_DATE.pattern.replace(r"\s+", " ").replace(r"\s*", " ?")
    assert re.compile(pattern)  # still a pattern
    assert re._parser.parse(pattern).getwidth()[1] <= textutil._LONGEST_DATE  # type: ignore[attr-defined]


def test_figures_and_dates_on_generated_prose(prose: list[str]) -> None:
    for text in prose:
        measured = MeasuredText(text)
        assert measured.has_figure is bool(plain_figures(text)), text
        assert measured.sentences == plain_sentences(text), text
        assert measured.sentence_word_counts == tuple(c for _, c in plain_sentences(text))
        assert measured.grade == plain_grade(text), text
        assert measured.word_count == len(plain_words(text)), text


# --- gates ----------------------------------------------------------------------


@MANY
@given(st.one_of(TEXT, ANY_TEXT))
def test_acronym_uses_from_the_capital_shape_are_the_full_scans(text: str) -> None:
    measured = MeasuredText(text)
    assert vocabulary.acronym_uses(text, measured.capital_shape) == vocabulary.acronym_uses(text)


def test_acronym_uses_on_crafted_texts() -> None:
    for text in ["EDP", "xEDP EDP", "DynamoDB", "_AB AB", "ÉAB AB", "łAB (AB)", "AB1s ABs", "A1 B"]:
        shape = MeasuredText(text).capital_shape
        assert vocabulary.acronym_uses(text, shape) == vocabulary.acronym_uses(text), text


@MANY
@given(term=st.from_regex(r"[A-Z][A-Z0-9]{1,4}", fullmatch=True), name=st.one_of(TEXT, ANY_TEXT))
@example(term="SS", name="straße GmbH")
@example(term="FI", name="ﬁnance")
def test_in_name_is_membership_of_name_terms(term: str, name: str) -> None:
    assert vocabulary.in_name(term, name) is (term in vocabulary.name_terms(name))


@MANY
@given(
    text=st.one_of(TEXT, ASCII_TEXT), customer=st.sampled_from(["Acme", "Acme Corp.", "A-1", "x"])
)
def test_a_customer_named_as_written_is_mentioned(text: str, customer: str) -> None:
    joined = " ".join(text.split())
    if text_content._named_as_written(joined, customer):
        names = text_content.customer_names(customer)
        assert any(text_content.mentions(joined, name) for name in names)


@MANY
@given(st.one_of(TEXT, ANY_TEXT))
def test_a_phrase_gate_never_turns_away_a_text_with_a_match(text: str) -> None:
    runs = MeasuredText(text).letter_runs
    for matcher in (text_wording._WEASEL, text_wording._WORDY, text_wording._HEDGE):
        matches = [(m.start(), m.group(0)) for m in matcher.pattern.finditer(text)]
        if not matcher.might_match(text, runs):
            assert matcher.finditer(text, runs) == []
            # lower() folds a few characters the regex does not (the shortcut's known limit)
            assert not matches or len(text.lower()) != len(text) or not text.isascii()


@MANY
@given(
    st.one_of(TEXT, ANY_TEXT, st.text(alphabet="tbcdfikmoTBCDFIKMOxX?[<#lorem ipsum", max_size=20))
)
@example("Saved TBD hours.")
@example("Go-live TBC.")
@example("todo: the figure")
@example("FIXME before sending")
@example("Cut costs by TKTK.")
@example("Lorem ipsum dolor.")
@example("Saved XX% for Acme.")
def test_the_placeholder_gate_never_turns_away_a_placeholder(text: str) -> None:
    if text_content._PLACEHOLDER.search(text):
        assert text_content._might_hold_placeholder(MeasuredText(text))


def test_only_x_and_capital_x_fold_to_x() -> None:
    # MBR110's gate looks for "xx" in text.lower() instead of /xx/i.
    x = re.compile("x", re.IGNORECASE)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert bool(x.fullmatch(char)) is (char in "xX")
        assert "x" not in char.lower() or char in "xX"


@MANY
@given(st.one_of(TEXT, ANY_TEXT))
def test_the_shouting_gates_never_turn_away_a_match(text: str) -> None:
    if text_wording._CAPS_WORD.search(text):
        assert b"AAAAA" in MeasuredText(text).capital_shape
    if text_wording._BANGS.search(text):
        assert "!!" in text


def test_bullets_are_not_ascii_and_line_breaks_not_printable() -> None:
    # MBR112 skips the bullet scan on ASCII text, MBR103/MBR112 the
    # line-break scan on printable text.
    bullets = text_shape._BULLET.pattern.strip("[]")
    assert bullets and not any(char.isascii() for char in bullets)
    for code in range(sys.maxunicode + 1):
        if text_shape._LINE_BREAK.match(chr(code)):
            assert not chr(code).isprintable()


@MANY
@given(text=st.one_of(TEXT, ASCII_TEXT), limit=st.floats(min_value=-20, max_value=40))
def test_the_grade_bound_never_hides_a_grade_over_the_limit(text: str, limit: float) -> None:
    grade = plain_grade(text)
    may_exceed = MeasuredText(text).grade_may_exceed(limit)
    if grade is not None and grade > limit:
        assert may_exceed
    if grade is None:
        assert not may_exceed


def test_the_grade_bound_around_the_grades_of_generated_prose(prose: list[str]) -> None:
    for text in prose[:300]:
        grade = plain_grade(text)
        if grade is None:
            continue
        assert MeasuredText(text).grade_may_exceed(grade - 1e-9)
        # An upper bound, but a close one: a silent ending adds 11.8 / words at most each.
        assert not MeasuredText(text).grade_may_exceed(grade + 11.8)


@MANY
@given(st.one_of(TEXT, ANY_TEXT))
def test_watched_runs_are_the_letter_runs_some_rule_watches(text: str) -> None:
    measured = MeasuredText(text)
    assert measured.watched_runs == measured.letter_runs & textutil._WATCHED
    assert MeasuredText(text).watched_runs == measured.watched_runs  # either order


def test_every_word_set_the_rules_test_against_watched_runs_is_watched() -> None:
    watched = textutil._WATCHED
    assert watched >= textutil._ABBREVIATION_WORDS
    assert watched >= text_wording._FIRST_PERSON_WORDS
    for matcher in (text_wording._WEASEL, text_wording._WORDY, text_wording._HEDGE):
        for phrases in matcher._by_key_word.values():
            assert all(words <= watched for _, words in phrases)


def test_a_word_watched_later_is_found_in_a_text_measured_before() -> None:
    measured = MeasuredText("Zyxwv wrote it.")
    assert "zyxwv" not in measured.watched_runs
    textutil.watch_words(["zyxwv"])
    try:
        assert "zyxwv" in measured.watched_runs
    finally:
        textutil._WATCHED.discard("zyxwv")


MOJIBAKE = st.lists(
    st.sampled_from(["Acme", "â€™", "Ã©", "Ã", "©", "é", "€", "’", "ð", "\u0081", "\ufffd", " "]),
    max_size=8,
).map("".join)


@MANY
@given(st.one_of(TEXT, ANY_TEXT, MOJIBAKE))
@example("Acmeâ€™s team")
@example("Caf\u00c3\u00a9")
def test_the_character_gate_never_turns_away_mojibake_or_an_invisible_character(
    text: str,
) -> None:
    from mbr.rules import characters

    if characters._MOJIBAKE.search(text) or characters._INVISIBLE.search(text):
        assert characters._could_hold_problems(text)


def test_only_one_reported_invisible_character_is_printable() -> None:
    from mbr.rules import characters

    printable = [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if characters._INVISIBLE.match(chr(code)) and chr(code).isprintable()
    ]
    assert printable == ["\ufffd"]


@MANY
@given(st.one_of(TEXT, ANY_TEXT))
@example("The root cause was a bad certificate.")
@example("It was caused by  Jeff's blockers.")
def test_custom_rules_find_the_same_with_the_texts_watched_runs(text: str) -> None:
    from mbr.config import Config, CustomRule, RuleSettings
    from mbr.rules.custom import compile_custom_rules

    rule = CustomRule(
        code="MBR201",
        name="root-cause",
        message="",
        require=("root cause", "caused by", "because"),
        forbid=("blockers", "a bad"),
    )
    (compiled,) = compile_custom_rules(Config(rules=RuleSettings(custom=(rule,))))
    assert compiled.check(text, MeasuredText(text).watched_runs) == compiled.check(text)
