"""Report markup blocks -> WordprocessingML text (w:p, w:tbl, w:comment).

The XML is built as text and parsed once by the caller: for 50,000 entries
that is several times faster than creating each element through lxml or
python-docx. Every piece of text goes through `_text`/`_attr`, so entry
content is escaped; element order inside w:pPr, w:rPr, w:tblPr and w:tcPr
follows the ECMA-376 schema (Word rejects other orders).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

from mbr.report.blocks import (
    Block,
    Break,
    Field,
    Inline,
    Paragraph,
    RunParagraph,
    Tab,
    Table,
    Text,
)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NAMESPACES = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}"'

_JUSTIFY = {"left": "left", "center": "center", "right": "right", "justify": "both"}


def _text(value: str) -> str:
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;")


def _t(value: str) -> str:
    """A w:t element; spaces at the ends or doubled are kept only when marked."""
    # value != value.strip(), without copying the text: whitespace at either end.
    if value[:1].isspace() or value[-1:].isspace() or "  " in value:
        return f'<w:t xml:space="preserve">{_text(value)}</w:t>'
    return f"<w:t>{_text(value)}</w:t>"


class CommentNote(NamedTuple):
    """A comment to attach to every paragraph showing an entry (draft reports)."""

    text: str  # lines become paragraphs of the comment
    author: str = "mbr"
    initials: str = "mbr"


class WordML:
    """Writes blocks as WordprocessingML; resolves style names to style ids.

    `style_id(kind, name)` maps a style name the template used to the id in
    the output's styles.xml; `tab_positions(style_id)` gives the tab stops a
    paragraph style sets (to clear them for a right-aligned tab).
    """

    def __init__(
        self,
        *,
        style_id: Callable[[str, str], str],
        tab_positions: Callable[[str | None], set[str]],
        text_width: int,
        comments: Mapping[str, Sequence[CommentNote]],
        comment_date: str,
    ) -> None:
        self._lookup = style_id
        self._tab_positions = tab_positions
        self.text_width = text_width
        self.comments = comments
        self.comment_date = comment_date
        # Comments not yet taken by the writer (it drains this as it goes);
        # `comment_count` counts every comment written, and numbers them.
        self.comment_xml: list[str] = []
        self.comment_count = 0
        self.entry_paragraphs = 0  # paragraphs that show an entry, for progress
        self._ids: dict[tuple[str, str], str] = {}
        self._paragraph_openings: dict[tuple[str | None, str | None, bool, bool], str] = {}
        self._runs: dict[tuple[str | None, bool, bool, bool], str] = {}
        self._comment_openings: dict[tuple[str, str], tuple[str, str, str]] = {}

    def style_id(self, kind: str, name: str) -> str:
        key = (kind, name)
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = _attr(self._lookup(kind, name))
        return found

    # -- blocks -------------------------------------------------------------

    def blocks(self, blocks: Iterable[Block], out: list[str]) -> None:
        for block in blocks:
            if isinstance(block, Paragraph):
                self.paragraph(block, out)
            elif isinstance(block, Table):
                self.table(block, out)
            else:  # PageBreak
                out.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')

    def item(self, item: Block | RunParagraph, out: list[str]) -> None:
        """A block, or a paragraph of plain runs (see MarkupStream.items)."""
        if isinstance(item, RunParagraph):
            self.run_paragraph(item, out)
        else:
            self.blocks((item,), out)

    def paragraph(self, paragraph: Paragraph, out: list[str]) -> None:
        # The paragraph properties and each run's opening (<w:r> and its
        # properties) are worked out once per combination and reused.
        inlines = paragraph.inlines
        right_tab = False
        for inline in inlines:
            if type(inline) is Tab and inline.align == "right":
                right_tab = True
                break
        ids = self._open(
            paragraph.style, paragraph.align, paragraph.page_break_before, right_tab,
            paragraph.entry, out,
        )
        runs = self._runs
        for inline in inlines:
            if type(inline) is Text:
                run = runs.get((inline.style, inline.bold, inline.italic, inline.underline))
                if run is None:
                    run = self._run_opening(inline)
                out.append(f"{run}{_t(inline.text)}</w:r>")
            else:
                self.inline(inline, out)
        self._close(ids, out)

    def run_paragraph(self, paragraph: RunParagraph, out: list[str]) -> None:
        """The same WordprocessingML as `paragraph(paragraph.paragraph())`."""
        ids = self._open(
            paragraph.style, paragraph.align, paragraph.page_break_before, False,
            paragraph.entry, out,
        )
        runs = self._runs
        for text, style in paragraph.runs:
            run = runs.get((style, False, False, False))
            if run is None:
                run = self._run_opening(Text(text, style=style))
            out.append(f"{run}{_t(text)}</w:r>")
        self._close(ids, out)

    def _open(
        self,
        style: str | None,
        align: str | None,
        page_break_before: bool,
        right_tab: bool,
        entry: str | None,
        out: list[str],
    ) -> list[str]:
        """<w:p>, its properties and the start of its comments; the comment ids."""
        key = (style, align, page_break_before, right_tab)
        opening = self._paragraph_openings.get(key)
        if opening is None:
            opening = self._paragraph_opening(style, align, page_break_before, right_tab)
            self._paragraph_openings[key] = opening
        out.append(opening)
        if entry:
            self.entry_paragraphs += 1
        notes = self.comments.get(entry or "") if self.comments else None
        if not notes:
            return []
        ids = [self._comment(note) for note in notes]
        for comment_id in ids:
            out.append(f'<w:commentRangeStart w:id="{comment_id}"/>')
        return ids

    def _close(self, ids: list[str], out: list[str]) -> None:
        if ids:
            reference = self.style_id("character", "annotation reference")
            for comment_id in ids:
                out.append(
                    f'<w:commentRangeEnd w:id="{comment_id}"/><w:r><w:rPr>'
                    f'<w:rStyle w:val="{reference}"/></w:rPr>'
                    f'<w:commentReference w:id="{comment_id}"/></w:r>'
                )
        out.append("</w:p>")

    def _paragraph_opening(
        self, style_name: str | None, align: str | None, page_break_before: bool, right_tab: bool
    ) -> str:
        out = ["<w:p>"]
        if style_name or align or page_break_before or right_tab:
            out.append("<w:pPr>")  # schema order: pStyle, pageBreakBefore, tabs, jc
            style = self.style_id("paragraph", style_name) if style_name else None
            if style:
                out.append(f'<w:pStyle w:val="{style}"/>')
            if page_break_before:
                out.append("<w:pageBreakBefore/>")
            if right_tab:
                self._right_tab_stop(style, out)
            if align:
                out.append(f'<w:jc w:val="{_JUSTIFY[align]}"/>')
            out.append("</w:pPr>")
        return "".join(out)

    def _run_opening(self, inline: Text) -> str:
        run = "<w:r>" + self._run_properties(inline)
        self._runs[(inline.style, inline.bold, inline.italic, inline.underline)] = run
        return run

    def _right_tab_stop(self, style: str | None, out: list[str]) -> None:
        """One right-aligned stop at the margin; the style's own stops are cleared
        so that a single tab reaches it (Word's Header style has a centre stop)."""
        margin = str(self.text_width)
        out.append("<w:tabs>")
        for position in sorted(self._tab_positions(style) - {margin}, key=int):
            out.append(f'<w:tab w:val="clear" w:pos="{position}"/>')
        out.append(f'<w:tab w:val="right" w:pos="{margin}"/></w:tabs>')

    def inline(self, inline: Inline, out: list[str]) -> None:
        if isinstance(inline, Text):
            out.append(f"<w:r>{self._run_properties(inline)}{_t(inline.text)}</w:r>")
        elif isinstance(inline, Tab):
            out.append("<w:r><w:tab/></w:r>")
        elif isinstance(inline, Break):
            out.append("<w:r><w:br/></w:r>")
        elif isinstance(inline, Field):
            out.append(
                f'<w:fldSimple w:instr=" {inline.name} ">'
                f"<w:r>{self._run_properties(inline)}<w:t>1</w:t></w:r></w:fldSimple>"
            )

    def _run_properties(self, inline: Text | Field) -> str:
        if not (inline.style or inline.bold or inline.italic or inline.underline):
            return ""
        parts = ["<w:rPr>"]  # schema order: rStyle, b, i, ..., u
        if inline.style:
            parts.append(f'<w:rStyle w:val="{self.style_id("character", inline.style)}"/>')
        if inline.bold:
            parts.append("<w:b/>")
        if inline.italic:
            parts.append("<w:i/>")
        if inline.underline:
            parts.append('<w:u w:val="single"/>')
        parts.append("</w:rPr>")
        return "".join(parts)

    # -- tables -------------------------------------------------------------

    def table(self, table: Table, out: list[str]) -> None:
        columns = table.columns
        widths = self.column_widths(table, columns)
        out.append("<w:tbl><w:tblPr>")  # schema order: tblStyle, tblW, tblLayout, tblLook
        if table.style:
            out.append(f'<w:tblStyle w:val="{self.style_id("table", table.style)}"/>')
        out.append(f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>')
        look = 0x0600 | (0x0020 if table.header else 0) | (0x0040 if table.totals else 0)
        out.append(
            f'<w:tblLook w:val="{look:04X}" w:firstRow="{int(table.header)}" '
            f'w:lastRow="{int(table.totals)}" w:firstColumn="0" w:lastColumn="0" '
            'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>'
        )
        out.extend(f'<w:gridCol w:w="{width}"/>' for width in widths)
        out.append("</w:tblGrid>")
        for row in table.rows:
            out.append("<w:tr>")
            if row.header:
                out.append("<w:trPr><w:tblHeader/></w:trPr>")
            column = 0
            for cell in row.cells:
                span = max(min(cell.span, columns - column), 1)
                self._cell(cell.paragraphs, sum(widths[column : column + span]), span, out)
                column += span
            while column < columns:  # a short row is padded so every row spans the grid
                self._cell((), widths[column], 1, out)
                column += 1
            out.append("</w:tr>")
        out.append("</w:tbl>")

    def _cell(self, paragraphs: Sequence[Paragraph], width: int, span: int, out: list[str]) -> None:
        out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>')
        if span > 1:
            out.append(f'<w:gridSpan w:val="{span}"/>')
        out.append("</w:tcPr>")
        for paragraph in paragraphs:
            self.paragraph(paragraph, out)
        if not paragraphs:  # a cell must end with a paragraph
            out.append("<w:p/>")
        out.append("</w:tc>")

    def column_widths(self, table: Table, columns: int) -> list[int]:
        """Relative widths scaled to the text width, in twips; missing ones count 1."""
        relative = list(table.widths or [])[:columns]
        relative += [1.0] * (columns - len(relative))
        total = sum(relative)
        widths = [int(self.text_width * part / total) for part in relative]
        widths[-1] += self.text_width - sum(widths)  # rounding: fill the line exactly
        return widths

    # -- comments -----------------------------------------------------------

    def _comment(self, note: CommentNote) -> str:
        comment_id = str(self.comment_count)
        self.comment_count += 1
        key = (note.author, note.initials)
        opening = self._comment_openings.get(key)
        if opening is None:
            opening = self._comment_openings[key] = self._comment_opening(note)
        attributes, first_line, next_line = opening
        lines = note.text.split("\n")
        parts = [f'<w:comment w:id="{comment_id}"{attributes}>']
        for index, line in enumerate(lines):
            # An empty line as lxml writes it: the comments part used to be parsed
            # and serialized by lxml, and its bytes stay the same.
            text = _t(line) if line else "<w:t/>"
            parts.append(f"{first_line if index == 0 else next_line}<w:r>{text}</w:r></w:p>")
        parts.append("</w:comment>")
        self.comment_xml.append("".join(parts))
        return comment_id

    def _comment_opening(self, note: CommentNote) -> tuple[str, str, str]:
        """A comment's attributes after its id, and the start of its first and
        of its other lines (the first carries the annotation mark)."""
        text_style = self.style_id("paragraph", "annotation text")
        reference = self.style_id("character", "annotation reference")
        attributes = (
            f' w:author="{_attr(note.author)}" w:date="{self.comment_date}" '
            f'w:initials="{_attr(note.initials)}"'
        )
        next_line = f'<w:p><w:pPr><w:pStyle w:val="{text_style}"/></w:pPr>'
        first_line = (
            f'{next_line}<w:r><w:rPr><w:rStyle w:val="{reference}"/></w:rPr>'
            "<w:annotationRef/></w:r>"
        )
        return attributes, first_line, next_line
