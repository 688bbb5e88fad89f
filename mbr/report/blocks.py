"""The blocks a report is made of, shared by the .docx and HTML writers.

mbr.report.markup reads them from what a template renders; see there for
the markup language itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

FIELDS = ("PAGE", "NUMPAGES")
ALIGNMENTS = ("left", "center", "right", "justify")


@dataclass(slots=True)
class Text:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    style: str | None = None  # a character style name


@dataclass(slots=True)
class Tab:
    # "right": jump to a right-aligned stop at the right margin, whatever tab
    # stops the paragraph's style defines (for left/right page headers).
    align: str | None = None


@dataclass(slots=True)
class Break:
    pass


@dataclass(slots=True)
class Field:
    name: str  # one of FIELDS
    bold: bool = False
    italic: bool = False
    underline: bool = False
    style: str | None = None


Inline = Text | Tab | Break | Field


@dataclass(slots=True)
class Paragraph:
    style: str | None
    inlines: list[Inline]
    entry: str | None = None  # the entry this paragraph shows (draft comments attach here)
    align: str | None = None
    page_break_before: bool = False


@dataclass(slots=True)
class Cell:
    paragraphs: list[Paragraph]
    span: int = 1
    align: str | None = None


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    header: bool = False


@dataclass(slots=True)
class Table:
    style: str | None
    rows: list[Row]
    widths: list[float] | None = None  # relative column widths
    header: bool = False  # the first row is a header (styled, repeated on each page)
    totals: bool = False  # the last row is a totals row (styled)

    @property
    def columns(self) -> int:
        return max((sum(cell.span for cell in row.cells) for row in self.rows), default=0)


@dataclass(slots=True)
class PageBreak:
    pass


Block = Paragraph | Table | PageBreak


class RunParagraph(NamedTuple):
    """A paragraph of plain runs: what every entry paragraph of the built-in
    templates is. The .docx writer reads these from `MarkupStream.items()`
    instead of Paragraph objects, which for 50,000 entries saves building
    and walking a quarter of a million objects. Equal in meaning to
    `paragraph()`, which is what `MarkupStream.blocks()` gives instead.
    """

    style: str | None
    runs: list[tuple[str, str | None]]  # (text, character style), trimmed like a Paragraph's
    entry: str | None
    align: str | None
    page_break_before: bool

    def paragraph(self) -> Paragraph:
        inlines: list[Inline] = [Text(text, style=style) for text, style in self.runs]
        return Paragraph(self.style, inlines, self.entry, self.align, self.page_break_before)


@dataclass
class ReportMarkup:
    """Parsed markup, all at once (MarkupStream reads it a block at a time)."""

    title: str = ""
    subject: str = ""
    author: str = ""
    header: list[Paragraph] | None = None  # None: keep the reference document's header
    footer: list[Paragraph] | None = None
    body: list[Block] = field(default_factory=list)
    paragraph_styles: set[str] = field(default_factory=set)
    character_styles: set[str] = field(default_factory=set)
    table_styles: set[str] = field(default_factory=set)

    def blocks(self) -> Iterator[Block]:
        return iter(self.body)


class Markup(Protocol):
    """What the writers read: document properties, header, footer and blocks."""

    title: str
    subject: str
    author: str
    header: list[Paragraph] | None
    footer: list[Paragraph] | None

    def blocks(self) -> Iterator[Block]: ...
