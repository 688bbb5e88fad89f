"""The report's fast paths give exactly what the general ones give.

Each shortcut taken for speed is checked against the plain code it stands in
for, on generated input: paragraphs of plain runs against the general markup
reader and writers, the report order against its documented key, the
customer-suffix shortcut against the regex, mbr's zip writer against zipfile,
deflating in pieces and on a thread against deflating at once, and the
comments written as text against what lxml wrote when it parsed them.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml.parser import parse_xml
from docx.parts.comments import CommentsPart
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from mbr.report import CompileOptions, compile_report
from mbr.report.blocks import Paragraph, RunParagraph, Text
from mbr.report.html_writer import _HtmlWriter
from mbr.report.markup import MarkupStream
from mbr.report.model import (
    _LEGAL_SUFFIX,
    ReportEntry,
    _CategoryOrder,
    _customer_names,
    _entry_key,
    _sort_entries,
    _TeamOrder,
)
from mbr.report.package import Deflated, DeflateStream, zip_parts
from mbr.report.render import packaged_file
from mbr.report.wordml import NAMESPACES, W_NS, CommentNote, WordML
from tests.test_report_support import collected, config, make_entry, problem

# -- paragraphs of plain runs --------------------------------------------------

# Text as a template lays it out: line breaks and indentation, doubled and
# odd spaces, characters that need escaping, non-ASCII.
_TEXT = st.text(alphabet=" \n\t\u00a0\u2003ab&<>\"'—é", max_size=8).map(
    lambda text: text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
)
_STYLE = st.sampled_from(["", ' style="Lead-in"', ' style="Attribution"', ' style=""'])
_FLAG = st.sampled_from(["", ' b="1"', ' b="0"', ' i="1"', ' i="no"'])


@st.composite
def _paragraph(draw: st.DrawFn) -> str:
    """A <para> as a template may write one: mostly plain runs, sometimes not."""
    attributes = draw(st.sampled_from(["", ' style="Entry"', ' style="Note"', ' style=""']))
    attributes += draw(st.sampled_from(["", ' entry="e1"', ' entry=""']))
    attributes += draw(st.sampled_from(["", ' align="right"', ' align="justify"']))
    attributes += draw(st.sampled_from(["", ' page-break-before="1"', ' page-break-before="0"']))
    parts = [draw(_TEXT)]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["run", "run", "run", "b", "tab", "nested"]))
        if kind == "run":
            parts.append(f"<run{draw(_STYLE)}{draw(_FLAG)}>{draw(_TEXT)}</run>")
        elif kind == "b":
            parts.append(f"<b>{draw(_TEXT)}</b>")
        elif kind == "tab":
            parts.append('<tab align="right"/>')
        else:
            parts.append(f"<run{draw(_STYLE)}>{draw(_TEXT)}<run>{draw(_TEXT)}</run></run>")
        parts.append(draw(_TEXT))
    return f"<para{attributes}>{''.join(parts)}</para>"


def _streams(paragraphs: list[str]) -> tuple[MarkupStream, MarkupStream]:
    markup = "<report>\n" + "\n".join(paragraphs) + "\n</report>"
    return MarkupStream([markup], origin="test"), MarkupStream([markup], origin="test")


def _wordml() -> WordML:
    return WordML(
        style_id=lambda kind, name: name.replace(" ", ""),
        tab_positions=lambda style: {"4680"},
        text_width=9360,
        comments={"e1": [CommentNote("MBR101 [error] too long\n= help: shorten it")]},
        comment_date="2024-12-01T00:00:00Z",
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(_paragraph(), min_size=1, max_size=4))
def test_plain_run_paragraphs_read_and_write_as_the_general_path(paragraphs: list[str]) -> None:
    fast, general = _streams(paragraphs)
    items = list(fast.items())
    blocks = list(general.blocks())

    assert [i.paragraph() if isinstance(i, RunParagraph) else i for i in items] == blocks
    assert (fast.paragraph_styles, fast.character_styles) == (
        general.paragraph_styles,
        general.character_styles,
    )
    fast_xml: list[str] = []
    general_xml: list[str] = []
    fast_writer, general_writer = _wordml(), _wordml()
    for item in items:
        fast_writer.item(item, fast_xml)
    general_writer.blocks(blocks, general_xml)
    assert "".join(fast_xml) == "".join(general_xml)
    assert fast_writer.comment_xml == general_writer.comment_xml
    html = _HtmlWriter({"e1": ["MBR101 [error] too long"]})
    assert [html.block(item) for item in items] == [html.block(block) for block in blocks]


def test_the_built_in_entry_paragraph_is_a_plain_run_paragraph() -> None:
    """What the built-in templates write for every entry takes the fast path."""
    markup = (
        '<report><para style="Entry" entry="e1">\n<run style="Lead-in">Acme.</run> '
        'Cut costs by 28%. <run style="Attribution">— Dana Reyes, East</run>\n</para></report>'
    )
    (item,) = MarkupStream([markup], origin="test").items()
    assert item == RunParagraph(
        "Entry",
        [
            ("Acme.", "Lead-in"),
            (" Cut costs by 28%. ", None),
            ("— Dana Reyes, East", "Attribution"),
        ],
        "e1",
        None,
        False,
    )


# -- report order --------------------------------------------------------------


def test_sorting_gives_the_order_of_the_documented_key() -> None:
    settings_ = config(teams=("Enterprise East", "Public Sector"))
    categories, teams = _CategoryOrder(settings_), _TeamOrder(settings_)
    rng = random.Random(7)
    # Unknown categories and teams that differ only in case share a key.
    category_names = ["win", "risk", "ask", "Wins", "wins", "Other", ""]
    team_names = ["Enterprise East", "Public Sector", "Zeta", "zeta", "Alpha", "(no team)"]
    dates = [None, dt.date(2024, 11, 1), dt.date(2024, 11, 5), dt.date(2024, 10, 31)]
    entries = [
        ReportEntry(
            id=f"e{rng.randrange(40)}",
            date=rng.choice(dates),
            author=rng.choice(["Dana", "dana", "Åsa", "Bo", ""]),
            team=rng.choice(team_names),
            category=rng.choice(category_names),
            category_title="",
            summary=str(index),
        )
        for index in range(600)
    ]
    expected = sorted(entries, key=lambda e: _entry_key(e, categories, teams))
    _sort_entries(entries, categories, teams)
    assert [id(e) for e in entries] == [id(e) for e in expected]


# -- customer names in headlines -----------------------------------------------


def _customer_names_by_regex(customer: str) -> set[str]:
    return {customer.casefold(), _LEGAL_SUFFIX.sub("", customer).casefold()} - {""}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Acme", " ", ",", ".", "\n", "\t", "Ltd", "inc", "CO", "Co.", "GmbH", "sa", "bv",
             "corporation", "x", "K", "ſ", "ı", "İ", "\u00a0", "é"]
        ),
        min_size=1,
        max_size=6,
    ).map("".join)
)
def test_customer_names_skip_the_regex_only_where_it_cannot_match(customer: str) -> None:
    assert set(_customer_names.__wrapped__(customer)) == _customer_names_by_regex(customer)


def test_no_last_character_folds_into_a_suffix_unseen() -> None:
    """Every character up to U+2FFF (Latin, Greek, Cyrillic, the Kelvin sign,
    the long s and dotless i that re.IGNORECASE folds) as the last letter."""
    for code in range(0x3000):
        for customer in (f"Acme {chr(code)}", f"Acme c{chr(code)}.", f"Acme, in{chr(code)}"):
            expected = _customer_names_by_regex(customer)
            assert set(_customer_names.__wrapped__(customer)) == expected, hex(code)


# -- the package ---------------------------------------------------------------

_STAMP = (2024, 12, 1, 9, 30, 14)


def test_the_zip_is_byte_for_byte_what_zipfile_writes() -> None:
    rng = random.Random(3)
    parts = {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": bytes(rng.getrandbits(8) for _ in range(50_000)) + b"x" * 90_000,
        "word/empty.xml": b"",
        "word/m\u00e9dia/caf\u00e9.xml": "caf\u00e9 — \U0001f600".encode() * 100,
    }
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            entry = zipfile.ZipInfo(name, date_time=_STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)

    written = zip_parts([(name, Deflated.of(data)) for name, data in parts.items()], _STAMP)

    assert written == expected.getvalue()
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        assert archive.testzip() is None
        assert {name: archive.read(name) for name in archive.namelist()} == parts


@pytest.mark.parametrize("background", [False, True])
def test_deflating_in_pieces_gives_the_bytes_of_deflating_at_once(background: bool) -> None:
    rng = random.Random(11)
    data = b"".join(
        rng.choice([b"<w:p><w:r><w:t>", b"</w:t></w:r></w:p>", b"Acme cut costs by 28%. "])
        for _ in range(60_000)
    )
    stream = DeflateStream(background=background)
    position = 0
    while position < len(data):
        size = rng.choice([1, 7, 4096, 100_000])
        stream.write(data[position : position + size])
        position += size
    streamed = stream.finish()

    at_once = Deflated.of(data)
    assert b"".join(streamed.chunks) == b"".join(at_once.chunks)
    assert (streamed.crc, streamed.size) == (zlib.crc32(data), len(data))


# -- draft comments ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "MBR101 [error] The summary is 130 words long (limit 120)\n= help: cut it\nat log.xlsx:E7",
        "",
        "first\n\nthird\n",
        "  leading and trailing  ",
        "double  space",
        "escapes & < > \" ' ]]>",
        "non-ASCII — café \u00a0 \U0001f600",
    ],
)
def test_comments_are_written_as_lxml_wrote_them(text: str) -> None:
    """The comments part used to be parsed by lxml and serialized again; the
    text mbr now writes directly must be the same bytes."""
    wordml = _wordml()
    wordml.comments = {"e1": [CommentNote(text), CommentNote(text, author='A "B" & C')]}
    wordml.paragraph(Paragraph("Entry", [Text("x")], entry="e1"), [])
    written = "".join(wordml.comment_xml).encode()

    opening = f"<w:comments {NAMESPACES}>".encode()
    root = parse_xml(opening + written + b"</w:comments>")
    reserialized = etree.tostring(root, encoding="utf-8")
    assert reserialized == opening + written + b"</w:comments>"


@pytest.mark.parametrize("prefix", ["w", "x"])
def test_a_draft_on_a_reference_with_comments_replaces_them(tmp_path: Path, prefix: str) -> None:
    """The reference's own comments part is emptied and takes the draft's
    comments, whether it binds the main namespace to w: (written as text) or
    to another prefix (parsed into the tree, as lxml then picks the prefix)."""
    document = docx.Document(io.BytesIO(packaged_file("reference.docx")))
    old = (
        f'<{prefix}:comments xmlns:{prefix}="{W_NS}"><{prefix}:comment {prefix}:id="0" '
        f'{prefix}:author="old"><{prefix}:p><{prefix}:r><{prefix}:t>stale</{prefix}:t>'
        f"</{prefix}:r></{prefix}:p></{prefix}:comment></{prefix}:comments>"
    )
    part = CommentsPart(
        PackURI("/word/comments.xml"), CT.WML_COMMENTS, parse_xml(old), document.part.package
    )
    document.part.relate_to(part, RT.COMMENTS)
    reference = tmp_path / "brand.docx"
    document.save(str(reference))
    entries = [make_entry("a", summary="First & <only> entry."), make_entry("b", row=3)]
    problems = [problem(entries[0], "MBR101", "too long"), problem(entries[1], "MBR102", "short")]
    options = CompileOptions(
        draft=True, reference_docx=reference, timestamp=dt.datetime(2024, 12, 1, tzinfo=dt.UTC)
    )

    result = compile_report(collected(entries, problems), config(), options)

    assert result.content is not None and result.comments == 2
    with zipfile.ZipFile(io.BytesIO(result.content)) as package:
        assert package.namelist().count("word/comments.xml") == 1
    written = docx.Document(io.BytesIO(result.content))
    assert [c.text.splitlines()[0] for c in written.comments] == [
        "MBR101 [error] too long",
        "MBR102 [error] short",
    ]
