"""Acronyms: the shipped vocabulary and how an acronym is found and defined.

MBR109 (undefined-acronym) and MBR116 (shouting) both ask "is this all-caps
word a known term?". Known means: in the shipped vocabulary below, in the
config's `vocabulary`, part of the entry's customer name, or spelled out in
the same summary ("Enterprise Discount Program (EDP)" or
"EDP (Enterprise Discount Program)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple


def _terms(text: str) -> frozenset[str]:
    return frozenset(text.split())


# SPEC §3's list first, then a few that every business reader knows.
SHIPPED_VOCABULARY: frozenset[str] = _terms(
    """
    AWS API IT CEO CTO CIO CFO US USA EU UK AI ML SQL HTTP HTTPS SLA KPI ROI ARR
    S3 EC2 EKS ECS RDS VPC IAM CPU GPU GB TB PB Q1 Q2 Q3 Q4 H1 H2

    COO CISO CMO CRO VP SVP EVP HR QA UI UX URL PDF CSV JSON XML HTML CSS DNS TCP
    IP VPN SSO MFA OS PC ID OK KB MB CRM ERP SDK CLI GA POC MVP OKR QBR MBR NPS
    CSAT TCO GTM SKU USD EUR GBP AM PM LLM NLP CI CD EMEA APAC AMER LATAM ANZ
    GDPR HIPAA SOC ISO PCI FAQ ETA ASAP TV COVID NASA
    """
)

# Digit-suffixed period names: FY24, FY2024, CY2025, Q3FY24.
_PERIOD_NAME = re.compile(r"(?:FY|CY)\d{2,4}|Q[1-4](?:FY)?\d{0,4}|H[12](?:FY)?\d{0,4}")

# Placeholders have their own rule (MBR110); calling them undefined acronyms
# or shouting would only repeat it with worse advice.
PLACEHOLDER_WORDS = frozenset({"TBD", "TBC", "TODO", "FIXME", "XXX", "XX", "XXXX", "TKTK"})

# All-caps common words in a shouted sentence are not acronyms ("WE ARE LIVE").
_CAPITALISED_COMMON_WORDS = _terms(
    """
    A AN AND ARE AS AT BE BUT BY DO FOR FROM GO HAS HE IF IN IS IT ITS NO NOT OF ON
    OR OUR SO THE TO UP WAS WE WITH ALL NEW NOW ONE TWO YES
    """
)
_ROMAN_NUMERALS = _terms("II III IV VI VII VIII IX XI XII XIII XIV XV")

# Words that may sit inside an expansion without giving a letter: "Return on
# Investment (ROI)" and "Bring Your Own License" both work.
_SMALL_WORDS = _terms("of and for the to in on a an at by with as via & or from de")

# An all-caps token (ASCII capitals and digits, 2+ characters) with an
# optional plural "s", not followed by a word character; acronym_uses also
# checks the character before, which keeps DynamoDB, SaaS and IoT out. (A
# leading \b would make the regex engine try every position; a leading
# character class lets it skip ahead fast.)
ACRONYM_TOKEN = re.compile(r"([A-Z][A-Z0-9]+)s?(?!\w)")
_EXPANSION_WORD = re.compile(r"[^\W\d_][\w'’]*")
# Both spellings are short; a bounded look around each use keeps the check linear.
_WINDOW = 160


def follows_word_character(text: str, index: int) -> bool:
    """Whether text[index] continues a word (letter, digit or underscore before it)."""
    if index == 0:
        return False
    before = text[index - 1]
    return before.isalnum() or before == "_"


def is_known(term: str, vocabulary: frozenset[str]) -> bool:
    """Whether an upper-case term needs no definition."""
    return term in known_terms(vocabulary) or _PERIOD_NAME.fullmatch(term) is not None


@lru_cache(maxsize=16)
def known_terms(vocabulary: frozenset[str]) -> frozenset[str]:
    """The terms is_known finds in a list: the vocabulary, the shipped one,
    placeholders and Roman numerals (period names such as FY24 aside)."""
    return vocabulary | SHIPPED_VOCABULARY | PLACEHOLDER_WORDS | _ROMAN_NUMERALS


def is_period_name(term: str) -> bool:
    """FY24, Q3, H1FY25 and the like: known without being listed."""
    return _PERIOD_NAME.fullmatch(term) is not None


def build_vocabulary(extra: Iterable[str]) -> frozenset[str]:
    """The shipped vocabulary plus the config's, upper-cased for comparison."""
    return SHIPPED_VOCABULARY | {term.strip().upper() for term in extra if term.strip()}


_NAME_PART = re.compile(r"[^\W_]+")


@lru_cache(maxsize=4096)
def name_terms(name: str) -> frozenset[str]:
    """The upper-cased words of a customer name, each exempt from MBR109/MBR116."""
    if not name:
        return frozenset()
    parts = {part.upper() for part in _NAME_PART.findall(name)}
    return frozenset({*parts, name.strip().upper()})


def in_name(term: str, name: str) -> bool:
    """Whether `term` is in name_terms(name), usually without building that set.

    Each of those terms is a substring of name.upper(), so a term that is not
    one is not among them.
    """
    return term in name.upper() and term in name_terms(name)


