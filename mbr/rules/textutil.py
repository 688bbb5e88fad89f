"""Text measurements the rules share: words, sentences, syllables, phrase matching.

Definitions follow SPEC §3. A word is a whitespace-separated token holding a
letter or digit. A sentence ends at `.`, `!` or `?` (closing quotes and
parentheses may follow) when whitespace and a capital or digit come next, or
the text ends, except after a common abbreviation; a decimal never ends one
because no space follows its point.

Everything here runs on every entry of a 100,000-row log, about twenty rules
per entry, so the patterns are compiled once and each function is linear in
the length of the text. A rule gets its text as a MeasuredText: each
measurement (tokens, words, sentences, letter runs, ...) is computed the
first time a rule asks for it and shared with the rules after it. The
module-level functions (words, sentences, letter_runs, has_figure, ...) give
the same results for a plain string.

Python's regex engine tries a pattern at every character, which costs more
than the rest of a rule; so where a pattern rarely matches, C string and
bytes methods (str.split, str.find, bytes.translate) answer the common case
and the pattern runs only where it can match. Each such shortcut is checked
against the plain definition in tests/test_rules_perf_equivalence.py and
tests/test_rules_speed_*.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any, Protocol, TypeVar, cast, overload

# A letter or digit. Words come from str.split() filtered by this pattern:
# both run in C, several times faster than one regex over the whole text.
_ALNUM = re.compile(r"[^\W_]")

_CLOSERS = "\"'”’)]»"
_OPENERS = "\"'“‘([«"
_TERMINATORS = ".!?"
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

# --- watched words -----------------------------------------------------------
# The words some rule looks for among a text's letter runs (MeasuredText.
# watched_runs): phrase words, month names, abbreviations, placeholders.
_WATCHED: set[str] = set()


def watch_words(words: Iterable[str]) -> frozenset[str]:
    """Register lower-case words a rule looks for among letter runs; returns them.

    A text's watched_runs then holds each of them that the text holds as a
    run of letters, which is all a test such as `words.isdisjoint(runs)` or
    `words <= runs` needs to know of its letter runs.
    """
    found = frozenset(words)
    _WATCHED.update(found)
    return found


# --- byte tables ------------------------------------------------------------
# ASCII letters and digits are exactly what _ALNUM matches below 128, and
# ASCII whitespace exactly what str.split() splits on there.
_ASCII_ALNUM = frozenset(c for c in range(128) if chr(c).isalnum())
_ASCII_SPACE = frozenset(c for c in range(128) if chr(c).isspace())
# Letters and digits become b"a", whitespace b" ", and every other byte is
# deleted (the second argument of bytes.translate), so each token holding a
# letter or digit becomes one run of b"a" (see _ascii_word_count).
_WORD_SHAPE = bytes(0x61 if c in _ASCII_ALNUM else 0x20 for c in range(256))
_NEITHER_WORD_NOR_SPACE = bytes(
    c for c in range(256) if c not in _ASCII_ALNUM and c not in _ASCII_SPACE
)
# Deleting these leaves only the ASCII control characters.
_PRINTABLE_ASCII = bytes(c for c in range(128) if chr(c).isprintable())
# Every byte but a-z becomes a space (A-Z becomes a-z): in ASCII text the
# letter runs, lower-cased, are then the whitespace-separated tokens.
_LOWER_LETTERS_ELSE_SPACE = bytes(
    c | 0x20 if chr(c).isascii() and chr(c).isalpha() else 0x20 for c in range(256)
)


# Latin-1 bytes (one per character): the capitals of MBR116's _CAPS_WORD
# (A-Z, À-Ö, Ø-Þ) become b"A", ASCII digits b"0", other word characters
# (letters, digits, "_") b"a", and the rest b".".
def _capital_mark(char: str) -> int:
    if "A" <= char <= "Z" or ("À" <= char <= "Þ" and char != "×"):
        return ord("A")
    if "0" <= char <= "9":
        return ord("0")
    return ord("a") if char.isalnum() or char == "_" else ord(".")


_CAPITAL_SHAPE = bytes(_capital_mark(chr(c)) for c in range(256))


def _ascii_word_count(text: str) -> int:
    """How many tokens of the text hold an ASCII letter or digit.

    For ASCII text that is the word count. Other characters become "?" and
    are deleted, so a token holding only non-ASCII letters is not counted and
    non-ASCII whitespace no longer separates tokens: the count is then at
    most the word count, and equal to the number of tokens only when every
    token is a word.
    """
    shape = text.encode("ascii", "replace").translate(_WORD_SHAPE, _NEITHER_WORD_NOR_SPACE)
    return shape.count(b" a") + shape.startswith(b"a")


_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)


class _Measured(Protocol[_T_co]):
    """How mypy sees a measurement: an attribute of the type its function returns."""

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> _Measured[_T_co]: ...

    @overload
    def __get__(self, instance: MeasuredText, owner: type[Any] | None = None) -> _T_co: ...


class _Measurements:
    """Makes each measurement of MeasuredText, as a decorator: an attribute
    computed the first time it is read and kept.

    functools.cached_property would keep it in the instance's __dict__,
    which a class with __slots__ lacks. A MeasuredText is made for every
    field of every entry and its measurements are read by every rule, so
    making one and reading them must both be cheap: the values are kept in
    one list per text, filled in one step when the text is made (the n-th
    measurement declared at index n), and each measurement is a plain
    property over its place in the list.
    """

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, compute: Callable[[MeasuredText], _T]) -> _Measured[_T]:
        index = self.index[compute.__name__] = len(self.index)

        def measure(text: MeasuredText) -> _T:
            values = text._values
            value: _T = values[index]
            if value is _NOT_YET:
                value = values[index] = compute(text)
            return value

        measure.__doc__ = compute.__doc__
        return cast("_Measured[_T]", property(measure))

    def blank(self) -> list[Any]:
        """A text's list of values before any measurement is taken."""
        return [_NOT_YET] * len(self.index)


