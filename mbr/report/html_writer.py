"""Report markup -> one standalone HTML page (inline CSS), for a quick look in a browser.

The same markup as the .docx, so the two show the same report. Styles map to
CSS classes named after them ("Lead-in" -> `lead-in`); headings become
<h1>..<h6>. A draft's problems are shown in a box under their paragraph.
"""

from __future__ import annotations

import functools
import html
import io
import re
from collections.abc import Mapping, Sequence

from mbr.report.blocks import (
    Break,
    Field,
    Inline,
    Markup,
    PageBreak,
    Paragraph,
    RunParagraph,
    Tab,
    Table,
    Text,
)
from mbr.report.markup import MarkupStream

_CSS = """
:root { --ink: #1f2937; --navy: #1b365d; --accent: #2f5d8a; --muted: #5b6675;
        --rule: #c9d1db; --fill: #eef2f6; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f7fa; color: var(--ink);
       font: 15px/1.5 Calibri, Carlito, "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
.page { max-width: 52rem; margin: 2rem auto; padding: 2.5rem 3rem; background: #fff;
        box-shadow: 0 1px 4px rgba(0, 0, 0, .08); }
.page-header, .page-footer { display: flex; justify-content: space-between; gap: 1rem;
       color: var(--muted); font-size: 12px; }
.page-header { border-bottom: 1px solid var(--rule); padding-bottom: .4rem; margin-bottom: 2rem; }
.page-footer { border-top: 1px solid var(--rule); padding-top: .4rem; margin-top: 2.5rem; }
h1, h2, h3, h4, h5, h6 { color: var(--navy); line-height: 1.25; margin: 1.6em 0 .5em; }
h1.title { font-size: 2rem; margin: 0 0 .2rem; }
h2 { font-size: 1.4rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
h3 { font-size: 1.1rem; color: var(--accent); margin-top: 1.1em; }
h4, h5, h6 { font-size: 1rem; color: var(--muted); }
p { margin: 0 0 .55rem; }
p.subtitle { color: var(--muted); font-size: 1.05rem; border-bottom: 1px solid var(--rule);
             padding-bottom: .6rem; margin-bottom: 1.5rem; }
p.entry { margin-bottom: .75rem; }
p.note { color: var(--muted); font-style: italic; }
.lead-in { font-weight: bold; color: var(--navy); }
.attribution { color: var(--muted); font-size: .86em; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: 14px; }
table.report-table th, table.report-table td { padding: .25rem .45rem;
       border-bottom: 1px solid var(--rule); vertical-align: bottom; }
table.report-table th { background: var(--fill); color: var(--navy);
       border-top: 1.5px solid var(--navy); border-bottom: 1.5px solid var(--navy); }
table.report-table tr.totals td { font-weight: bold; color: var(--navy);
       border-top: 1.5px solid var(--navy); border-bottom: 1.5px solid var(--navy); }
table.quadrant-table { table-layout: fixed; }
table.quadrant-table td { border: 1px solid var(--rule); padding: .6rem .75rem;
       vertical-align: top; }
p.quadrant-heading { text-transform: uppercase; letter-spacing: .04em; font-size: 12px;
       font-weight: bold; color: var(--accent); margin-bottom: .4rem; }
p.quadrant-entry { font-size: 14px; }
.problems { margin: -.3rem 0 .8rem; padding: .4rem .7rem; list-style: none;
       border-left: 3px solid #c2773b; background: #fdf6ee; font-size: 13px; }
.problems li { margin: .15rem 0; white-space: pre-wrap; }
.problems code { font-weight: bold; }
.break-before { break-before: page; }
@media print { body { background: #fff; } .page { box-shadow: none; margin: 0; } }
"""

_NOT_CLASS = re.compile(r"[^a-z0-9]+")
_HEADINGS = {f"heading {level}": f"h{level + 1}" for level in range(1, 6)}
_HEADINGS["heading 6"] = "h6"


def css_class(style: str) -> str:
    """The CSS class for a style: "Quadrant Heading" -> "quadrant-heading"."""
    return _NOT_CLASS.sub("-", style.casefold()).strip("-")


_css_class = functools.lru_cache(maxsize=256)(css_class)  # a report uses a handful of styles


def write_html(
    markup: Markup,
    *,
    problems: Mapping[str, Sequence[str]] | None = None,
    language: str = "en",
) -> str:
    """The standalone page; `problems` maps entry ids to notes shown under them."""
    return write_html_bytes(markup, problems=problems, language=language).decode("utf-8")


def write_html_bytes(
    markup: Markup,
    *,
    problems: Mapping[str, Sequence[str]] | None = None,
    language: str = "en",
) -> bytes:
    """`write_html` as UTF-8, written block by block: the body is held once,
    encoded, rather than as a list of strings, then one string, then bytes."""
    writer = _HtmlWriter(problems or {})
    body = io.BytesIO()
    blocks = markup.items() if isinstance(markup, MarkupStream) else markup.blocks()
    for block in blocks:  # the page header and the title are known after them
        body.write(writer.block(block).encode("utf-8"))
        body.write(b"\n")
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{_attr(language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(markup.title)}</title>",
        f'<meta name="description" content="{_attr(markup.subject)}">',
        f'<meta name="author" content="{_attr(markup.author)}">',
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        '<div class="page">',
    ]
    if markup.header:
        head.append(writer.story("header", markup.header))
    head.append("<main>")
    tail = ["</main>"]
    if markup.footer:
        tail.append(writer.story("footer", markup.footer))
    tail.extend(["</div>", "</body>", "</html>", ""])
    # Lines joined by "\n": the head's, each block's, the tail's.
    opening = ("\n".join(head) + "\n").encode("utf-8")
    closing = "\n".join(tail).encode("utf-8")
    return b"".join((opening, body.getbuffer(), closing))


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