class AcronymUse(NamedTuple):
    term: str  # without a plural "s"
    start: int
    end: int  # after the plural "s", if any


def _acronym_starts(capital_shape: bytes) -> list[int]:
    """Where an acronym may start, from the text's capital shape
    (MeasuredText.capital_shape): a capital, then a capital or digit, after
    a character that is not a word character or at the start."""
    starts = [0] if capital_shape[1:2] in (b"A", b"0") and capital_shape[:1] == b"A" else []
    for pair in (b".AA", b".A0"):
        at = capital_shape.find(pair)
        while at != -1:
            starts.append(at + 1)
            at = capital_shape.find(pair, at + 3)
    starts.sort()
    return starts


def acronym_uses(text: str, capital_shape: bytes | None = None) -> list[AcronymUse]:
    """Every use of an acronym: 2+ capital letters, optionally digits and a plural s.

    A use starts where a word does: ACRONYM_TOKEN's matches after a word
    character are not uses. With the text's capital shape the pattern is
    tried only where a use can start; no other match can hide one, as a
    match holds word characters only.
    """
    # The shape marks a character Latin-1 lacks as no word character: only
    # ASCII text needs no second look at the character before a start.
    check_before = capital_shape is None or not text.isascii()
    if capital_shape is None:
        matches: Iterable[re.Match[str] | None] = ACRONYM_TOKEN.finditer(text)
    else:
        matches = [ACRONYM_TOKEN.match(text, start) for start in _acronym_starts(capital_shape)]
    uses: list[AcronymUse] = []
    for match in matches:
        if match is None or (check_before and follows_word_character(text, match.start())):
            continue
        term = match.group(1)
        # Digits aside, a term is 2+ capitals; an all-letter term always is.
        if term in _CAPITALISED_COMMON_WORDS or (
            not term.isalpha() and sum(1 for ch in term if ch.isalpha()) < 2
        ):
            continue
        uses.append(AcronymUse(term, match.start(), match.end()))
    return uses


@lru_cache(maxsize=4096)
def _letter_readings(term: str) -> tuple[str, ...]:
    """What an expansion's initials may spell: EC2 as "EC" or "ECC", S3 as "SSS"."""
    plain = "".join(ch for ch in term if ch.isalpha())
    repeated: list[str] = []
    for index, ch in enumerate(term):
        if ch.isdigit():
            if index and term[index - 1].isalpha() and ch not in "01":
                repeated.append(term[index - 1] * (int(ch) - 1))
        else:
            repeated.append(ch)
    readings = [plain, "".join(repeated)]
    return tuple(dict.fromkeys(r for r in readings if r))


def _expansion_words(text: str) -> list[str]:
    # Hyphenated words give a letter per part: "Single Sign-On (SSO)".
    return _EXPANSION_WORD.findall(text.replace("-", " ").replace("/", " "))


def _spells(words: list[str], letters: str) -> bool:
    """Whether the words' initials spell the letters exactly, small words optional."""

    def match(word_index: int, letter_index: int) -> bool:
        if letter_index == len(letters):
            return all(w.lower() in _SMALL_WORDS for w in words[word_index:])
        if word_index == len(words):
            return False
        word = words[word_index]
        if word[0].upper() == letters[letter_index] and match(word_index + 1, letter_index + 1):
            return True
        return word.lower() in _SMALL_WORDS and match(word_index + 1, letter_index)

    return bool(words) and words[0].lower() not in _SMALL_WORDS and match(0, 0)


def _spelled_before(text: str, use: AcronymUse, readings: tuple[str, ...]) -> bool:
    """ "Enterprise Discount Program (EDP)": the words before "(" spell the term."""
    if use.start == 0 or text[use.start - 1] != "(" or text[use.end : use.end + 1] != ")":
        return False
    before = _expansion_words(text[max(0, use.start - _WINDOW) : use.start - 1])
    for letters in readings:
        # The expansion ends right before "(" and may begin after other words.
        for size in range(len(letters), min(len(before), 2 * len(letters) + 2) + 1):
            if _spells(before[-size:], letters):
                return True
    return False


_PAREN_AFTER = re.compile(rf"\s*\(([^()]{{1,{_WINDOW}}})\)")


def _spelled_after(text: str, use: AcronymUse, readings: tuple[str, ...]) -> bool:
    """ "EDP (Enterprise Discount Program)": the parenthesis spells the term."""
    inside = _PAREN_AFTER.match(text, use.end)
    if inside is None:
        return False
    words = _expansion_words(inside.group(1))
    return any(_spells(words, letters) for letters in readings)


def is_definition(text: str, use: AcronymUse) -> bool:
    """Whether this use of the acronym spells it out, in either order."""
    readings = _letter_readings(use.term)
    return _spelled_before(text, use, readings) or _spelled_after(text, use, readings)


def defined_terms(text: str) -> frozenset[str]:
    """Acronyms the text spells out somewhere (for MBR116's exemption)."""
    return frozenset(use.term for use in acronym_uses(text) if is_definition(text, use))
