"""Report markup blocks -> WordprocessingML text (w:p, w:tbl, w:comment).

The XML is built as text and parsed once by the caller: for 50,000 entries
that is several times faster than creating each element through lxml or
python-docx. Every piece of text goes through `_text`/`_attr`, so entry
content is escaped; element order inside w:pPr, w:rPr, w:tblPr and w:tcPr
follows the ECMA-376 schema (Word rejects other orders).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from mbr.report.blocks import Block, Break, Field, Inline, Paragraph, Tab, Table, Text

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
    if value != value.strip() or "  " in value:
        return f'<w:t xml:space="preserve">{_text(value)}</w:t>'
    return f"<w:t>{_text(value)}</w:t>"


@dataclass(frozen=True)
class CommentNote:
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
        self.comment_xml: list[str] = []
        self.entry_paragraphs = 0  # paragraphs that show an entry, for progress
        self._ids: dict[tuple[str, str], str] = {}

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

    def paragraph(self, paragraph: Paragraph, out: list[str]) -> None:
        out.append("<w:p>")
        inlines = paragraph.inlines
        right_tab = any(isinstance(i, Tab) and i.align == "right" for i in inlines)
        if paragraph.style or paragraph.align or paragraph.page_break_before or right_tab:
            out.append("<w:pPr>")  # schema order: pStyle, pageBreakBefore, tabs, jc
            style = self.style_id("paragraph", paragraph.style) if paragraph.style else None
            if style:
                out.append(f'<w:pStyle w:val="{style}"/>')
            if paragraph.page_break_before:
                out.append("<w:pageBreakBefore/>")
            if right_tab:
                self._right_tab_stop(style, out)
            if paragraph.align:
                out.append(f'<w:jc w:val="{_JUSTIFY[paragraph.align]}"/>')
            out.append("</w:pPr>")
        if paragraph.entry:
            self.entry_paragraphs += 1
        ids = [self._comment(note) for note in self.comments.get(paragraph.entry or "", ())]
        for comment_id in ids:
            out.append(f'<w:commentRangeStart w:id="{comment_id}"/>')
        for inline in inlines:
            self.inline(inline, out)
        if ids:
            reference = self.style_id("character", "annotation reference")
            for comment_id in ids:
                out.append(
                    f'<w:commentRangeEnd w:id="{comment_id}"/><w:r><w:rPr>'
                    f'<w:rStyle w:val="{reference}"/></w:rPr>'
                    f'<w:commentReference w:id="{comment_id}"/></w:r>'
                )
        out.append("</w:p>")

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
        comment_id = str(len(self.comment_xml))
        text_style = self.style_id("paragraph", "annotation text")
        reference = self.style_id("character", "annotation reference")
        parts = [
            f'<w:comment w:id="{comment_id}" w:author="{_attr(note.author)}" '
            f'w:date="{self.comment_date}" w:initials="{_attr(note.initials)}">'
        ]
        for index, line in enumerate(note.text.split("\n")):
            parts.append(f'<w:p><w:pPr><w:pStyle w:val="{text_style}"/></w:pPr>')
            if index == 0:
                parts.append(
                    f'<w:r><w:rPr><w:rStyle w:val="{reference}"/></w:rPr><w:annotationRef/></w:r>'
                )
            parts.append(f"<w:r>{_t(line)}</w:r></w:p>")
        parts.append("</w:comment>")
        self.comment_xml.append("".join(parts))
        return comment_id
