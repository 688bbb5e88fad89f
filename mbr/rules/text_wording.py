"""Text rules about wording: MBR107, MBR108, MBR113, MBR116, MBR117."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mbr.model import Severity
from mbr.rules.registry import Finding, RuleContext, rule
from mbr.rules.textutil import PhraseMatcher, first_occurrences, times, watch_words
from mbr.rules.vocabulary import defined_terms, follows_word_character, is_known, name_terms

W, INFO = Severity.WARNING, Severity.INFO

WEASEL_WORDS: tuple[str, ...] = (
    # SPEC §3
    "very",
    "significantly",
    "substantially",
    "various",
    "several",
    "many",
    "numerous",
    "extremely",
    "fairly",
    "quite",
    "relatively",
    "nearly",
    "mostly",
    "largely",
    "huge",
    "tiny",
    "vast",
    "clearly",
    "remarkably",
    "a number of",
    # the same kind, as common style checkers list them
    "really",
    "exceedingly",
    "surprisingly",
    "interestingly",
    "incredibly",
    "tremendously",
    "massively",
    "dramatically",
    "considerably",
    "greatly",
    "vastly",
    "hugely",
    "a lot of",
    "lots of",
)
_WEASEL = PhraseMatcher(WEASEL_WORDS)


@rule("MBR107", "weasel-word", W, help="give the figure instead, or delete the word")
def weasel_word(ctx: RuleContext) -> Iterator[Finding]:
    """Vague intensifiers and quantifiers (very, significantly, several, a number of, ...).

    What: the summary uses a word that sounds like a measure but gives none:
      very, significantly, substantially, various, several, many, numerous,
      extremely, fairly, quite, relatively, nearly, mostly, largely, huge, tiny,
      vast, clearly, remarkably, a number of, really, a lot of, and similar.
    Why: "significantly faster" invites the question "how much?"; the figure
      answers it and is shorter.
    Example: "Significantly reduced latency for several customers."
    Fix: "Cut p99 latency from 800 ms to 120 ms for 14 customers."
    """
    if not _WEASEL.might_match(ctx.text, ctx.watched_runs):
        return
    for written, count in first_occurrences(_WEASEL.finditer(ctx.text, ctx.watched_runs)).values():
        yield Finding(
            f'vague word "{written}"{times(count)}',
            f'replace "{written}" with the figure it stands for, or delete it',
        )


WORDY_PHRASES: dict[str, str] = {
    # SPEC §3
    "in order to": "to",
    "due to the fact that": "because",
    "at this point in time": "now",
    "in the event that": "if",
    "for the purpose of": "for",
    "with the exception of": "except",
    "in the near future": "soon",
    # more of the same
    "owing to the fact that": "because",
    "in light of the fact that": "because",
    "despite the fact that": "although",
    "in spite of the fact that": "although",
    "at the present time": "now",
    "at this time": "now",
    "prior to": "before",
    "subsequent to": "after",
    "until such time as": "until",
    "has the ability to": "can",
    "have the ability to": "can",
    "is able to": "can",
    "are able to": "can",
    "on a daily basis": "daily",
    "on a weekly basis": "weekly",
    "on a monthly basis": "monthly",
    "on a regular basis": "regularly",
    "in close proximity to": "near",
    "with regard to": "about",
    "with respect to": "about",
    "in regard to": "about",
    "take into consideration": "consider",
    "make a decision": "decide",
    "each and every": "every",
    "first and foremost": "first",
    "end result": "result",
    "a total of": "",
    "in the process of": "",
}
_WORDY = PhraseMatcher(WORDY_PHRASES)


@rule("MBR108", "wordy-phrase", INFO, help="use the shorter phrase")
def wordy_phrase(ctx: RuleContext) -> Iterator[Finding]:
    """A wordy phrase with a shorter equivalent ("in order to" -> "to").

    What: the summary uses a phrase with a shorter equivalent: "in order to"
      -> "to", "due to the fact that" -> "because", "at this point in time" ->
      "now", "in the event that" -> "if", "for the purpose of" -> "for", "with
      the exception of" -> "except", "in the near future" -> "soon", and more.
    Why: every word counts against the length limit and the reader's attention.
    Example: "In order to reduce costs, Acme moved 40 workloads."
    Fix: "To reduce costs, Acme moved 40 workloads." (the help line shows the
      replacement for each phrase).
    """
    if not _WORDY.might_match(ctx.text, ctx.watched_runs):
        return
    found = first_occurrences(_WORDY.finditer(ctx.text, ctx.watched_runs))
    for key, (written, count) in found.items():
        replacement = WORDY_PHRASES[key]
        help_line = (
            f'write "{replacement}" instead of "{written}"'
            if replacement
            else f'delete "{written}"; the sentence says the same without it'
        )
        yield Finding(f'wordy phrase "{written}"{times(count)}', help_line)


HEDGES: tuple[str, ...] = (
    # SPEC §3
    "I think",
    "I believe",
    "I feel",
    "we feel",
    "hopefully",
    "in my opinion",
    "it seems",
    # more of the same
    "we think",
    "we believe",
    "I guess",
    "I hope",
    "we hope",
    "in our opinion",
    "it appears",
    "seems to",
    "appears to",
    "probably",
    "possibly",
    "perhaps",
    "maybe",
    "arguably",
    "sort of",
    "kind of",
    "I would say",
)
_HEDGE = PhraseMatcher(HEDGES)


@rule("MBR113", "hedging", W, help="state what happened; give the evidence instead of the doubt")
def hedging(ctx: RuleContext) -> Iterator[Finding]:
    """Hedging phrases (I think, I believe, we feel, hopefully, it seems, ...).

    What: the summary hedges: I think, I believe, I feel, we feel, hopefully,
      in my opinion, it seems, probably, perhaps, maybe, and similar.
    Why: the MBR reports what happened; a hedge makes leaders doubt the claim
      without saying why.
    Example: "I think the customer will hopefully expand next quarter."
    Fix: state the fact and its evidence: "Acme asked for a quote for 200 more
      seats (expected close: Q3)."
    """
    if not _HEDGE.might_match(ctx.text, ctx.watched_runs):
        return
    for written, count in first_occurrences(_HEDGE.finditer(ctx.text, ctx.watched_runs)).values():
        yield Finding(
            f'hedging "{written}"{times(count)}',
            f'cut "{written}": state what happened, or the evidence for what you expect',
        )


# Five or more capitals in a row, not followed by a word character (ASCII and
# Latin-1 capitals); the character before is checked in Python, which keeps
# the regex fast.
_CAPS_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ]{5,}(?!\w)")
_BANGS = re.compile(r"!{2,}")


@rule(
    "MBR116",
    "shouting",
    W,
    help="write it in normal case; if it is an acronym, add it to `vocabulary` in mbr.toml",
)
def shouting(ctx: RuleContext) -> Iterator[Finding]:
    """An all-caps word of 5+ letters not in the vocabulary nor the customer name, or `!!`.

    What: a word of five or more letters written in capitals that is not in the
      vocabulary, not part of the entry's customer name and not spelled out as
      an acronym in the summary; or two or more exclamation marks.
    Why: capitals and "!!" read as shouting in a business document.
    Example: "HUGE win at Acme!!"
    Fix: "Acme signed a 3-year, $2M agreement." Real acronyms of five or more
      letters go in `vocabulary`.
    """
    # Five capitals in a row (b"AAAAA" in the text's capital shape) are rare:
    # most texts need neither the pattern nor the exemptions.
    matches = (
        [
            m
            for m in _CAPS_WORD.finditer(ctx.text)
            if not follows_word_character(ctx.text, m.start())
            and not is_known(m.group(0), ctx.vocabulary)
        ]
        if b"AAAAA" in ctx.capital_shape
        else None
    )
    if matches:
        exempt = name_terms(ctx.entry.customer) | defined_terms(ctx.text)
        shouted = (m for m in matches if m.group(0) not in exempt)
        for written, count in first_occurrences(shouted).values():
            yield Finding(
                f'"{written}"{times(count)} is written in capitals '
                f"({len(written)} letters; the limit for an unlisted acronym is 4)",
                f'write "{written.capitalize()}" instead, or add {written} to `vocabulary` '
                "in mbr.toml if it is an acronym",
            )
    bangs = _BANGS.search(ctx.text) if "!!" in ctx.text else None
    if bangs is not None:
        yield Finding(
            f'"{bangs.group(0)}" shouts ({len(bangs.group(0))} exclamation marks; the limit is 1)',
            "use one exclamation mark at most; let the figure make the point",
        )


# "I" and its contractions, me, my, mine, myself as standalone words: "I/O",
# "I-95" and "i.e." are not first person, nor is "Phase I". All-caps ME/MY
# (Maine, Malaysia) are left alone.
_FIRST_PERSON = re.compile(
    r"(?<![\w/&.\-’'])"
    r"(?:(?<![Pp]hase )(?<![Ss]tage )(?<![Tt]ier )(?<![Tt]ype )(?<![Pp]art )(?<![Ll]evel )"
    r"(?<![Cc]lass )(?<![Ww]ar )I(?:['’](?:m|ve|d|ll))?"
    r"|[Mm]e|[Mm]y|[Mm]ine|[Mm]yself)"
    r"(?![\w/&\-’']|\.\w)"
)
_FIRST_PERSON_WORDS = watch_words({"i", "me", "my", "mine", "myself"})


@rule(
    "MBR117",
    "first-person-singular",
    W,
    help='write as the team ("we") or name the person',
)
def first_person_singular(ctx: RuleContext) -> Iterator[Finding]:
    """First person singular: I, me, my, mine (org reports speak in third person or "we").

    What: the summary uses I, me, my, mine or myself. "I/O" and "i.e." are not
      first person.
    Why: the MBR speaks for the organisation; a paragraph in one person's voice
      reads like a status mail pasted in.
    Example: "I helped Acme cut their bill by 30%."
    Fix: "The EMEA team helped Acme cut its bill by 30%."
    """
    if _FIRST_PERSON_WORDS.isdisjoint(ctx.watched_runs):
        return
    for written, count in first_occurrences(_FIRST_PERSON.finditer(ctx.text)).values():
        yield Finding(f'first person singular "{written}"{times(count)}')
