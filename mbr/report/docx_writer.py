"""Report markup -> .docx, built on a reference document (as pandoc --reference-doc).

The output starts as the reference document — its styles, page set-up,
header/footer definitions, theme and settings — with the body emptied. The
template's <header>/<footer> replace the content of the reference's default
header/footer; a template without them keeps the reference's own. A style
the template uses but the reference lacks is copied from mbr's packaged
reference (see docx_styles), so a report is never silently unstyled.

This is the only module that imports python-docx. The body (and a draft's
comments) is written as WordprocessingML text (mbr.report.wordml), deflated
as it is written and spliced into the package where python-docx leaves a
mark, never parsed into a tree: writing is linear in the number of entries
(python-docx's add_paragraph searches for the section properties on every
call) and holds the text once, compressed.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.oxml.parser import parse_xml
from docx.parts.comments import CommentsPart
from lxml import etree

from mbr.errors import TemplateError
from mbr.report.blocks import Markup, Paragraph
from mbr.report.docx_styles import StyleBook, StyleResolver
from mbr.report.markup import MarkupStream
from mbr.report.package import Deflated, DeflateStream, zip_parts
from mbr.report.render import packaged_file
from mbr.report.wordml import NAMESPACES, W_NS, CommentNote, WordML

__all__ = ["CommentNote", "DocxOutput", "write_docx"]

_W = "{" + W_NS + "}"
_REFERENCE_HINT = (
    "pass a .docx saved by Word or LibreOffice, or start from templates/reference.docx"
)
_PROPERTY_LIMIT = 255  # characters in one core property
_CHUNK_PIECES = 1024  # pieces of XML text joined and deflated at a time (and progress reports)
_BODY_MARK = "mbr-body"  # a processing instruction where the body goes in document.xml
_COMMENTS_MARK = "mbr-comments"  # and where a draft's comments go in comments.xml
_DOCUMENT = "word/document.xml"
_BACKGROUND = True  # deflate on another core (zlib lets go of the GIL)

Progress = Callable[[int], None]  # called with the number of entry paragraphs just written


@dataclass
class DocxOutput:
    data: bytes
    notes: list[str] = field(default_factory=list)  # e.g. styles taken from mbr's defaults
    comments: int = 0


def write_docx(
    markup: Markup,
    *,
    reference: Path | None,
    timestamp: dt.datetime,
    comments: Mapping[str, Sequence[CommentNote]] | None = None,
    template_name: str = "the template",
    progress: Progress | None = None,
) -> DocxOutput:
    """Build the .docx for `markup` on `reference` (None: mbr's packaged reference).

    `comments` maps entry ids to the comments to attach to their paragraphs.
    `timestamp` dates the document, its comments and its zip entries, so the
    same inputs and timestamp give the same bytes. `progress(n)` is called
    as entry paragraphs are written.
    """
    document = _open_reference(reference)
    styles = StyleResolver(
        StyleBook(document.styles.element), packaged=_packaged_styles, template_name=template_name
    )
    reference_comments = _clear_reference_comments(document)
    body = document.element.body
    section = body.find(_W + "sectPr")
    wordml = WordML(
        style_id=styles.style_id,
        tab_positions=styles.tab_positions,
        text_width=_text_width(section),
        comments=comments or {},
        comment_date=_iso(timestamp),
    )
    for child in list(body):  # the reference's text goes; its section properties stay
        if child is not section:
            body.remove(child)
    body.insert(0, etree.ProcessingInstruction(_BODY_MARK))
    spliced: dict[str, _SplicedPart] = {}
    drafts = _CommentsWriter(document, reference_comments)
    try:
        body_part = spliced[_DOCUMENT] = _SplicedPart(document.element, _BODY_MARK, _DOCUMENT)
        _write_body(markup, wordml, body_part, drafts, progress)
        if markup.header is not None:
            _replace_story(document.sections[-1].header, markup.header, wordml)
        if markup.footer is not None:
            _replace_story(document.sections[-1].footer, markup.footer, wordml)
        drafts.write(wordml)
        comments_part = drafts.finish(document)  # created here, once, and only for a draft
        if comments_part is not None:
            spliced[comments_part.name] = comments_part
        _set_properties(document, markup, timestamp)
        skeleton = io.BytesIO()
        document.save(skeleton)
        data = _package(skeleton.getvalue(), spliced, timestamp)
    finally:  # stop the deflate threads, also when the template fails half way
        for part in spliced.values():
            part.close()
        drafts.close()
    return DocxOutput(data, styles.notes(), wordml.comment_count)


def _write_body(
    markup: Markup,
    wordml: WordML,
    body: _SplicedPart,
    drafts: _CommentsWriter,
    progress: Progress | None,
) -> None:
    """The body's paragraphs and tables, as WordprocessingML, into document.xml.

    Written as text a chunk at a time and deflated as it goes, never as an
    element tree: for 45,000 entries the tree took 160 MB, the compressed
    text takes 4 MB.
    """
    out: list[str] = []
    reported = 0
    items = markup.items() if isinstance(markup, MarkupStream) else markup.blocks()
    for item in items:
        wordml.item(item, out)
        if len(out) >= _CHUNK_PIECES:
            body.write(out)
            drafts.write(wordml)
            if progress is not None and wordml.entry_paragraphs > reported:
                progress(wordml.entry_paragraphs - reported)
                reported = wordml.entry_paragraphs
    body.write(out)
    if progress is not None and wordml.entry_paragraphs > reported:
        progress(wordml.entry_paragraphs - reported)


class _SplicedPart:
    """A part whose XML mbr writes as text into a mark python-docx serializes.

    `head` is the part's serialization up to the mark, taken before any text
    is written; `finish` checks it against what python-docx saved and adds
    the rest. Nothing mbr changes after the start comes before the mark (the
    section properties, where header references are added, follow it).
    """

    def __init__(self, root: Any, mark: str, name: str = "") -> None:
        self.name = name
        self.mark = etree.tostring(etree.ProcessingInstruction(mark))  # b"<?mark ?>"
        self.head = serialize_part_xml(root).partition(self.mark)[0]
        self.stream = DeflateStream(background=_BACKGROUND)
        self.stream.write(self.head)

    def write(self, pieces: list[str]) -> None:
        if pieces:
            # Piece by piece: most are ASCII (a plain copy), where the joined
            # text would be two bytes a character (one "—" makes it so).
            self.stream.write(b"".join(map(str.encode, pieces)))
            pieces.clear()

    def finish(self, saved: bytes) -> Deflated:
        head, found, tail = saved.partition(self.mark)
        if not found or head != self.head:  # pragma: no cover - see the class docstring
            raise RuntimeError(f"the text placeholder in {self.name or 'a part'} has moved")
        self.stream.write(tail)
        return self.stream.finish()

    def close(self) -> None:
        self.stream.close()


class _CommentsWriter:
    """A draft's comments part, written as the body is.

    The part is python-docx's default comments part (or the reference's own,
    emptied), made when the first comment is written and added to the
    document at the end, where it always was, so relationship ids and part
    order do not change.
    """

    def __init__(self, document: Any, reference_part: Any) -> None:
        self.document = document
        self.reference_part = reference_part
        self.part: Any = None
        self.spliced: _SplicedPart | None = None
        # A reference whose comments part binds the main namespace to another
        # prefix gets its comments parsed into the tree, as lxml then picks
        # the prefix; every part python-docx or Word writes uses w:.
        self.in_tree: list[str] | None = None

    def write(self, wordml: WordML) -> None:
        pieces = wordml.comment_xml
        if not pieces:
            return
        if self.part is None:
            self._start()
        if self.in_tree is not None:
            self.in_tree.extend(pieces)
            pieces.clear()
        elif self.spliced is not None:
            self.spliced.write(pieces)

    def _start(self) -> None:
        part = self.reference_part
        if part is None:
            part = CommentsPart.default(self.document.part.package)
        self.part = part
        root = part.element
        if root.nsmap.get("w") != W_NS:
            self.in_tree = []
            return
        root.append(etree.ProcessingInstruction(_COMMENTS_MARK))
        self.spliced = _SplicedPart(root, _COMMENTS_MARK, part.partname.membername)

    def finish(self, document: Any) -> _SplicedPart | None:
        """Add the comments part to the document; the part to splice, if any."""
        if self.part is None:
            return None
        if self.part is not self.reference_part:
            document.part.relate_to(self.part, RT.COMMENTS)
        if self.in_tree is not None:
            parsed = parse_xml(f"<w:comments {NAMESPACES}>{''.join(self.in_tree)}</w:comments>")
            self.part.element.extend(list(parsed))
        return self.spliced

    def close(self) -> None:
        if self.spliced is not None:
            self.spliced.close()


def _open_reference(reference: Path | None) -> Any:
    if reference is None:
        return docx.Document(io.BytesIO(packaged_file("reference.docx")))
    try:
        data = reference.read_bytes()
    except FileNotFoundError:
        raise TemplateError(
            f"reference document not found: {reference}", hint=_REFERENCE_HINT
        ) from None
    except OSError as exc:
        raise TemplateError(
            f"cannot read reference document {reference}: {exc.strerror}", hint=_REFERENCE_HINT
        ) from None
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # a broken package fails in zipfile, lxml or python-docx
        raise TemplateError(
            f"reference document {reference} is not a usable .docx: {exc}", hint=_REFERENCE_HINT
        ) from None


def _packaged_styles() -> StyleBook:
    return StyleBook(docx.Document(io.BytesIO(packaged_file("reference.docx"))).styles.element)


def _text_width(section: Any) -> int:
    """The width between the margins, in twentieths of a point (twips)."""
    width, left, right = 12240, 1440, 1440  # Word's defaults: Letter, 1 inch margins
    if section is not None:
        size = section.find(_W + "pgSz")
        margins = section.find(_W + "pgMar")
        if size is not None:
            width = _twips(size.get(_W + "w"), width)
        if margins is not None:
            left = _twips(margins.get(_W + "left"), left)
            right = _twips(margins.get(_W + "right"), right)
    return max(width - left - right, 1440)


def _twips(value: str | None, default: int) -> int:
    try:
        return int(float(value)) if value is not None else default
    except ValueError:
        return default


def _replace_story(story: Any, paragraphs: Sequence[Paragraph], wordml: WordML) -> None:
    """Put the template's paragraphs into a header or footer, replacing its content."""
    story.is_linked_to_previous = False  # gives the section its own definition
    element = story.part.element
    for child in list(element):
        element.remove(child)
    out = [f"<w:hdr {NAMESPACES}>"]
    for paragraph in paragraphs:
        wordml.paragraph(paragraph, out)
    if not paragraphs:  # a header must hold at least one paragraph
        out.append("<w:p/>")
    out.append("</w:hdr>")
    element.extend(list(parse_xml("".join(out))))