class _HtmlWriter:
    def __init__(self, problems: Mapping[str, Sequence[str]]) -> None:
        self.problems = problems

    def story(self, kind: str, paragraphs: Sequence[Paragraph]) -> str:
        """A page header/footer: tab-separated parts spread across the line."""
        lines = []
        for paragraph in paragraphs:
            pieces: list[list[Inline]] = [[]]
            for inline in paragraph.inlines:
                if isinstance(inline, Tab):
                    pieces.append([])
                elif not isinstance(inline, Field):  # no page numbers on a web page
                    pieces[-1].append(inline)
            spans = "".join(f"<span>{self.inlines(piece).strip()}</span>" for piece in pieces)
            lines.append(f'<div class="page-{kind}">{spans}</div>')
        return "\n".join(lines)

    def block(self, block: Paragraph | Table | PageBreak | RunParagraph) -> str:
        if isinstance(block, RunParagraph):
            return self.run_paragraph(block)
        if isinstance(block, Paragraph):
            return self.paragraph(block)
        if isinstance(block, Table):
            return self.table(block)
        return '<div class="break-before"></div>'

    def paragraph(self, paragraph: Paragraph) -> str:
        return self._paragraph(
            paragraph.style,
            paragraph.align,
            paragraph.page_break_before,
            paragraph.entry,
            self.inlines(paragraph.inlines),
        )

    def run_paragraph(self, paragraph: RunParagraph) -> str:
        """The same HTML as `paragraph(paragraph.paragraph())`."""
        content = "".join(
            f'<span class="{_css_class(style)}">{_text(text)}</span>' if style else _text(text)
            for text, style in paragraph.runs
        )
        return self._paragraph(
            paragraph.style, paragraph.align, paragraph.page_break_before, paragraph.entry, content
        )

    def _paragraph(
        self,
        style_name: str | None,
        align: str | None,
        page_break_before: bool,
        entry: str | None,
        content: str,
    ) -> str:
        style = (style_name or "").casefold()
        tag = "p"
        classes = [_css_class(style_name)] if style_name else []
        if style == "title":
            tag = "h1"
        elif style in _HEADINGS:
            tag, classes = _HEADINGS[style], []
        if page_break_before:
            classes.append("break-before")
        attributes = f' class="{" ".join(classes)}"' if classes else ""
        if align:
            attributes += f' style="text-align: {align}"'
        if entry:
            attributes += f' id="entry-{_attr(entry)}"'
        out = f"<{tag}{attributes}>{content}</{tag}>"
        notes = self.problems.get(entry or "", ())
        if notes:
            items = "".join(f"<li>{self.problem(note)}</li>" for note in notes)
            out += f'\n<ul class="problems">{items}</ul>'
        return out

    def problem(self, note: str) -> str:
        code, _, rest = note.partition(" ")
        return f"<code>{_text(code)}</code> {_text(rest)}"

    def inlines(self, inlines: Sequence[Inline]) -> str:
        out: list[str] = []
        for inline in inlines:
            if isinstance(inline, Text):
                out.append(self.styled(_text(inline.text), inline))
            elif isinstance(inline, Tab):
                out.append("\t")
            elif isinstance(inline, Break):
                out.append("<br>")
            elif isinstance(inline, Field):
                out.append("")
        return "".join(out)

    def styled(self, content: str, inline: Text) -> str:
        if inline.underline:
            content = f"<u>{content}</u>"
        if inline.italic:
            content = f"<em>{content}</em>"
        if inline.bold:
            content = f"<strong>{content}</strong>"
        if inline.style:
            content = f'<span class="{_css_class(inline.style)}">{content}</span>'
        return content

    def table(self, table: Table) -> str:
        classes = f' class="{css_class(table.style)}"' if table.style else ""
        total = sum(table.widths) if table.widths else 0
        out = [f"<table{classes}>"]
        if table.widths:
            out.append(
                "<colgroup>"
                + "".join(f'<col style="width: {100 * w / total:.1f}%">' for w in table.widths)
                + "</colgroup>"
            )
        last = len(table.rows) - 1
        for index, row in enumerate(table.rows):
            header = row.header or (table.header and index == 0)
            totals = table.totals and index == last and not header
            cell_tag = "th" if header else "td"
            row_class = ' class="totals"' if totals else ""
            cells = []
            for cell in row.cells:
                attributes = f' colspan="{cell.span}"' if cell.span > 1 else ""
                if cell.align:
                    attributes += f' style="text-align: {cell.align}"'
                if len(cell.paragraphs) == 1 and not cell.paragraphs[0].style:
                    content = self.inlines(cell.paragraphs[0].inlines)  # plain cell text
                else:
                    content = "".join(self.paragraph(p) for p in cell.paragraphs)
                cells.append(f"<{cell_tag}{attributes}>{content}</{cell_tag}>")
            out.append(f"<tr{row_class}>{''.join(cells)}</tr>")
        out.append("</table>")
        return "\n".join(out)