_NOT_YET: Any = object()  # in a measurement's place until it is taken (None is a value)
_measurement = _Measurements()


class MeasuredText:
    """A text and the measurements the rules take of it, each computed at most once.

    Every measurement is computed the first time it is read. The lists and
    tuples returned are shared: read them, do not change them.
    """

    __slots__ = ("_values", "_watched_runs", "_watched_size", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._values = _BLANK.copy()  # one per measurement (see _Measurements)
        self._watched_size = -1  # how many words were watched when watched_runs was taken

    def _taken(self, measurement: str) -> bool:
        return self._values[_measurement.index[measurement]] is not _NOT_YET

    @_measurement
    def tokens(self) -> list[str]:
        """The whitespace-separated tokens (text.split())."""
        return self.text.split()

    @_measurement
    def joined(self) -> str:
        """The tokens joined by single spaces: the text with its whitespace normalised."""
        text = self.text
        if self.plain and "  " not in text and text[:1] != " " and text[-1:] != " ":
            # Most texts: a space is the only whitespace printable ASCII
            # has, and here each one separates two tokens already.
            return text
        return " ".join(self.tokens)

    def _token_count(self) -> int:
        joined = self.joined  # without splitting the text: its spaces plus one
        return joined.count(" ") + 1 if joined else 0

    @_measurement
    def _ascii_words(self) -> int:
        """How many tokens hold an ASCII letter or digit: for ASCII text, the word count."""
        return _ascii_word_count(self.text)

    @_measurement
    def words(self) -> tuple[str, ...]:
        """The words: tokens holding a letter or digit."""
        tokens = self.tokens
        if self._ascii_words == len(tokens):  # every token is a word
            return tuple(tokens)
        return tuple(filter(_ALNUM.search, tokens))

    @_measurement
    def word_count(self) -> int:
        if self.text.isascii():
            return self._ascii_words  # without splitting the text
        return len(self.words)

    def _all_words(self) -> bool:
        return self.word_count == self._token_count()

    @_measurement
    def sentence_word_counts(self) -> tuple[int, ...]:
        """The number of words of each sentence (that holds one), in order."""
        counts = None
        if self._all_words():
            counts = _sentence_word_counts(self.joined, self.watched_runs, self.lowered)
        if counts is None:
            counts = tuple(count for _, count in self.sentences)
        return counts

    @_measurement
    def sentences(self) -> tuple[tuple[str, int], ...]:
        """Each sentence holding a word, whitespace normalised, with its number of words."""
        joined = self.joined
        found: list[tuple[str, int]] = []
        all_words = self._all_words()
        for start, end in _sentence_spans(joined):
            sentence = joined[start:end]
            # When every token is a word, a sentence's words are its spaces plus one.
            count = sentence.count(" ") + 1 if all_words else len(words(sentence))
            if count:  # a sentence without words is no sentence
                found.append((sentence, count))
        return tuple(found)

    @_measurement
    def grade(self) -> float | None:
        """The Flesch-Kincaid grade level, or None when the text has no words."""
        words = self.word_count
        if not words:
            return None
        upper, classes = self._syllables
        syllables = upper - _silent_endings(classes)
        return _flesch_kincaid(words, len(self.sentence_word_counts), syllables)

    def grade_may_exceed(self, limit: float) -> bool:
        """False when the grade is surely at most `limit`, found without the
        silent-ending scan: counting every silent ending as a syllable can
        only raise the grade (each step of the formula keeps the order of
        its inputs, in floating point too)."""
        if self._taken("grade") or not self.word_count:
            return self.grade is not None and self.grade > limit
        upper, _ = self._syllables
        return _flesch_kincaid(self.word_count, len(self.sentence_word_counts), upper) > limit

    @_measurement
    def _syllables(self) -> tuple[int, bytes]:
        """The syllables of the words, counting silent endings, and each
        word's letter classes (see _syllables_but_silent)."""
        return _syllables_but_silent(self.joined, self.word_count)

    @_measurement
    def letter_runs(self) -> frozenset[str]:
        """The lower-cased runs of letters: a cheap index of the words the text holds."""
        return _letter_runs(self.text)

    @property
    def watched_runs(self) -> frozenset[str]:
        """letter_runs & the watched words (watch_words), built without hashing
        every run into a set: what the rules' word tests need."""
        # Not a _Measurement: a word watched later makes it look again.
        if self._watched_size != len(_WATCHED):
            if self._taken("letter_runs"):
                runs: Iterable[str] = self.letter_runs
            else:
                runs = _letter_run_list(self.text)
            self._watched_runs = frozenset(_WATCHED.intersection(runs))
            self._watched_size = len(_WATCHED)
        return self._watched_runs

    @_measurement
    def lowered(self) -> str:
        """text.lower()"""
        return self.text.lower()

    @_measurement
    def printable(self) -> bool:
        """text.isprintable(): no line break, control or other invisible character."""
        if self.text.isascii():
            return not self.text.encode("ascii").translate(None, _PRINTABLE_ASCII)
        return self.text.isprintable()

    @property
    def plain(self) -> bool:
        """Whether the text is printable ASCII, which rules out most character problems."""
        return self.text.isascii() and self.printable

    @_measurement
    def capital_shape(self) -> bytes:
        """One byte per character: b"A" for a capital letter (ASCII or Latin-1 À-Þ
        but ×), b"0" for an ASCII digit, b"a" for another word character and
        b"." for anything else (a character Latin-1 lacks is b".").

        b"AAAAA" in it finds five capitals in a row, b".AA" two after a
        non-word character, with C-speed substring search instead of a regex
        tried at every character.
        """
        raw = self.text.encode("latin-1", "replace")  # one byte per character
        return raw.translate(_CAPITAL_SHAPE)

    @_measurement
    def has_figure(self) -> bool:
        """Whether the text holds a quantitative figure written with digits (see figures)."""
        joined = self.joined
        # The capital shape marks the digits of ASCII text, if it is `joined`.
        shape = self.capital_shape if joined is self.text and joined.isascii() else None
        return _has_figure(joined, shape)


_BLANK = _measurement.blank()


def words(text: str) -> tuple[str, ...]:
    """The words of a text: whitespace-separated tokens holding a letter or digit."""
    return MeasuredText(text).words


def word_count(text: str) -> int:
    return MeasuredText(text).word_count


def _is_abbreviation(before: str) -> bool:
    core = before.lstrip(_OPENERS).lower()
    if not core:
        return False
    if core in ABBREVIATIONS or ("." in core and _DOTTED.fullmatch(core)):
        return True
    # A single capital is an initial ("John F. Kennedy"); `core` is lower-cased.
    return len(core) == 1 and before[-1].isupper()


# A token that may end a sentence ends with a terminator, then closers.
_END_CHARS = _TERMINATORS + _CLOSERS


def _sentence_mark(char: str) -> int:
    """What a sentence boundary needs to know of a character (Latin-1)."""
    marks = {".": "T", "!": "E", "?": "E", " ": " "}
    if char in marks:
        return ord(marks[char])
    if char in _CLOSERS and char in _OPENERS:
        return ord("Q")  # a quote: closes one token, opens another
    if char in _CLOSERS:
        return ord("C")
    if char in _OPENERS:
        return ord("O")
    if char.isupper():
        return ord("A")
    return ord("D") if char.isdigit() else ord("x")


_SENTENCE_MARKS = bytes(_sentence_mark(chr(c)) for c in range(256))
# In the marks of the tokens joined by single spaces: a terminator, closers,
# the space, openers and a capital (A) or digit (D), i.e. a token that ends a
# sentence unless it is an abbreviation. A period after seven characters
# that hold no space, opener or period (group 1 is then empty, not None)
# ends a word too long to be an abbreviation.
# (Each pattern opens with a literal or a class, which the regex engine
# scans for fast; an alternation or lookbehind first would be tried at every
# character. Most texts hold no "!" or "?".)
_PERIOD_BOUNDARY = re.compile(rb"T(?:(?<=[xADCE]{7}T)()|)[CQ]* (?=[OQ]*[AD])")
_BOUNDARY = re.compile(rb"[TE](?:(?<=[xADCE]{7}T)()|)[CQ]* (?=[OQ]*[AD])")


def _sentence_spans(joined: str) -> list[tuple[int, int]]:
    """Where each sentence starts and ends in `joined`, the text's tokens
    joined by single spaces.

    The text's characters are marked (one translate) and the boundaries
    found in the marks by one regex, which Python's regex engine runs fast
    on a pattern that opens with a literal; only a boundary after a word
    that could be an abbreviation is looked at in the text. A text with a
    character Latin-1 lacks goes the long way (_sentence_ends_by_tokens).
    """
    raw = _one_byte_a_character(joined)
    if raw is None:
        return _spans_ending_at(_sentence_ends_by_tokens(joined), joined)
    return _spans_ending_at(_sentence_ends(joined, raw), joined)


def _one_byte_a_character(text: str) -> bytes | None:
    """The text as ASCII or Latin-1 bytes (same positions), or None when it
    holds a character Latin-1 lacks."""
    if text.isascii():
        return text.encode("ascii")
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _sentence_ends(joined: str, raw: bytes) -> Iterator[int]:
    """The position of the space after each sentence's last token, by the marks."""
    marks = raw.translate(_SENTENCE_MARKS)
    pattern = _BOUNDARY if b"E" in marks else _PERIOD_BOUNDARY
    for boundary in pattern.finditer(marks):
        end = boundary.end() - 1  # the space after the token
        if boundary.group(1) is None:
            core = joined[joined.rfind(" ", 0, end) + 1 : end].rstrip(_CLOSERS)
            if _ends_in_abbreviation(core):
                continue
        yield end


def _spans_ending_at(ends: Iterable[int], joined: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, given where all but the last one end."""
    spans: list[tuple[int, int]] = []
    start = 0
    for end in ends:
        spans.append((start, end))
        start = end + 1
    if start < len(joined):
        spans.append((start, len(joined)))
    return spans


def _ends_in_abbreviation(core: str) -> bool:
    """Whether a token (closers stripped) is a known abbreviation and a single
    '.', which ends no sentence ("vs.", "e.g.")."""
    before = core.rstrip(_TERMINATORS)
    return len(core) - len(before) == 1 and core[-1] == "." and _is_abbreviation(before)


def _sentence_ends_by_tokens(joined: str) -> Iterator[int]:
    """_sentence_ends for any text, token by token."""
    tokens = joined.split(" ")
    end = -1
    for index, token in enumerate(tokens[:-1]):
        end += len(token) + 1  # the space after the token
        if not token or token[-1] not in _END_CHARS:
            continue
        first = tokens[index + 1].lstrip(_OPENERS)[:1]
        if not (first.isupper() or first.isdigit()):
            continue
        core = token.rstrip(_CLOSERS)
        if not core or core[-1] not in _TERMINATORS:
            continue
        if _ends_in_abbreviation(core):
            continue
        yield end


# A boundary in the marks as _PERIOD_BOUNDARY finds it, to split at.
_PERIOD_BOUNDARY_SPLIT = re.compile(rb"T[CQ]* (?=[OQ]*[AD])")
# Abbreviations written as one run of letters ("vs", "inc", "no", "dr"); the
# dotted ones ("e.g") are found by their shape.
_ABBREVIATION_WORDS = watch_words(a for a in ABBREVIATIONS if a.isalpha())


def _sentence_word_counts(
    joined: str, runs: frozenset[str], lowered: str
) -> tuple[int, ...] | None:
    """The sentences' word counts of a text whose every token is a word, or
    None when this shortcut does not apply.

    Where no token can be an abbreviation, every boundary _PERIOD_BOUNDARY
    finds ends a sentence, and splitting the marks there leaves each
    sentence without its final period and closers: its words are its spaces
    plus one. An abbreviation before a period is one of _ABBREVIATION_WORDS,
    a run of letters (`runs`) that the lower-cased text (`lowered`) then
    holds with a period after it; a dotted one ("e.g.") puts a single
    letter or digit between two periods; a single capital stands after a
    space or opener, or first, with a period after it.
    """
    if not joined:
        return ()
    raw = _one_byte_a_character(joined)
    if raw is None:
        return None
    marks = raw.translate(_SENTENCE_MARKS)
    if (
        b"E" in marks
        or any(word + "." in lowered for word in _ABBREVIATION_WORDS & runs)
        or b"TxT" in marks
        or b"TAT" in marks
        or b" AT" in marks
        or b"OAT" in marks
        or b"QAT" in marks
        or marks.startswith(b"AT")
    ):
        return None
    return tuple(piece.count(b" ") + 1 for piece in _PERIOD_BOUNDARY_SPLIT.split(marks))


def sentences_with_word_counts(text: str) -> tuple[tuple[str, int], ...]:
    """Each sentence holding at least one word, with its number of words.

    Sentences are returned with their whitespace normalised (single spaces).
    """
    return MeasuredText(text).sentences


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


# The syllables of a whole text at once (_syllable_total). Its ASCII letters,
# lower-cased, become the classes the silent-ending test tells apart: "e",
# "y", "a" (a, i, o, u), the consonants "l", "d", "t", "s", "c", "h", "x"
# (x, z, g) and "b" (the others). A space stays; every other byte is deleted.
def _syllable_class(letter: str) -> int:
    for members, cls in (("e", "e"), ("y", "y"), ("aiou", "a"), ("xzg", "x")):
        if letter in members:
            return ord(cls)
    return ord(letter) if letter in "ldtsch" else ord("b")


_SYLLABLE_CLASSES = bytes(
    _syllable_class(chr(c).lower()) if chr(c).isascii() and chr(c).isalpha() else c
    for c in range(256)
)
_NOT_LETTER_OR_SPACE = bytes(
    c for c in range(256) if not (chr(c).isascii() and chr(c).isalpha()) and c != 0x20
)
# Vowel classes become b"v"; consonant classes and the space b"c" (a vowel
# group starts at each b"cv").
_VOWEL_GROUP_STARTS = bytes(
    0x76 if chr(c) in "eya" else 0x63 if chr(c) in "ldtschxb " else c for c in range(256)
)
# Vowel classes become b"v", consonant classes are deleted and a space stays
# (a word with a vowel group starts at each b" v").
_VOWELS_ONLY = bytes(0x76 if chr(c) in "eya" else c for c in range(256))
_CONSONANT_CLASSES = b"ldtschxb"
# In the classes read backwards, a space then the reversed end of a word:
# _SILENT_ENDING ("e" not after e, y or a consonant + "l"; "ed" not after t
# or d; "es" not after s, x, z, c, g, "ch" or "sh"), then the rest of its
# vowel group, consonants and another vowel: a silent ending of a word with
# two vowel groups or more. (A word whose reversed "e", "l" meets the space
# is "le", of one group, so the lookahead's [^eya] seeing a space is moot.)
_SILENT_ENDING_BACKWARDS = re.compile(
    rb" (?:e(?![ey])(?!l[^eya])|de(?![td])|se(?![sxc])(?!h[cs]))[eya]*[^eya ]+[eya]"
)


def _syllables_but_silent(joined: str, word_count: int) -> tuple[int, bytes]:
    """The syllables of a text's words with every silent ending counted (at
    least their sum), and the letter classes its silent endings are found in.

    `joined` is the text with single spaces between its tokens, and
    word_count the number of its words. A word's letters are its a-z after
    lower(), so the text's letters, with a space between tokens, hold every
    word's letters. A word has max(G - S, 1) syllables, where G counts its
    vowel groups and S is 1 when G > 1 and it ends silently. That sums to:
    every vowel group, plus one for each word without a vowel group, less
    the silent endings of words with two groups or more (_silent_endings).
    """
    # lower() may turn a non-ASCII character into a-z (K, the Kelvin sign).
    raw = joined.encode("ascii") if joined.isascii() else joined.lower().encode("ascii", "ignore")
    classes = b" " + raw.translate(_SYLLABLE_CLASSES, _NOT_LETTER_OR_SPACE) + b" "
    groups = classes.translate(_VOWEL_GROUP_STARTS).count(b"cv")
    words_with_a_group = classes.translate(_VOWELS_ONLY, _CONSONANT_CLASSES).count(b" v")
    return groups + word_count - words_with_a_group, classes


def _silent_endings(classes: bytes) -> int:
    """How many words of two vowel groups or more end silently."""
    return len(_SILENT_ENDING_BACKWARDS.findall(classes[::-1]))


def _syllable_total(joined: str, word_count: int) -> int:
    """The sum of syllables(word) over the words of a text, without a per-word loop."""
    upper, classes = _syllables_but_silent(joined, word_count)
    return upper - _silent_endings(classes)


def _flesch_kincaid(word_count: int, sentence_count: int, syllable_total: int) -> float:
    sentence_total = max(sentence_count, 1)
    return 0.39 * word_count / sentence_total + 11.8 * syllable_total / word_count - 15.59


def flesch_kincaid_grade(text: str) -> float | None:
    """The Flesch-Kincaid grade level of a text, or None when it has no words."""
    return MeasuredText(text).grade


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


def _letter_run_list(text: str) -> list[str]:
    """The lower-cased runs of letters of a text, in order, repeats kept."""
    if text.isascii():  # lower() is then A-Z -> a-z, done by the same translate
        ascii_only = text.encode("ascii").translate(_LOWER_LETTERS_ELSE_SPACE)
        return ascii_only.decode("ascii").split()
    lowered = text.lower()
    if lowered.isascii():
        ascii_only = lowered.encode("ascii").translate(_ASCII_NON_LETTERS_TO_SPACE)
        return ascii_only.decode("ascii").split()
    return _LETTER_RUN.findall(lowered)


def _letter_runs(text: str) -> frozenset[str]:
    return frozenset(_letter_run_list(text))


@lru_cache(maxsize=256)
def letter_runs(text: str) -> frozenset[str]:
    """The lower-cased runs of letters in a text: a cheap index of the words it holds."""
    return _letter_runs(text)


class PhraseMatcher:
    """Whole-word, case-insensitive matching of a phrase list, with a fast path.

    A regex alternation is tried at every position of the text, which is slow
    for long lists. A phrase can only match where its first word occurs, and
    only in a text that holds all its words; most texts hold none of the
    phrases, which a set test against the text's letter runs shows. The
    regex then runs only where a match can start, so the matches are the
    regex's own (Unicode case folds that lower() does not make aside).

    The methods take the text's letter runs when the caller has them (a
    MeasuredText's letter_runs, or its watched_runs: the phrases' words are
    watched), and compute them otherwise.
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
                self._by_key_word.setdefault(key, []).append((runs[0], watch_words(runs)))
        self._key_words = frozenset(self._by_key_word)

    def _first_words(self, runs: frozenset[str]) -> set[str]:
        """First words of the phrases whose every word occurs in the text."""
        if self._key_words.isdisjoint(runs):  # most texts: one C-level set test
            return set()
        return {
            first
            for key in self._key_words & runs
            for first, all_words in self._by_key_word[key]
            if all_words <= runs
        }

    def might_match(self, text: str, runs: frozenset[str] | None = None) -> bool:
        """False when no phrase can occur in the text: a cheap test to run first."""
        if self._always:
            return True
        if runs is None:
            runs = letter_runs(text)
        return not self._key_words.isdisjoint(runs) and bool(self._first_words(runs))

    def finditer(self, text: str, runs: frozenset[str] | None = None) -> list[re.Match[str]]:
        """The same matches as pattern.finditer(text), found faster.

        A match can only start where one of the phrases' first words occurs,
        so the pattern is only tried at those places (str.find is fast).
        """
        if self._always:
            return list(self.pattern.finditer(text))
        present = self._first_words(letter_runs(text) if runs is None else runs)
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

    def search(self, text: str, runs: frozenset[str] | None = None) -> re.Match[str] | None:
        found = self.finditer(text, runs)
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
    if token.isdigit() and token.isascii():
        # Nothing to strip, and of the non-figures below only a year is all
        # digits (most figure tokens are plain numbers: skip the patterns).
        return not (len(token) == 4 and token[:2] in ("19", "20"))
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