def _clear_reference_comments(document: Any) -> Any:
    """Empty a comments part that came with the reference: its comments pointed
    into the body that was removed. Returns the part a draft's comments go
    into (None: there is none yet)."""
    for rel in document.part.rels.values():
        if rel.reltype == RT.COMMENTS and not rel.is_external:
            element = rel.target_part.element
            for child in list(element):
                element.remove(child)
    try:
        return document.part.part_related_by(RT.COMMENTS)
    except KeyError:
        return None


def _set_properties(document: Any, markup: Markup, timestamp: dt.datetime) -> None:
    properties = document.core_properties
    properties.title = markup.title[:_PROPERTY_LIMIT]
    properties.subject = markup.subject[:_PROPERTY_LIMIT]
    properties.author = markup.author[:_PROPERTY_LIMIT]
    properties.last_modified_by = "mbr"
    properties.keywords = ""
    properties.comments = ""
    properties.category = "Monthly Business Review"
    properties.revision = 1
    moment = timestamp.astimezone(dt.UTC).replace(tzinfo=None)
    properties.created = moment
    properties.modified = moment


def _iso(timestamp: dt.datetime) -> str:
    return timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _package(
    skeleton: bytes, spliced: Mapping[str, _SplicedPart], timestamp: dt.datetime
) -> bytes:
    """The final package: python-docx's parts, with mbr's text spliced into
    word/document.xml (and a draft's comments part), every zip entry dated
    `timestamp`.

    python-docx stamps entries with the current time; fixed dates are what
    make the same inputs give byte-identical files under SOURCE_DATE_EPOCH.
    """
    moment = timestamp.astimezone(dt.UTC)
    stamp = max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0))  # zip dates start in 1980
    parts: list[tuple[str, Deflated]] = []
    with zipfile.ZipFile(io.BytesIO(skeleton)) as source:
        for info in source.infolist():
            data = source.read(info.filename)
            part = spliced.get(info.filename)
            parts.append((info.filename, part.finish(data) if part else Deflated.of(data)))
    if not set(spliced) <= {name for name, _ in parts}:  # pragma: no cover - python-docx saves them
        raise RuntimeError("a part mbr writes is missing from the saved package")
    return zip_parts(parts, stamp)
