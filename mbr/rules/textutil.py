"""Text measurements the rules share: words, sentences, syllables, phrase matching.

Definitions follow SPEC §3. A word is a whitespace-separated token holding a
letter or digit. A sentence ends at `.`, `!` or `?` (closing quotes and
parentheses may follow) when whitespace and a capital or digit come next, or
the text ends, except after a common abbreviation; a decimal never ends one
because no space follows its point.

Everything here runs on every entry of a 100,000-row log, so the patterns are
compiled once and each function is linear in the length of the text. The
per-text results are cached because several rules ask for the same words and
sentences of the same summary one after another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

# A letter or digit. Words come from str.split() filtered by this pattern:
# both run in C, several times faster than one regex over the whole text.
_ALNUM = re.compile(r"[^\W_]")

_CLOSERS = "\"'”’)]»"
_OPENERS = "\"'“‘([«"
_TERMINATORS = ".!?"
_END_CHARS = frozenset(_TERMINATORS + _CLOSERS)
# e.g, i.e, u.s, a.m: letters separated by dots (the final dot is the terminator).
_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]")

# Lower-cased, without the final dot. "etc." is deliberately absent: it
# usually ends a list, and when the text goes on in lower case the next-word
# test already keeps the sentence together.
ABBREVIATIONS = frozenset(
    str.split(
        """
    e.g i.e eg ie vs v cf al approx ca est inc corp ltd co bros mr mrs ms dr prof
    sr jr st no nos fig figs vol vols p pp ref dept govt intl avg
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri
    """
    )
)


@lru_cache(maxsize=256)
def words(text: str) -> tuple[str, ...]:
    """The words of a text: whitespace-separated tokens holding a letter or digit."""
    return tuple(filter(_ALNUM.search, text.split()))


def word_count(text: str) -> int:
    return len(words(text))


def _is_abbreviation(before: str) -> bool:
    core = before.lstrip(_OPENERS).lower()
    if not core:
        return False
    if core in ABBREVIATIONS or _DOTTED.fullmatch(core):
        return True
    # A single capital is an initial ("John F. Kennedy"); `core` is lower-cased.
    return len(core) == 1 and before[-1].isupper()


@lru_cache(maxsize=256)
def sentences_with_word_counts(text: str) -> tuple[tuple[str, int], ...]:
    """Each sentence holding at least one word, with its number of words.

    Sentences are returned with their whitespace normalised (single spaces).
    """
    tokens = text.split()
    bounds: list[int] = []
    for index in [i for i, token in enumerate(tokens) if token[-1] in _END_CHARS]:
        core = tokens[index].rstrip(_CLOSERS)
        if not core or core[-1] not in _TERMINATORS:
            continue
        if index + 1 < len(tokens):
            first = tokens[index + 1].lstrip(_OPENERS)[:1]
            if not (first.isupper() or first.isdigit()):
                continue
        before = core.rstrip(_TERMINATORS)
        if len(core) - len(before) == 1 and core[-1] == "." and _is_abbreviation(before):
            continue
        bounds.append(index + 1)
    found: list[tuple[str, int]] = []
    # Usually every token is a word, and a sentence's word count is its token
    # count; otherwise the tokens are tested one by one.
    all_words = len(words(text)) == len(tokens)
    start = 0
    for end in [*bounds, len(tokens)]:
        part = tokens[start:end]
        count = len(part) if all_words else sum(1 for _ in filter(_ALNUM.search, part))
        if count:
            found.append((" ".join(part), count))
        start = end
    return tuple(found)


def sentences(text: str) -> tuple[str, ...]:
    """The sentences of a text that hold at least one word, in order."""
    return tuple(sentence for sentence, _ in sentences_with_word_counts(text))


_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_NOT_LETTERS = re.compile(r"[^a-z]+")
# A final e, ed or es that adds no syllable: "make", "launched", "saves";
# "table", "agree", "wanted" and "boxes" keep theirs.
_SILENT_ENDING = re.compile(r"(?:(?<![^aeiouy]l)(?<![ey])e|(?<![td])ed|(?<![sxzcg])(?<![cs]h)es)$")


def syllables(word: str) -> int:
    """A syllable estimate for one word: vowel groups, less a silent final e/es/ed.

    Good enough for a readability grade, which is an estimate anyway; a word
    without letters (a number) counts as one.
    """
    letters = _NOT_LETTERS.sub("", word.lower())
    count = len(_VOWEL_GROUPS.findall(letters))
    if count > 1 and _SILENT_ENDING.search(letters):
        count -= 1
    return max(count, 1)


# word -> syllables(word). A plain dict looked up with map() costs less than
# an lru_cache call per word; it is emptied when it grows past the limit.
_SYLLABLE_COUNTS: dict[str, int] = {}
_SYLLABLE_COUNTS_LIMIT = 65536


def _syllable_total(all_words: tuple[str, ...]) -> int:
    try:
        return sum(map(_SYLLABLE_COUNTS.__getitem__, all_words))
    except KeyError:  # a word not seen yet
        if len(_SYLLABLE_COUNTS) > _SYLLABLE_COUNTS_LIMIT:
            _SYLLABLE_COUNTS.clear()
        for word in all_words:
            if word not in _SYLLABLE_COUNTS:
                _SYLLABLE_COUNTS[word] = syllables(word)
        return sum(map(_SYLLABLE_COUNTS.__getitem__, all_words))


def flesch_kincaid_grade(text: str) -> float | None:
    """The Flesch-Kincaid grade level of a text, or None when it has no words."""
    all_words = words(text)
    if not all_words:
        return None
    sentence_total = max(len(sentences_with_word_counts(text)), 1)
    syllable_total = _syllable_total(all_words)
    return 0.39 * len(all_words) / sentence_total + 11.8 * syllable_total / len(all_words) - 15.59


def phrase_pattern(phrases: Iterable[str], *, ignore_case: bool = True) -> re.Pattern[str]:
    """One pattern matching any of the phrases as whole words.

    Spaces in a phrase match any run of whitespace. The edges are lookarounds
    rather than \\b so phrases that start or end with punctuation still work.
    Longer phrases come first so "a number of" wins over a shorter overlap.
    """
    alternatives = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(part) for part in p.split()) for p in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE if ignore_case else 0)


_LETTER_RUN = re.compile(r"[^\W\d_]+")


# Every byte but a-z becomes a space: in ASCII text, after lower(), the letter
# runs are then the whitespace-separated tokens (translate and split run in C).
_ASCII_NON_LETTERS_TO_SPACE = bytes(c if 0x61 <= c <= 0x7A else 0x20 for c in range(256))


@lru_cache(maxsize=256)
def letter_runs(text: str) -> frozenset[str]:
    """The lower-cased runs of letters in a text: a cheap index of the words it holds."""
    lowered = text.lower()
    if lowered.isascii():
        ascii_only = lowered.encode("ascii").translate(_ASCII_NON_LETTERS_TO_SPACE)
        return frozenset(ascii_only.decode("ascii").split())
    return frozenset(_LETTER_RUN.findall(lowered))


class PhraseMatcher:
    """Whole-word, case-insensitive matching of a phrase list, with a fast path.

    A regex alternation is tried at every position of the text, which is slow
    for long lists. A phrase can only match where its first word occurs, and
    only in a text that holds all its words; most texts hold none of the
    phrases, which a set intersection against the text's letter runs shows.
    The regex then runs only where a match can start, so the matches are the
    regex's own (Unicode case folds that lower() does not make aside).
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        phrases = [p.strip() for p in phrases if p.strip()]
        self.pattern = phrase_pattern(phrases)
        # Phrases that start with a non-letter ("#tag", "???") get no shortcut.
        self._always = any(not p[0].isalpha() for p in phrases)
        # A phrase can only match if all its words occur in the text; its
        # longest word is the one least likely to, so phrases are indexed by it.
        self._by_key_word: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for phrase in phrases:
            if phrase[0].isalpha():
                runs = _LETTER_RUN.findall(phrase.lower())
                key = max(runs, key=len)
                self._by_key_word.setdefault(key, []).append((runs[0], frozenset(runs)))
        self._key_words = frozenset(self._by_key_word)

    def _first_words(self, text: str) -> set[str]:
        """First words of the phrases whose every word occurs in the text."""
        runs = letter_runs(text)
        return {
            first
            for key in self._key_words & runs
            for first, all_words in self._by_key_word[key]
            if all_words <= runs
        }

    def might_match(self, text: str) -> bool:
        return self._always or bool(self._first_words(text))

    def finditer(self, text: str) -> list[re.Match[str]]:
        """The same matches as pattern.finditer(text), found faster.

        A match can only start where one of the phrases' first words occurs,
        so the pattern is only tried at those places (str.find is fast).
        """
        if self._always:
            return list(self.pattern.finditer(text))
        present = self._first_words(text)
        if not present:
            return []
        lowered = text.lower()
        if len(lowered) != len(text):  # lower() changed offsets (rare): no shortcut
            return list(self.pattern.finditer(text))
        starts: list[int] = []
        for word in present:
            at = lowered.find(word)
            while at != -1:
                starts.append(at)
                at = lowered.find(word, at + 1)
        matches: list[re.Match[str]] = []
        end = 0
        for start in sorted(starts):
            if start < end:
                continue  # inside the previous match, as finditer would skip it
            match = self.pattern.match(text, start)
            if match is not None:
                matches.append(match)
                end = match.end()
        return matches

    def search(self, text: str) -> re.Match[str] | None:
        found = self.finditer(text)
        return found[0] if found else None


