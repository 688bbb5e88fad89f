"""Report markup: what templates write, and the errors a bad template gets."""

from __future__ import annotations

import pytest

from mbr.errors import TemplateError
from mbr.report.markup import Field, Paragraph, Tab, Table, Text, parse_markup


def parse(body: str, **attributes: str) -> list[Paragraph | Table]:
    attrs = "".join(f' {k}="{v}"' for k, v in attributes.items())
    markup = parse_markup(f"<report{attrs}>{body}</report>", origin="t.j2")
    return [b for b in markup.body if isinstance(b, Paragraph | Table)]


def texts(paragraph: Paragraph) -> list[tuple[str, bool, str | None]]:
    return [(i.text, i.bold, i.style) for i in paragraph.inlines if isinstance(i, Text)]


def test_template_line_breaks_become_single_spaces_and_are_trimmed_at_the_ends() -> None:
    (paragraph,) = parse(
        '<para style="Entry">\n   <run style="Lead-in">Acme.</run>\n'
        "   Moved  40 workloads.\n</para>"
    )
    assert texts(paragraph) == [
        ("Acme.", False, "Lead-in"),
        (" Moved  40 workloads.", False, None),
    ]


def test_nested_formatting() -> None:
    (paragraph,) = parse("<para>a <b>b <i>c</i></b> d</para>")
    assert [(i.text, i.bold, i.italic) for i in paragraph.inlines if isinstance(i, Text)] == [
        ("a ", False, False),
        ("b ", True, False),
        ("c", True, True),
        (" d", False, False),
    ]


def test_header_footer_tabs_and_fields() -> None:
    markup = parse_markup(
        '<report title="T" subject="S" author="A">'
        '<header><para style="Header">Org<tab align="right"/>Internal</para></header>'
        '<footer><para style="Footer">Page <field name="PAGE"/> of <field name="NUMPAGES"/>'
        "</para></footer></report>",
        origin="t.j2",
    )
    assert (markup.title, markup.subject, markup.author) == ("T", "S", "A")
    assert markup.header is not None and markup.footer is not None
    assert isinstance(markup.header[0].inlines[1], Tab)
    assert markup.header[0].inlines[1].align == "right"
    fields = [i.name for i in markup.footer[0].inlines if isinstance(i, Field)]
    assert fields == ["PAGE", "NUMPAGES"]
    assert markup.paragraph_styles == {"Header", "Footer"}


def test_tables_cells_and_styles_used() -> None:
    markup = parse_markup(
        '<report><table style="Report Table" widths="2,1" header="1">'
        '<row header="1"><cell>Team</cell><cell align="right">Wins</cell></row>'
        '<row><cell span="2"><para style="Note">x</para><para style="Note">y</para></cell></row>'
        "</table></report>",
        origin="t.j2",
    )
    (table,) = markup.body
    assert isinstance(table, Table)
    assert (table.widths, table.header, table.columns) == ([2.0, 1.0], True, 2)
    assert table.rows[0].cells[1].paragraphs[0].align == "right"
    assert [len(c.paragraphs) for c in table.rows[1].cells] == [2]
    assert markup.table_styles == {"Report Table"}
    assert markup.paragraph_styles == {"Note"}


def test_text_that_looks_like_markup_is_text() -> None:
    (paragraph,) = parse("<para>&lt;b&gt;x&lt;/b&gt; &amp;amp; {{ 7*7 }}</para>")
    assert texts(paragraph) == [("<b>x</b> &amp; {{ 7*7 }}", False, None)]


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<report><para>unclosed</report>", "invalid report markup at line 1"),
        ("<document/>", "must start with <report>"),
        ("<report><blink>x</blink></report>", "unknown element <blink>"),
        ("<report><para><blink/></para></report>", "unknown element <blink> inside <para>"),
        ("<report>loose text</report>", "text directly inside <report>"),
        ('<report><heading level="9">x</heading></report>', "level must be 1 to 6"),
        ('<report><para align="middle">x</para></report>', 'align="middle"'),
        ('<report><para><field name="DATE"/></para></report>', 'field name="DATE"'),
        ('<report><table widths="a,b"><row><cell/></row></table></report>', 'widths="a,b"'),
        ("<report><table><cell/></table></report>", "<table> holds <row>"),
        ("<report>\n\n<para>\n<oops/></para></report>", "(line 4 of its output)"),
    ],
)
def test_bad_markup_is_a_template_error_naming_the_template(markup: str, message: str) -> None:
    with pytest.raises(TemplateError) as raised:
        parse_markup(markup, origin="custom.docx.j2")
    assert "custom.docx.j2" in str(raised.value)
    assert message in str(raised.value)


def test_entities_are_not_resolved() -> None:
    doctype = '<!DOCTYPE report [<!ENTITY boom "BOOM">]>'
    with pytest.raises(TemplateError):
        parse_markup(f"{doctype}<report><para>&boom;</para></report>", origin="t.j2")
