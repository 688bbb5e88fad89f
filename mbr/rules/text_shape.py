"""Text rules about length and shape: MBR101-MBR105, MBR112, MBR114, MBR115, MBR118."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mbr.model import Severity
from mbr.rules.registry import Finding, RuleContext, rule
from mbr.rules.textutil import quote

E, W = Severity.ERROR, Severity.WARNING


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@rule(
    "MBR101",
    "too-long",
    E,
    help="cut it to the outcome, the figure and the customer; move detail to a link",
    options={"max_words": 120},
)
def too_long(ctx: RuleContext) -> Iterator[Finding]:
    """Summary over `max_words` (default 120) words.

    What: the summary has more words than `max_words`. A word is a
      whitespace-separated token holding a letter or digit.
    Why: the MBR is read by leaders who skim dozens of paragraphs; a long one
      buries its point and crowds out others.
    Example: a 180-word account history ending in "...and they signed."
    Fix: lead with the outcome and its figure, cut background and process, and
      put detail behind a link.
    """
    limit = ctx.options["max_words"]
    count = ctx.word_count
    if count > limit:
        yield Finding(
            f"{ctx.field} has {count} words; the limit is {limit}",
            f"cut {_plural(count - limit, 'word')}: keep the outcome, the figure and the "
            "customer; move detail to a link",
        )


@rule(
    "MBR102",
    "too-short",
    W,
    help="say what happened, for whom, and what it changed, with a figure",
    options={"min_words": 25},
)
def too_short(ctx: RuleContext) -> Iterator[Finding]:
    """Summary under `min_words` (default 25) words.

    What: the summary has fewer words than `min_words`.
    Why: a fragment ("Closed Acme.") leaves the reader asking what, how much and
      why it matters.
    Example: "Migrated Acme to EKS."
    Fix: add the result, its size and why it matters to the business.
    """
    limit = ctx.options["min_words"]
    count = ctx.word_count
    if count < limit:
        yield Finding(f"{ctx.field} has {_plural(count, 'word')}; the minimum is {limit}")


_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")


@rule(
    "MBR103",
    "not-one-paragraph",
    E,
    help="join the lines into one paragraph; put separate stories in separate entries",
)
def not_one_paragraph(ctx: RuleContext) -> Iterator[Finding]:
    """Summary contains a line break (it must be one paragraph).

    What: the summary holds a line break (Enter, Alt+Enter in a spreadsheet, or
      a multi-line YAML value).
    Why: every entry becomes exactly one paragraph in the report; line breaks
      would be lost or break the layout.
    Example: a cell with "Signed Acme." on one line and "Next: expansion." on the next.
    Fix: join the lines with spaces; if they are two stories, log two entries.
    """
    # Every line break is a non-printable character, and most texts have none.
    breaks = 0 if ctx.printable else len(_LINE_BREAK.findall(ctx.text))
    if breaks:
        yield Finding(f"{ctx.field} has {_plural(breaks, 'line break')}; it must be one paragraph")


@rule(
    "MBR104",
    "too-many-sentences",
    W,
    help="merge or cut sentences; one paragraph tells one story",
    options={"max_sentences": 6},
)
def too_many_sentences(ctx: RuleContext) -> Iterator[Finding]:
    """More than `max_sentences` (default 6) sentences.

    What: the summary has more sentences than `max_sentences`. Sentences end at
      . ! or ? followed by a capital or digit, not after abbreviations (e.g.,
      Inc., U.S.) or inside decimals.
    Why: many short sentences read as a list of activities instead of one result.
    Example: eight sentences each naming one meeting with the customer.
    Fix: keep the sentences that carry the outcome and the figure; merge the rest.
    """
    limit = ctx.options["max_sentences"]
    count = len(ctx.sentence_word_counts)
    if count > limit:
        yield Finding(f"{ctx.field} has {count} sentences; the limit is {limit}")


@rule(
    "MBR105",
    "long-sentence",
    W,
    help="split the sentence in two, or cut a clause",
    options={"max_sentence_words": 30},
)
def long_sentence(ctx: RuleContext) -> Iterator[Finding]:
    """A sentence over `max_sentence_words` (default 30) words.

    What: one sentence of the summary has more words than `max_sentence_words`;
      each such sentence is reported.
    Why: long sentences are hard to follow when read aloud in a review.
    Example: "We worked with the customer's platform team over several weeks to
      understand their requirements and then designed, built and tested ..."
    Fix: split the sentence at "and" or "which", or cut the clause that adds least.
    """
    limit = ctx.options["max_sentence_words"]
    for number, count in enumerate(ctx.sentence_word_counts, start=1):
        if count > limit:
            sentence = ctx.sentences[number - 1][0]
            yield Finding(
                f"sentence {number} has {count} words; the limit is {limit}",
                f"split sentence {number} ({quote(sentence, 30)}) in two, or cut a clause",
            )


_BULLET = re.compile(r"[•◦▪‣⁃●○■□▫▸►]")
# A list marker opens the text or a line and is followed by a space: "- x",
# "* x", "1. x", "2) x". "**bold**", "-5%" and "1.5x" have no space after it.
# It is tried only where a line starts.
_LIST_MARKER = re.compile(r"[ \t]*([-*+–]|\d{1,2}[.)])[ \t]+(?=\S)")


@rule(
    "MBR112",
    "list-markup",
    E,
    help="write the points as sentences of one paragraph; a list belongs in a linked document",
)
def list_markup(ctx: RuleContext) -> Iterator[Finding]:
    """A bullet character anywhere, or a list marker at the start of the summary or a line.

    What: the summary holds a bullet (•, ◦, ▪) or starts itself or a line with
      a list marker (`-`, `*`, `1.`, `1)`). `**bold**` and numbers in the middle
      of a sentence are not list markup.
    Why: the report prints each summary as one paragraph; list markup shows up
      as stray symbols.
    Example: "• Migrated 40 services • Cut costs 30%".
    Fix: turn the items into a sentence: "Migrated 40 services and cut costs 30%."
    """
    bullet = None if ctx.text.isascii() else _BULLET.search(ctx.text)  # bullets are not ASCII
    if bullet is not None:
        yield Finding(f'{ctx.field} contains the bullet "{bullet.group(0)}"')
    line_starts = [0]
    if not ctx.printable:  # line breaks are non-printable characters
        line_starts += (m.end() for m in _LINE_BREAK.finditer(ctx.text))
    for start in line_starts:
        marker = _LIST_MARKER.match(ctx.text, start)
        if marker is not None:
            where = "starts" if start == 0 else "starts a line"
            yield Finding(f'{ctx.field} {where} with the list marker "{marker.group(1)}"')
            break


@rule(
    "MBR114",
    "hard-to-read",
    W,
    help="use shorter sentences and plainer words",
    options={"max_grade": 16},
)
def hard_to_read(ctx: RuleContext) -> Iterator[Finding]:
    """Flesch-Kincaid grade above `max_grade` (default 16).

    What: the summary's Flesch-Kincaid grade level (from words per sentence
      and syllables per word) is above `max_grade`.
    Why: dense prose with long words and sentences is skimmed, not read.
    Example: "Operationalised a comprehensive multi-jurisdictional
      infrastructure modernisation initiative leveraging containerisation."
    Fix: split long sentences and replace long abstract words with short concrete ones.
    """
    limit = ctx.options["max_grade"]
    if not ctx.grade_may_exceed(limit):  # spares the exact count for most texts
        return
    grade = ctx.grade
    if grade is not None and grade > limit:
        yield Finding(
            f"{ctx.field} reads at Flesch-Kincaid grade {grade:.1f}; the limit is {limit}"
        )


_TRAILING_CLOSERS = "\"'”’)]»"


@rule("MBR115", "no-final-punctuation", W, help="end the paragraph with a full stop")
def no_final_punctuation(ctx: RuleContext) -> Iterator[Finding]:
    """Summary does not end with . ! or ? (closing quote/paren allowed after it).

    What: the last character of the summary, after any closing quotes or
      parentheses, is not `.`, `!` or `?`.
    Why: a paragraph without a final stop looks cut off, and often is.
    Example: "Cut Acme's build times by 40% and the team is now"
    Fix: finish the sentence and end it with a full stop.
    """
    core = ctx.text.rstrip().rstrip(_TRAILING_CLOSERS)
    if core and core[-1] not in ".!?":
        yield Finding(f'{ctx.field} ends with "{core[-1]}" instead of . ! or ?')


@rule(
    "MBR118",
    "headline-too-long",
    W,
    help="keep the headline to the customer and the result; the summary holds the rest",
    options={"max_headline_words": 12},
    fields=("headline",),
)
def headline_too_long(ctx: RuleContext) -> Iterator[Finding]:
    """Headline over `max_headline_words` (default 12) words.

    What: the headline has more words than `max_headline_words`.
    Why: the headline is the bold lead-in of the paragraph; a long one reads as
      a second summary.
    Example: "Acme signs three-year agreement after a long evaluation of several
      competing cloud providers in EMEA".
    Fix: keep the customer and the result ("Acme signs 3-year agreement").
    """
    limit = ctx.options["max_headline_words"]
    count = ctx.word_count
    if count > limit:
        yield Finding(f"{ctx.field} has {count} words; the limit is {limit}")