def quote(text: str, limit: int = 40) -> str:
    """A short excerpt in double quotes for a message."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f'"{text}"'


def times(count: int) -> str:
    """ " (3 times)" for repeated findings, "" for one."""
    return f" ({count} times)" if count > 1 else ""


def first_occurrences(matches: Iterable[re.Match[str]]) -> dict[str, tuple[str, int]]:
    """Matches grouped case-insensitively: key -> (first text as written, count)."""
    found: dict[str, tuple[str, int]] = {}
    for match in matches:
        key = " ".join(match.group(0).lower().split())
        written, count = found.get(key, (match.group(0), 0))
        found[key] = (written, count + 1)
    return found


# --- figures (MBR106) -------------------------------------------------------

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# Dates written with a month name: "Nov 5", "November 5th, 2024", "5-7 Nov",
# "the 5th of November". Month names are matched capitalised only, so the
# verb "may" never turns a figure into a date.
_MONTH_DATE = re.compile(
    rf"(?<![\w.,]){_MONTH}\s+{_DAY}(?:\s*[-–]\s*{_DAY})?(?:,?\s+\d{{4}})?(?![\w%])"
    rf"|(?<![\w.,]){_DAY}(?:\s*[-–]\s*{_DAY})?\s+(?:of\s+)?{_MONTH}(?!\w)"
)
_MONTH_WORDS = frozenset(
    str.split(
        "jan january feb february mar march apr april may jun june jul july aug august "
        "sep sept september oct october nov november dec december"
    )
)
_HAS_DIGIT = re.compile(r"\d")
_LEADING = re.compile(r"^[\"“‘(\[{~≈<>≥≤±+\-−–]*(?:(?:US|AU|CA|NZ|HK|S|A|C)?[$€£¥₹])?")
_TRAILING = re.compile(r"(?:['’]s)?[\"”’'.,;:!?)\]}…]*$")
_YEARISH = r"(?:19|20)\d{2}"
# Digit-led tokens that name a time rather than measure something.
_NOT_A_FIGURE = re.compile(
    rf"{_YEARISH}s?"  # 2024, 1990s
    rf"|{_YEARISH}[-–/](?:{_YEARISH}|\d{{2}}|[QH][1-4])"  # 2023-24, 2023–2024, 2024-Q3
    rf"|{_YEARISH}[-/.]\d{{1,2}}(?:[-/.]\d{{1,2}})?(?:T[\d:]+Z?)?"  # 2024-11, 2024-11-05
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"  # 05/11/2024, 5.11.24
    r"|[1-4][QH](?:\d{2}|\d{4})?"  # 3Q24, 1H
    r"|\d{1,2}:\d{2}(?::\d{2})?(?:[ap]\.?m\.?)?"  # 10:30, 9:00am
    r"|\d{1,2}(?:[ap]\.?m\.?)"  # 9am
    r"|['’]\d{2}s?",  # '24, '90s
    re.IGNORECASE,
)
_DAY_MONTH = re.compile(r"(\d{1,2})/(\d{1,2})")


def _is_figure(token: str) -> bool:
    core = _TRAILING.sub("", _LEADING.sub("", token, count=1), count=1)
    if not core or not (core[0].isdigit() or core[0] in "'’"):
        # Digits inside a name (EC2, Q3, FY24, H1, v2, #42) are not figures.
        return False
    if _NOT_A_FIGURE.fullmatch(core):
        return False
    day_month = _DAY_MONTH.fullmatch(core)
    if day_month is not None:
        first, second = int(day_month.group(1)), int(day_month.group(2))
        # 11/5 or 24/7 read as dates; 3/40 is a fraction.
        if 1 <= min(first, second) <= 12 and max(first, second) <= 31:
            return False
    return True


# Where a _MONTH_DATE match can start: a capital that begins a month name, or
# a digit, with no word character, dot or comma before it (the pattern's own
# lookbehind, checked after the character so the scan can skip ahead fast).
_DATE_START = re.compile(r"[JFMASOND\d](?<![\w.,].)")


def _month_dates(text: str) -> Iterator[re.Match[str]]:
    """The matches of _MONTH_DATE.finditer(text), found faster.

    The pattern opens with a lookbehind, so the regex engine tries it at
    every position; here it is only tried where a match can start.
    """
    if _MONTH_WORDS.isdisjoint(letter_runs(text)):
        return
    end = 0
    for candidate in _DATE_START.finditer(text):
        start = candidate.start()
        if start >= end:
            match = _MONTH_DATE.match(text, start)
            if match is not None:
                yield match
                end = match.end()


def _digit_tokens(text: str) -> list[str]:
    if not _HAS_DIGIT.search(text):
        return []
    pieces: list[str] = []
    end = 0
    for date in _month_dates(text):  # blanked, as _MONTH_DATE.sub(" ", text) does
        pieces += (text[end : date.start()], " ")
        end = date.end()
    if pieces:
        text = "".join(pieces) + text[end:]
    return list(filter(_HAS_DIGIT.search, text.split()))


def figures(text: str) -> list[str]:
    """The quantitative figures written with digits in a text (40, 3.5x, 99.9%, $2M).

    Years, dates, quarters, halves, fiscal years and times of day alone are not
    figures, nor are digits inside names (EC2, S3).
    """
    return [token for token in _digit_tokens(text) if _is_figure(token)]


# A whitespace-separated token holding a digit, with its place in the text.
_DIGIT_TOKEN = re.compile(r"\S*\d\S*")


def has_figure(text: str) -> bool:
    """Whether figures(text) is not empty, usually without removing every date.

    Blanking month-name dates (as _digit_tokens does) changes only the tokens
    a date overlaps or touches; any other token of the text is a token of the
    blanked text as well. So a figure token clear of every date answers
    True, and the dates are only searched as far as that token. When no such
    token is found the full, exact test runs.
    """
    if not _HAS_DIGIT.search(text):
        return False
    if _MONTH_WORDS.isdisjoint(letter_runs(text)):
        return any(_is_figure(token) for token in text.split() if _HAS_DIGIT.search(token))
    dates = _month_dates(text)
    date = next(dates, None)
    for token in _DIGIT_TOKEN.finditer(text):
        start, end = token.span()
        while date is not None and date.end() < start:
            date = next(dates, None)
        if (date is None or date.start() > end) and _is_figure(token.group()):
            return True
    return any(_is_figure(token) for token in _digit_tokens(text))
