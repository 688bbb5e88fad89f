"""Text rules about content: MBR106, MBR109, MBR110, MBR111, MBR119."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from mbr.model import Severity
from mbr.rules.characters import bad_characters
from mbr.rules.registry import Finding, RuleContext, rule
from mbr.rules.textutil import MeasuredText, first_occurrences, quote, times
from mbr.rules.vocabulary import (
    acronym_uses,
    in_name,
    is_definition,
    is_period_name,
    known_terms,
)

E, W = Severity.ERROR, Severity.WARNING


@rule(
    "MBR106",
    "no-metric",
    W,
    help="add the number that shows the result: how much, how many, how fast",
    category_severity={"win": E, "customer-impact": E, "launch": E},
)
def no_metric(ctx: RuleContext) -> Iterator[Finding]:
    """No quantitative figure written with digits (40, 3.5x, 99.9%, $2M, 10k, 300 ms).

    What: the summary holds no figure written with digits. A year, a date, a
      quarter (Q3) or a fiscal year (FY24) alone does not count, nor do digits
      inside names (EC2) or spelled-out numbers. An error for wins, customer
      impact and launches; a warning for other categories.
    Why: a result without a number cannot be compared or checked; "improved
      performance" could mean 1% or 10x.
    Example: "Acme improved performance after migrating in Q3 2024."
    Fix: "Acme cut page load time from 2.1 s to 0.4 s after migrating in Q3 2024."
    """
    if ctx.has_figure:
        return
    message = f"{ctx.field} has no figure written with digits; at least 1 is expected"
    metric = ctx.entry.metric
    if metric:
        yield Finding(message, f"work the metric into the paragraph: {quote(metric)}")
    else:
        yield Finding(message)


@rule(
    "MBR109",
    "undefined-acronym",
    W,
    help='spell it out at first use, "Enterprise Discount Program (EDP)", or add it to '
    "`vocabulary` in mbr.toml",
)
def undefined_acronym(ctx: RuleContext) -> Iterator[Finding]:
    """An acronym not spelled out at first use and not in the vocabulary.

    What: a token of 2+ letters, all capitals, optionally with digits or a
      plural "s" (EDP, PSA, EC2, APIs), that is not spelled out at its first use
      ("Enterprise Discount Program (EDP)" or "EDP (Enterprise Discount
      Program)"), not in the shipped or configured vocabulary and not part of
      the entry's customer name. CamelCase names (DynamoDB, SaaS, IoT) are not
      acronyms. Each acronym is reported once per summary.
    Why: the MBR is read far from the team that wrote it; an unexplained
      acronym loses the reader.
    Example: "Acme joined the EDP after the PSA review."
    Fix: "Acme joined the Enterprise Discount Program (EDP) after ..."; terms
      everyone in the org knows go in `vocabulary` in mbr.toml.
    """
    first_use: dict[str, bool] = {}  # term -> defined at its first use
    defined_later: set[str] = set()
    known = known_terms(ctx.vocabulary)  # is_known, one lookup at a time
    for use in acronym_uses(ctx.text, ctx.capital_shape):
        if use.term in known or is_period_name(use.term):
            continue
        if use.term not in first_use:
            first_use[use.term] = is_definition(ctx.text, use)
        elif not first_use[use.term] and is_definition(ctx.text, use):
            defined_later.add(use.term)
    undefined = [term for term, defined in first_use.items() if not defined]
    for term in undefined:
        if in_name(term, ctx.entry.customer):
            continue
        if term in defined_later:
            yield Finding(
                f'acronym "{term}" is spelled out only after its first use',
                f"move the spelled-out form to the first place {term} appears",
            )
        else:
            yield Finding(
                f'acronym "{term}" is not spelled out and not in the vocabulary',
                f'spell it out at first use, "Full Name ({term})", or add {term} to '
                "`vocabulary` in mbr.toml",
            )


_PLACEHOLDER = re.compile(
    r"(?<!\w)(?:TBD|TBC|TODO|FIXME|TKTK|X{2,}[KMB%]?)(?!\w)"
    r"|\?{3,}"
    r"|lorem\s+ipsum"
    r"|\[(?=[^\]\n]{0,60}[A-Za-z])[^\[\]\n]{1,60}\](?!\()"
    r"|<\s*(?:insert|add|enter|fill|your|put|customer|name|tbd|todo)\b[^<>\n]{0,60}>"
    # A spreadsheet formula's error value, read where its result should be.
    r"|(?<!\w)#(?:REF!|DIV/0!|N/A|VALUE!|NAME\?|NUM!|NULL!|SPILL!|CALC!|FIELD!|BLOCKED!)",
    re.IGNORECASE,
)


def _might_hold_placeholder(measured: MeasuredText) -> bool:
    """A cheap superset test, so the full pattern runs only on suspicious texts.

    _PLACEHOLDER's words are looked for as substrings of the lower-cased
    text (a chain of `in`, each a C search), not among its letter runs:
    every letter run is such a substring, and a compile's rules then need
    no text's letter runs but those a figure's test asks for.
    """
    text = measured.text
    lowered = measured.lowered
    return (
        "tbd" in lowered
        or "tbc" in lowered
        or "todo" in lowered
        or "fixme" in lowered
        or "tktk" in lowered
        or "lorem" in lowered
        # Only x and X lower-case to "x", so this is "xx" case-insensitively.
        or "xx" in lowered
        or "??" in text
        or "[" in text
        or "<" in text
        or "#" in text
    )


@rule(
    "MBR110",
    "placeholder",
    E,
    help="replace the placeholder with the real text",
    fields=("summary", "headline"),
)
def placeholder(ctx: RuleContext) -> Iterator[Finding]:
    """A placeholder: TBD, TODO, XXX, FIXME, ???, lorem ipsum, `[customer]`, `<insert …>`.

    What: the text holds a placeholder: TBD, TBC, TODO, FIXME, XXX (or XX%),
      ???, lorem ipsum, a bracketed word such as `[customer]`, or `<insert ...>`;
      also a spreadsheet formula's error value (#REF!, #N/A, #DIV/0!, ...) in
      place of the text the formula should have given. Checked in the summary
      and the headline.
    Why: a placeholder in the MBR shows the paragraph was never finished.
    Example: "Acme saved XX% on [service] costs (TBD)." / "Acme saved #VALUE! hours."
    Fix: fill in the real value, or hold the entry back until it is known.
    """
    if not _might_hold_placeholder(ctx):
        return
    for written, count in first_occurrences(_PLACEHOLDER.finditer(ctx.text)).values():
        if written.startswith("#"):
            yield Finding(
                f'spreadsheet error value "{written}"{times(count)} in the {ctx.field}',
                "fix the formula that gives it, or type the text in place of the formula",
            )
        else:
            yield Finding(f'placeholder "{written}"{times(count)} in the {ctx.field}')


# Legal forms dropped from a customer name before looking for it in the text:
# "Acme Corp." is named by "Acme".
_LEGAL_SUFFIX = re.compile(
    r"[\s,]+(?:inc|incorporated|corp|corporation|co|company|llc|l\.l\.c|ltd|limited|gmbh"
    r"|ag|plc|llp|lp|sa|s\.a|nv|n\.v|bv|b\.v|se|kk|k\.k|oy|ab|asa|spa|s\.p\.a|srl|s\.r\.l"
    r"|sas|sarl|pty|pte|kg|kgaa)\.?$",
    re.IGNORECASE,
)
_NAME_SEPARATORS = re.compile(r"\s*[;|]\s*|\s+/\s+")


@lru_cache(maxsize=4096)
def customer_names(customer: str) -> tuple[str, ...]:
    """The ways a customer may be named: as written and without legal suffixes."""
    names: list[str] = []
    for part in _NAME_SEPARATORS.split(customer):
        name = " ".join(part.split())
        while name:
            names.append(name)
            shorter = _LEGAL_SUFFIX.sub("", name).rstrip(" ,&")
            if shorter == name:
                break
            name = shorter
    return tuple(names)


@lru_cache(maxsize=4096)
def _folded_customer_names(customer: str) -> tuple[str, ...]:
    return tuple(name.casefold() for name in customer_names(customer))


def mentions(text: str, name: str) -> bool:
    """Whether `name` appears in `text` as whole words, case-insensitively."""
    return _mentions_folded(text.casefold(), name.casefold())


def _mentions_folded(haystack: str, needle: str) -> bool:
    start = haystack.find(needle)
    while start != -1:
        end = start + len(needle)
        before_ok = start == 0 or not haystack[start - 1].isalnum()
        after_ok = end == len(haystack) or not haystack[end].isalnum()
        if before_ok and after_ok:
            return True
        start = haystack.find(needle, start + 1)
    return False


def _named_as_written(joined: str, customer: str) -> bool:
    """A shortcut for the usual case: the customer is named as written.

    For ASCII text and a customer name without separators (so the name as
    written, whitespace normalised, is the first of customer_names), an
    occurrence of it between non-alphanumeric characters is one that
    mentions() finds: casefold() is lower() there, and keeps what is
    alphanumeric. False says nothing; the full test runs then.
    """
    if not (customer.isascii() and joined.isascii()):
        return False
    if ";" in customer or "|" in customer or "/" in customer:
        return False
    name = " ".join(customer.split())
    if not name:
        return False
    start = joined.find(name)
    while start != -1:
        end = start + len(name)
        if (start == 0 or not joined[start - 1].isalnum()) and (
            end == len(joined) or not joined[end].isalnum()
        ):
            return True
        start = joined.find(name, start + 1)
    return False


@rule(
    "MBR111",
    "customer-not-named",
    W,
    help="name the customer in the paragraph, or correct the customer field",
)
def customer_not_named(ctx: RuleContext) -> Iterator[Finding]:
    """`customer` is set but the summary does not mention it.

    What: the entry's `customer` is set, but the summary mentions neither it
      nor its name without a legal suffix (Inc., Corp., LLC, Ltd, GmbH, plc),
      case-insensitively.
    Why: the report prints paragraphs under their lead-in, but they are quoted
      on their own in decks and mails, where "the customer" means nothing.
    Example: customer "Acme Corp.", summary "The customer cut costs by 30%."
    Fix: "Acme cut costs by 30%."
    """
    customer = ctx.entry.customer
    if not customer or _named_as_written(ctx.joined, customer):
        return
    haystack = ctx.joined.casefold()  # the text with its whitespace normalised
    if any(_mentions_folded(haystack, name) for name in _folded_customer_names(customer)):
        return
    names = customer_names(customer)
    shortest = min(names, key=len) if names else customer
    yield Finding(
        f'{ctx.field} does not name the customer "{customer}"',
        f'mention "{shortest}" in the paragraph, or correct the customer field',
    )


@rule(
    "MBR119",
    "bad-characters",
    W,
    help="delete the character; retype the text around it if it looks garbled",
    fields=("summary", "headline"),
)
def bad_characters_rule(ctx: RuleContext) -> Iterator[Finding]:
    """Control characters, zero-width characters, U+FFFD, or mojibake such as `â€™`/`Ã©`.

    What: the text holds a control character other than tab or newline, a
      zero-width space (U+200B), word joiner (U+2060) or byte order mark
      (U+FEFF), the replacement character U+FFFD, or mojibake: UTF-8 text that
      was decoded as cp1252/latin-1 (`â€™` for `’`, `Ã©` for `é`). Checked in
      the summary and the headline. Control and zero-width characters are
      removed in the report; joiners and variation selectors inside emoji are
      kept and not reported.
    Why: invisible characters break search and copy-paste; mojibake prints as
      garbage in the report.
    Example: "Acmeâ€™s team"; a summary pasted from a PDF with a U+200B inside a word.
    Fix: retype the garbled text (the help line shows the likely intended
      text) and delete invisible characters.
    """
    if ctx.plain:  # printable ASCII holds no invisible character and no mojibake
        return
    for problem in bad_characters(ctx.text):
        yield Finding(
            f"{problem.description}{times(problem.count)} in the {ctx.field}", problem.help
        )
