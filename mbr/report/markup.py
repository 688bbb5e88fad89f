"""Report markup: the small XML language a report template renders.

A template produces, for example:

    <report title="..." subject="..." author="...">
      <header><para style="Header">Org<tab align="right"/>Internal</para></header>
      <footer><para style="Footer">Page <field name="PAGE"/></para></footer>
      <title>Org Monthly Business Review — November 2024</title>
      <heading level="1" page-break-before="1">Wins</heading>
      <para style="Entry" entry="e1"><run style="Lead-in">Acme.</run> Text</para>
      <table style="Report Table" widths="2,1" header="1" totals="1">
        <row header="1"><cell>Team</cell><cell align="right">Wins</cell></row>
      </table>
      <pagebreak/>
    </report>

`MarkupStream` reads it as it is rendered and yields the blocks the .docx
and HTML writers share; `parse_markup` reads a whole string at once.
Inside a paragraph, whitespace that holds a line break (template
indentation) becomes one space and is trimmed at the paragraph's ends; any
other text is kept exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from lxml import etree

from mbr.errors import TemplateError
from mbr.report.blocks import (
    ALIGNMENTS,
    FIELDS,
    Block,
    Break,
    Cell,
    Field,
    Inline,
    Markup,
    PageBreak,
    Paragraph,
    ReportMarkup,
    Row,
    RunParagraph,
    Tab,
    Table,
    Text,
)

__all__ = [
    "Block",
    "Break",
    "Field",
    "Inline",
    "Markup",
    "MarkupStream",
    "PageBreak",
    "Paragraph",
    "ReportMarkup",
    "RunParagraph",
    "Tab",
    "Table",
    "Text",
    "parse_markup",
]

_NEWLINE_SPACE = re.compile(r"[ \t\r]*\n[ \t\r\n]*")
_CHUNK = 1 << 16  # characters fed to the XML parser at a time (parse_markup)
_BATCH_PIECES = 1024  # template output strings joined into one feed of the parser
_SYNTAX_HINT = (
    "check the tags the template writes around that point; entry text is escaped "
    "automatically, so do not mark it `|safe`"
)


def parse_markup(text: str, *, origin: str) -> ReportMarkup:
    """Parse rendered markup; `origin` names the template in error messages."""
    pieces = (text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK))
    stream = MarkupStream(pieces, origin=origin)
    body = list(stream.blocks())
    return ReportMarkup(
        title=stream.title,
        subject=stream.subject,
        author=stream.author,
        header=stream.header,
        footer=stream.footer,
        body=body,
        paragraph_styles=stream.paragraph_styles,
        character_styles=stream.character_styles,
        table_styles=stream.table_styles,
    )


class MarkupStream:
    """Markup read as the template renders it, one body block at a time.

    A 50,000-entry report never exists as one string or one XML tree: chunks
    of template output go into a pull parser, and each finished top-level
    element becomes a block and is dropped. `title`, `header`, `footer` and
    the style sets are filled in as they are met, so they are complete once
    `blocks()` is exhausted.
    """

    def __init__(self, chunks: Iterable[str], *, origin: str) -> None:
        self.title = ""
        self.subject = ""
        self.author = ""
        self.header: list[Paragraph] | None = None
        self.footer: list[Paragraph] | None = None
        self.paragraph_styles: set[str] = set()
        self.character_styles: set[str] = set()
        self.table_styles: set[str] = set()
        self.chunks = chunks
        self.reader = _Reader(origin, self)

    def blocks(self) -> Iterator[Block]:
        """The body, block by block (read once: the chunks are consumed)."""
        for item in self._read(plain_runs=False):
            assert not isinstance(item, RunParagraph)
            yield item

    def items(self) -> Iterator[Block | RunParagraph]:
        """As `blocks()`, except that a paragraph of plain runs comes as a
        RunParagraph (cheaper to make and to write), for the .docx writer."""
        return self._read(plain_runs=True)

    def _read(self, *, plain_runs: bool) -> Iterator[Block | RunParagraph]:
        self.reader.plain_runs = plain_runs
        parser = etree.XMLPullParser(
            events=("start", "end"),
            encoding="utf-8",  # whatever an <?xml encoding=...?> in the template says
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
        )
        events = _Events(self.reader)
        for chunk in self._batches():
            self._feed(parser.feed, chunk)
            yield from events.read(parser.read_events())
        self._feed(lambda _: parser.close(), b"")
        yield from events.read(parser.read_events())
        if not events.finished:
            raise self.reader.fail_at(0, "the markup has no <report> element")

    def _batches(self) -> Iterator[bytes]:
        """The chunks as UTF-8, a few thousand at a time.

        Jinja yields many tiny strings; the parser is faster fed fewer, larger
        ones, and islice takes them from the generator in C, without a Python
        step per string. Each is encoded on its own: most are ASCII (a plain
        copy), where the joined text would be two bytes a character (one
        "—" makes it so) and slow to encode.
        """
        iterator = iter(self.chunks)
        while True:
            pieces = list(islice(iterator, _BATCH_PIECES))
            if not pieces:
                return
            try:
                batch = b"".join(map(str.encode, pieces))
            except UnicodeEncodeError as exc:  # a lone surrogate the template wrote itself
                raise TemplateError(
                    f"template {self.reader.origin} produced text that cannot be written: "
                    f"{exc.reason} ({exc.object[exc.start:exc.end]!r})",
                    hint="remove the character from the template or the value it prints",
                ) from None
            yield batch

    def _feed(self, feed: Callable[[bytes], object], chunk: bytes) -> None:
        try:
            feed(chunk)
        except etree.XMLSyntaxError as exc:
            raise TemplateError(
                f"template {self.reader.origin} produced invalid report markup at line "
                f"{exc.lineno or 0} of its output: {exc.msg}",
                hint=_SYNTAX_HINT,
            ) from None


class _Events:
    """Turns parser events into blocks: each child of <report> when it ends."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.depth = 0
        self.root: etree._Element | None = None
        self.finished = False

    def read(
        self, events: Iterable[tuple[str, etree._Element]]
    ) -> Iterator[Block | RunParagraph]:
        reader = self.reader
        for event, element in events:
            if event == "start":
                if self.depth == 0:
                    self.root = element
                    reader.start(element)
                self.depth += 1
                continue
            self.depth -= 1
            if self.depth == 1:  # a child of <report> is complete
                self._drop_previous(element)
                block = reader.top_level(element)
                if block is not None:
                    yield block
            elif self.depth == 0:
                self._drop_previous(None)
                self.finished = True

    def _drop_previous(self, element: etree._Element | None) -> None:
        """Check and free what came before `element` (None: all of it, at the end).

        Text between blocks is only complete once the next block starts, so
        that is when it is checked for stray words.
        """
        root = self.root
        if root is None:
            return
        if root.text and root.text.strip():
            raise self.reader.fail(root, "text directly inside <report>; put it in a <para>")
        done = []
        for child in root:  # only the few children before `element` are visited
            if child is element:
                break
            if child.tail and child.tail.strip():
                raise self.reader.fail(child, "text directly inside <report>; put it in a <para>")
            done.append(child)
        for child in done:
            root.remove(child)


