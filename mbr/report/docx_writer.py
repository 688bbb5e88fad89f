"""Report markup -> .docx, built on a reference document (as pandoc --reference-doc).

The output starts as the reference document — its styles, page set-up,
header/footer definitions, theme and settings — with the body emptied. The
template's <header>/<footer> replace the content of the reference's default
header/footer; a template without them keeps the reference's own. A style
the template uses but the reference lacks is copied from mbr's packaged
reference (see docx_styles), so a report is never silently unstyled.

This is the only module that imports python-docx. The body is written as
WordprocessingML text (mbr.report.wordml) and parsed once, so writing is
linear in the number of entries (python-docx's add_paragraph searches for the
section properties on every call) and fast.
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
from docx.oxml.parser import parse_xml
from lxml import etree

from mbr.errors import TemplateError
from mbr.report.blocks import Markup, Paragraph
from mbr.report.docx_styles import StyleBook, StyleResolver
from mbr.report.render import packaged_file
from mbr.report.wordml import NAMESPACES, W_NS, CommentNote, WordML

__all__ = ["CommentNote", "DocxOutput", "write_docx"]

_W = "{" + W_NS + "}"
_REFERENCE_HINT = (
    "pass a .docx saved by Word or LibreOffice, or start from templates/reference.docx"
)
_PROPERTY_LIMIT = 255  # characters in one core property
_CHUNK_PIECES = 20_000  # pieces of XML text joined at a time (and progress reports)
_BODY_MARK = "mbr-body"  # a processing instruction where the body goes in document.xml

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
    _clear_reference_comments(document)
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
    body_xml = _body_xml(markup, wordml, progress)
    if markup.header is not None:
        _replace_story(document.sections[-1].header, markup.header, wordml)
    if markup.footer is not None:
        _replace_story(document.sections[-1].footer, markup.footer, wordml)
    if wordml.comment_xml:
        # The comments part is created here, once, and only for a draft with problems.
        root = document.part._comments_part.element
        parsed = parse_xml(f"<w:comments {NAMESPACES}>{''.join(wordml.comment_xml)}</w:comments>")
        root.extend(list(parsed))
    _set_properties(document, markup, timestamp)
    skeleton = io.BytesIO()
    document.save(skeleton)
    data = _package(skeleton.getvalue(), body_xml, timestamp)
    return DocxOutput(data, styles.notes(), len(wordml.comment_xml))


def _body_xml(markup: Markup, wordml: WordML, progress: Progress | None) -> list[bytes]:
    """The body's paragraphs and tables as UTF-8 WordprocessingML, block by block.

    Kept as text, never as an element tree: for 45,000 entries the tree took
    160 MB, the text takes a fifth of that.
    """
    chunks: list[bytes] = []
    out: list[str] = []
    reported = 0
    for block in markup.blocks():
        wordml.blocks((block,), out)
        if len(out) >= _CHUNK_PIECES:
            chunks.append("".join(out).encode("utf-8"))
            out.clear()
            if progress is not None and wordml.entry_paragraphs > reported:
                progress(wordml.entry_paragraphs - reported)
                reported = wordml.entry_paragraphs
    chunks.append("".join(out).encode("utf-8"))
    if progress is not None and wordml.entry_paragraphs > reported:
        progress(wordml.entry_paragraphs - reported)
    return chunks


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


def _clear_reference_comments(document: Any) -> None:
    """Empty a comments part that came with the reference: its comments pointed
    into the body that was removed."""
    for rel in document.part.rels.values():
        if rel.reltype == RT.COMMENTS and not rel.is_external:
            element = rel.target_part.element
            for child in list(element):
                element.remove(child)


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


def _package(skeleton: bytes, body: Sequence[bytes], timestamp: dt.datetime) -> bytes:
    """The final package: python-docx's parts with the body spliced into
    word/document.xml, every zip entry dated `timestamp`.

    python-docx stamps entries with the current time; fixed dates are what
    make the same inputs give byte-identical files under SOURCE_DATE_EPOCH.
    """
    moment = timestamp.astimezone(dt.UTC)
    stamp = max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0))  # zip dates start in 1980
    mark = etree.tostring(etree.ProcessingInstruction(_BODY_MARK))  # b"<?mbr-body ?>"
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(skeleton)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            data = source.read(info.filename)
            if info.filename != "word/document.xml":
                target.writestr(entry, data)
                continue
            head, found, tail = data.partition(mark)
            if not found:  # pragma: no cover - the mark is put there by write_docx
                raise RuntimeError("the body placeholder is missing from word/document.xml")
            with target.open(entry, "w") as stream:
                stream.write(head)
                for chunk in body:
                    stream.write(chunk)
                stream.write(tail)
    return output.getvalue()