# The longest _MONTH_DATE match in text whose whitespace is single spaces
# ("September. 30th - 31st, 2024"): a date touching a token lies within
# this distance of it.
_LONGEST_DATE = 28


# What every month name _MONTH matches starts with, as written (capitalised).
_MONTH_STARTS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _names_a_month(text: str) -> bool:
    """Whether `text` may hold a month name as _MONTH matches it: one of
    _MONTH_STARTS anywhere ("Market" too), a C search each."""
    return any(start in text for start in _MONTH_STARTS)


def _has_figure(joined: str, shape: bytes | None = None) -> bool:
    """Whether figures(joined) is not empty, usually without looking for dates.

    `joined` is a text with its whitespace normalised to single spaces, which
    changes neither its tokens nor its month-name dates (the date pattern's
    \\s is str.split()'s whitespace).

    Blanking month-name dates (as _digit_tokens does) changes only the tokens
    a date overlaps or touches; any other token is a token of the blanked
    text as well. A date is at most _LONGEST_DATE characters long and holds a
    month name as written (capitalised), which starts with one of
    _MONTH_STARTS: so a figure token with none of them within that distance
    is a figure of the text, and most texts are answered by their first
    digit token. Otherwise the full, exact test runs where the text holds
    one (blanking a date may leave a figure: "2023-5 Nov" gives "2023-");
    without one, every token was tested. Looking for the starts as
    substrings, not the month names among the text's letter runs, sends a
    few more texts to the exact test ("Market 2024") and spares every text
    its letter runs.
    """
    at = _next_digit(joined, 0, shape)
    if at == -1:
        return False
    while at != -1:
        # The token around the digit (tokens are separated by single spaces).
        start = joined.rfind(" ", 0, at) + 1
        end = joined.find(" ", at)
        if end == -1:
            end = len(joined)
        if _is_figure(joined[start:end]):
            near = joined[max(start - _LONGEST_DATE, 0) : end + _LONGEST_DATE]
            if not _names_a_month(near):
                return True
        at = _next_digit(joined, end, shape)
    return _names_a_month(joined) and any(_is_figure(token) for token in _digit_tokens(joined))


def _next_digit(text: str, start: int, shape: bytes | None) -> int:
    """Where the next \\d at or after `start` is, or -1. `shape` is the text's
    capital shape when the text is ASCII: its b"0" are the digits."""
    if shape is not None:
        return shape.find(b"0", start)
    digit = _HAS_DIGIT.search(text, start)
    return -1 if digit is None else digit.start()


def has_figure(text: str) -> bool:
    """Whether figures(text) is not empty, usually without removing every date."""
    return MeasuredText(text).has_figure