class _Reader:
    def __init__(self, origin: str, markup: MarkupStream) -> None:
        self.origin = origin
        self.markup = markup
        self.plain_runs = False  # give paragraphs of plain runs as RunParagraph

    def fail(self, element: etree._Element, message: str) -> TemplateError:
        return self.fail_at(element.sourceline, message)

    def fail_at(self, line: int | None, message: str) -> TemplateError:
        return TemplateError(
            f"template {self.origin}: {message} (line {line} of its output)",
            hint="see templates/README.md for the elements a template can write",
        )

    def start(self, root: etree._Element) -> None:
        if root.tag != "report":
            raise self.fail(root, f"the markup must start with <report>, not <{root.tag}>")
        markup = self.markup
        markup.title = root.get("title", "")
        markup.subject = root.get("subject", "")
        markup.author = root.get("author", "")

    def top_level(self, child: etree._Element) -> Block | RunParagraph | None:
        """The block a child of <report> makes; None for a header or footer."""
        tag = child.tag
        if tag == "para" and self.plain_runs:
            plain = self.run_paragraph(child)
            if plain is not None:
                return plain
        if tag == "header":
            self.markup.header = self.paragraph_list(child)
            return None
        if tag == "footer":
            self.markup.footer = self.paragraph_list(child)
            return None
        if tag == "table":
            return self.table(child)
        if tag == "pagebreak":
            return PageBreak()
        return self.paragraph(child)

    def no_loose_text(self, element: etree._Element) -> None:
        loose = [element.text, *(child.tail for child in element)]
        if any(part and part.strip() for part in loose):
            raise self.fail(element, f"text directly inside <{element.tag}>; put it in a <para>")

    def paragraph_list(self, element: etree._Element) -> list[Paragraph]:
        self.no_loose_text(element)
        return [self.paragraph(child) for child in element]

    def paragraph(self, element: etree._Element, default_style: str | None = None) -> Paragraph:
        tag = element.tag
        if tag == "para":
            style = element.get("style") or default_style
        elif tag == "title":
            style = "Title"
        elif tag == "heading":
            level = element.get("level", "1")
            if level not in ("1", "2", "3", "4", "5", "6"):
                raise self.fail(element, f'<heading level="{level}">: the level must be 1 to 6')
            style = f"Heading {level}"
        else:
            raise self.fail(
                element,
                f"unknown element <{tag}>; a block is one of <para>, <title>, <heading>, "
                "<table>, <pagebreak>",
            )
        if style:
            self.markup.paragraph_styles.add(style)
        # The hot path of a large report: one call per entry paragraph. Runs
        # are only descended into when they hold elements (len() is C-fast).
        inlines: list[Inline] = []
        text = element.text
        if text:
            inlines.append(Text(_spaces(text)))
        if len(element):
            self.inline_children(element, inlines, False, False, False, None)
        return Paragraph(
            style,
            _trim(inlines),
            element.get("entry"),
            self.alignment(element),
            element.get("page-break-before") == "1",
        )

    def run_paragraph(self, element: etree._Element) -> RunParagraph | None:
        """A <para> of text and <run>s holding only text, as a RunParagraph; None
        for anything else (<b>, <tab/>, runs in runs, b="1", a bad align ...),
        which `paragraph` then reads, errors and all.

        The same paragraph `paragraph` would make, with less work: no inline
        objects, no recursion. Nothing is recorded until it is known to apply.
        """
        align: str | None = element.get("align")
        if align is not None and align not in ALIGNMENTS:
            return None
        runs: list[tuple[str, str | None]] = []
        text = element.text
        if text:
            runs.append((_spaces(text), None))
        run_styles: list[str] = []
        for child in element:
            if child.tag != "run" or len(child) or child.get("b") == "1" or child.get("i") == "1":
                return None
            run_style: str | None = child.get("style") or None
            if run_style:
                run_styles.append(run_style)
            text = child.text
            if text:
                runs.append((_spaces(text), run_style))
            tail = child.tail
            if tail:
                runs.append((_spaces(tail), None))
        style: str | None = element.get("style") or None
        markup = self.markup
        if style:
            markup.paragraph_styles.add(style)
        markup.character_styles.update(run_styles)
        return RunParagraph(
            style,
            _trim_runs(runs),
            element.get("entry"),
            align,
            element.get("page-break-before") == "1",
        )

    def alignment(self, element: etree._Element) -> str | None:
        align: str | None = element.get("align")
        if align is not None and align not in ALIGNMENTS:
            raise self.fail(element, f'align="{align}" must be one of {", ".join(ALIGNMENTS)}')
        return align

    def inline_children(
        self,
        element: etree._Element,
        out: list[Inline],
        bold: bool,
        italic: bool,
        underline: bool,
        style: str | None,
    ) -> None:
        """The inlines of `element`'s children and the text after each, in order
        (`element.text` is the caller's); formatting is inherited downwards."""
        for child in element:
            tag = child.tag
            if tag == "run":
                child_style = child.get("style")
                if child_style:
                    self.markup.character_styles.add(child_style)
                    run_style: str | None = child_style
                else:
                    run_style = style
                run_bold = bold or child.get("b") == "1"
                run_italic = italic or child.get("i") == "1"
                text = child.text
                if text:
                    out.append(Text(_spaces(text), run_bold, run_italic, underline, run_style))
                if len(child):
                    self.inline_children(child, out, run_bold, run_italic, underline, run_style)
            elif tag == "b" or tag == "i" or tag == "u":
                run_bold = bold or tag == "b"
                run_italic = italic or tag == "i"
                run_underline = underline or tag == "u"
                text = child.text
                if text:
                    out.append(Text(_spaces(text), run_bold, run_italic, run_underline, style))
                if len(child):
                    self.inline_children(child, out, run_bold, run_italic, run_underline, style)
            else:
                out.append(
                    self.inline_element(child, tag, element.tag, bold, italic, underline, style)
                )
            tail = child.tail
            if tail:
                out.append(Text(_spaces(tail), bold, italic, underline, style))

    def inline_element(
        self,
        child: etree._Element,
        tag: str,
        parent_tag: str,
        bold: bool,
        italic: bool,
        underline: bool,
        style: str | None,
    ) -> Inline:
        if tag == "tab":
            align = child.get("align")
            if align not in (None, "right"):
                raise self.fail(child, f'<tab align="{align}">: the only alignment is right')
            return Tab(align)
        if tag == "br":
            return Break()
        if tag == "field":
            name = (child.get("name") or "").upper()
            if name not in FIELDS:
                raise self.fail(child, f'<field name="{name}">: known are PAGE, NUMPAGES')
            return Field(name, bold, italic, underline, style)
        raise self.fail(
            child,
            f"unknown element <{tag}> inside <{parent_tag}>; text can hold <b>, <i>, "
            "<u>, <run style=...>, <tab/>, <br/>, <field name=...>",
        )

    def table(self, element: etree._Element) -> Table:
        style = element.get("style")
        if style:
            self.markup.table_styles.add(style)
        self.no_loose_text(element)
        rows: list[Row] = []
        for row in element:
            if row.tag != "row":
                raise self.fail(row, f"<table> holds <row> elements, not <{row.tag}>")
            self.no_loose_text(row)
            cells = [self.cell(cell) for cell in row]
            if not cells:
                raise self.fail(row, "a <row> needs at least one <cell>")
            rows.append(Row(cells, header=row.get("header") == "1"))
        if not rows:
            raise self.fail(element, "a <table> needs at least one <row>")
        return Table(
            style=style,
            rows=rows,
            widths=self.widths(element),
            header=element.get("header") == "1",
            totals=element.get("totals") == "1",
        )

    def widths(self, element: etree._Element) -> list[float] | None:
        text = element.get("widths")
        if not text:
            return None
        try:
            widths = [float(part) for part in text.split(",")]
        except ValueError:
            widths = []
        if not widths or any(width <= 0 for width in widths):
            raise self.fail(element, f'widths="{text}" must be positive numbers, e.g. "2,1,1"')
        return widths

    def cell(self, element: etree._Element) -> Cell:
        if element.tag != "cell":
            raise self.fail(element, f"<row> holds <cell> elements, not <{element.tag}>")
        span_text = element.get("span", "1")
        if not span_text.isdigit() or int(span_text) < 1:
            raise self.fail(element, f'span="{span_text}" must be a whole number from 1')
        align = self.alignment(element)
        style = element.get("style")
        if len(element) and all(child.tag in _BLOCK_TAGS for child in element):
            self.no_loose_text(element)
            paragraphs = [self.paragraph(child, style) for child in element]
        else:  # plain text (with inline markup) makes one paragraph
            paragraphs = [self.paragraph_from_inline(element, style)]
        for paragraph in paragraphs:
            paragraph.align = paragraph.align or align
        return Cell(paragraphs, span=int(span_text), align=align)

    def paragraph_from_inline(self, element: etree._Element, style: str | None) -> Paragraph:
        if style:
            self.markup.paragraph_styles.add(style)
        inlines: list[Inline] = []
        text = element.text
        if text:
            inlines.append(Text(_spaces(text)))
        self.inline_children(element, inlines, False, False, False, None)
        return Paragraph(style=style, inlines=_trim(inlines), entry=element.get("entry"))


_BLOCK_TAGS = frozenset({"para", "title", "heading"})


def _spaces(text: str) -> str:
    """Whitespace holding a line break (template layout) becomes one space."""
    if "\n" not in text:
        return text
    if text == "\n":  # the line break after a tag, around every paragraph of a template
        return " "
    return _NEWLINE_SPACE.sub(" ", text)


def _trim(inlines: list[Inline]) -> list[Inline]:
    """Trim the spaces template layout leaves at a paragraph's two ends."""
    while inlines and isinstance(inlines[0], Text):
        first = inlines[0]
        first.text = first.text.lstrip(" ")
        if first.text:
            break
        del inlines[0]
    while inlines and isinstance(inlines[-1], Text):
        last = inlines[-1]
        last.text = last.text.rstrip(" ")
        if last.text:
            break
        del inlines[-1]
    return inlines


def _trim_runs(runs: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """`_trim` for a RunParagraph's (text, style) pairs."""
    while runs:
        text, style = runs[0]
        text = text.lstrip(" ")
        if text:
            runs[0] = (text, style)
            break
        del runs[0]
    while runs:
        text, style = runs[-1]
        text = text.rstrip(" ")
        if text:
            runs[-1] = (text, style)
            break
        del runs[-1]
    return runs
