"""Build mbr's reference .docx: every style the built-in templates use, and nothing else.

    python templates/make_reference.py          # rewrite both copies
    python templates/make_reference.py --check  # exit 1 if either copy is stale

It writes the packaged default (mbr/templates/reference.docx) and the copy
users start from (templates/reference.docx); the two are identical. The
output is byte-for-byte reproducible (fixed zip timestamps and order), and a
test checks that the committed files are what this script makes, so the
script is the source of truth: change the look here, then re-run it.

Open the result in Word or LibreOffice to see every style in use; the body
text is a specimen that mbr removes when it builds a report.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = (ROOT / "mbr" / "templates" / "reference.docx", ROOT / "templates" / "reference.docx")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# The look: one sans family, dark ink, a navy accent, muted grey for
# secondary text and hairline rules.
FONT = "Calibri"
INK = "1F2937"
NAVY = "1B365D"
ACCENT = "2F5D8A"
MUTED = "5B6675"
RULE = "C9D1DB"
HEADER_FILL = "EEF2F6"

# A4 with 2.2 cm side margins: the text is 16.6 cm (9412 twips) wide.
PAGE_WIDTH, PAGE_HEIGHT = 11906, 16838
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 1247, 1247, 1247
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_SIDE


def _style(
    kind: str,
    style_id: str,
    name: str,
    *,
    based_on: str | None = None,
    next_style: str | None = None,
    ui_priority: int | None = None,
    default: bool = False,
    quick: bool = True,
    semi_hidden: bool = False,
    ppr: str = "",
    rpr: str = "",
    tblpr: str = "",
    extra: str = "",
) -> str:
    parts = [f'<w:style w:type="{kind}" w:styleId="{style_id}"']
    if default:
        parts.append(' w:default="1"')
    parts.append(f'><w:name w:val="{name}"/>')
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_style:
        parts.append(f'<w:next w:val="{next_style}"/>')
    if ui_priority is not None:
        parts.append(f'<w:uiPriority w:val="{ui_priority}"/>')
    if semi_hidden:
        parts.append("<w:semiHidden/><w:unhideWhenUsed/>")
    if quick:
        parts.append("<w:qFormat/>")
    if ppr:
        parts.append(f"<w:pPr>{ppr}</w:pPr>")
    if rpr:
        parts.append(f"<w:rPr>{rpr}</w:rPr>")
    if tblpr:
        parts.append(f"<w:tblPr>{tblpr}</w:tblPr>")
    parts.append(extra)
    parts.append("</w:style>")
    return "".join(parts)


def _color(value: str) -> str:
    return f'<w:color w:val="{value}"/>'


def _size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def _border(side: str, size: int, color: str, space: int = 0) -> str:
    return f'<w:{side} w:val="single" w:sz="{size}" w:space="{space}" w:color="{color}"/>'


def _heading(level: int, size: int, color: str, before: int, after: int) -> str:
    return _style(
        "paragraph",
        f"Heading{level}",
        f"heading {level}",
        based_on="Normal",
        next_style="Normal",
        ui_priority=9,
        ppr=(
            f'<w:keepNext/><w:keepLines/><w:spacing w:before="{before}" w:after="{after}"/>'
            f'<w:outlineLvl w:val="{level - 1}"/>'
        ),
        rpr=f"<w:b/><w:bCs/>{_color(color)}{_size(size)}",
    )


def styles_xml() -> str:
    cell_margins = (
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>'
    )
    report_table = _style(
        "table",
        "ReportTable",
        "Report Table",
        based_on="TableNormal",
        ui_priority=40,
        ppr='<w:spacing w:before="50" w:after="50" w:line="240" w:lineRule="auto"/>',
        rpr=_size(19),
        tblpr=(
            '<w:tblInd w:w="0" w:type="dxa"/>'
            f"<w:tblBorders>{_border('bottom', 8, NAVY)}{_border('insideH', 4, RULE)}"
            "</w:tblBorders>"
            '<w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="57" w:type="dxa"/>'
            '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        ),
        extra=(
            '<w:tblStylePr w:type="firstRow">'
            f"<w:rPr><w:b/><w:bCs/>{_color(NAVY)}{_size(17)}</w:rPr>"
            "<w:tblPr/><w:trPr><w:tblHeader/></w:trPr>"
            f"<w:tcPr><w:tcBorders>{_border('top', 8, NAVY)}{_border('bottom', 8, NAVY)}"
            f'</w:tcBorders><w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>'
            '<w:vAlign w:val="bottom"/></w:tcPr>'
            "</w:tblStylePr>"
            '<w:tblStylePr w:type="lastRow">'
            f"<w:rPr><w:b/><w:bCs/>{_color(NAVY)}</w:rPr>"
            f"<w:tblPr/><w:tcPr><w:tcBorders>{_border('top', 8, NAVY)}"
            f"{_border('bottom', 8, NAVY)}</w:tcBorders></w:tcPr>"
            "</w:tblStylePr>"
        ),
    )
    quadrant_table = _style(
        "table",
        "QuadrantTable",
        "Quadrant Table",
        based_on="TableNormal",
        ui_priority=41,
        ppr='<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
        tblpr=(
            '<w:tblInd w:w="0" w:type="dxa"/>'
            f"<w:tblBorders>{_border('top', 4, RULE)}{_border('left', 4, RULE)}"
            f"{_border('bottom', 4, RULE)}{_border('right', 4, RULE)}"
            f"{_border('insideH', 4, RULE)}{_border('insideV', 4, RULE)}</w:tblBorders>"
            '<w:tblCellMar><w:top w:w="113" w:type="dxa"/><w:left w:w="142" w:type="dxa"/>'
            '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="142" w:type="dxa"/></w:tblCellMar>'
        ),
    )
    styles = [
        _style(
            "paragraph",
            "Normal",
            "Normal",
            default=True,
            ui_priority=0,
        ),
        _style(
            "character",
            "DefaultParagraphFont",
            "Default Paragraph Font",
            default=True,
            ui_priority=1,
            semi_hidden=True,
            quick=False,
        ),
        _style(
            "table",
            "TableNormal",
            "Normal Table",
            default=True,
            ui_priority=99,
            semi_hidden=True,
            quick=False,
            tblpr=f'<w:tblInd w:w="0" w:type="dxa"/>{cell_margins}',
        ),
        _style(
            "numbering",
            "NoList",
            "No List",
            default=True,
            ui_priority=99,
            semi_hidden=True,
            quick=False,
        ),
        _style(
            "paragraph",
            "Title",
            "Title",
            based_on="Normal",
            next_style="Subtitle",
            ui_priority=10,
            ppr='<w:spacing w:after="80" w:line="240" w:lineRule="auto"/><w:contextualSpacing/>',
            rpr=f'<w:b/><w:bCs/>{_color(NAVY)}<w:kern w:val="28"/>{_size(44)}',
        ),
        _style(
            "paragraph",
            "Subtitle",
            "Subtitle",
            based_on="Normal",
            next_style="Normal",
            ui_priority=11,
            ppr=(f'<w:pBdr>{_border("bottom", 6, RULE, 10)}</w:pBdr><w:spacing w:after="360"/>'),
            rpr=f"{_color(MUTED)}{_size(22)}",
        ),
        _heading(1, 30, NAVY, 400, 140),
        _heading(2, 23, ACCENT, 240, 80),
        _heading(3, 21, INK, 200, 60),
        _heading(4, 21, MUTED, 160, 40),
        _heading(5, 20, MUTED, 160, 40),
        _heading(6, 20, MUTED, 160, 40),
        _style(
            "paragraph",
            "Entry",
            "Entry",
            based_on="Normal",
            ui_priority=20,
            ppr='<w:spacing w:after="160"/>',
        ),
        _style(
            "character",
            "LeadIn",
            "Lead-in",
            based_on="DefaultParagraphFont",
            ui_priority=21,
            rpr=f"<w:b/><w:bCs/>{_color(NAVY)}",
        ),
        _style(
            "character",
            "Attribution",
            "Attribution",
            based_on="DefaultParagraphFont",
            ui_priority=22,
            rpr=f"{_color(MUTED)}{_size(18)}",
        ),
        _style(
            "paragraph",
            "Note",
            "Note",
            based_on="Normal",
            ui_priority=23,
            rpr=f"<w:i/><w:iCs/>{_color(MUTED)}",
        ),
        _style(
            "paragraph",
            "TableText",
            "Table Text",
            based_on="Normal",
            ui_priority=24,
            ppr='<w:spacing w:before="50" w:after="50" w:line="240" w:lineRule="auto"/>',
            rpr=_size(19),
        ),
        _style(
            "paragraph",
            "QuadrantHeading",
            "Quadrant Heading",
            based_on="Normal",
            next_style="QuadrantEntry",
            ui_priority=25,
            ppr='<w:spacing w:after="100" w:line="240" w:lineRule="auto"/>',
            rpr=f'<w:b/><w:bCs/><w:caps/>{_color(ACCENT)}<w:spacing w:val="10"/>{_size(17)}',
        ),
        _style(
            "paragraph",
            "QuadrantEntry",
            "Quadrant Entry",
            based_on="Normal",
            ui_priority=26,
            ppr='<w:spacing w:after="120" w:line="252" w:lineRule="auto"/>',
            rpr=_size(19),
        ),
        _style(
            "paragraph",
            "Header",
            "header",
            based_on="Normal",
            ui_priority=99,
            ppr=(
                f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_WIDTH // 2}"/>'
                f'<w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
                '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
            ),
            rpr=f"{_color(MUTED)}{_size(16)}",
        ),
        _style(
            "paragraph",
            "Footer",
            "footer",
            based_on="Normal",
            ui_priority=99,
            ppr=(
                f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_WIDTH // 2}"/>'
                f'<w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
                '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
            ),
            rpr=f"{_color(MUTED)}{_size(16)}",
        ),
        _style(
            "paragraph",
            "CommentText",
            "annotation text",
            based_on="Normal",
            ui_priority=99,
            semi_hidden=True,
            quick=False,
            ppr='<w:spacing w:after="80" w:line="240" w:lineRule="auto"/>',
            rpr=_size(20),
        ),
        _style(
            "character",
            "CommentReference",
            "annotation reference",
            based_on="DefaultParagraphFont",
            ui_priority=99,
            semi_hidden=True,
            quick=False,
            rpr=_size(16),
        ),
        report_table,
        quadrant_table,
    ]
    defaults = (
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f'<w:rFonts w:ascii="{FONT}" w:eastAsia="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/>'
        f'{_color(INK)}{_size(21)}<w:lang w:val="en-US" w:eastAsia="en-US" w:bidi="ar-SA"/>'
        "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
        '<w:widowControl/><w:spacing w:after="120" w:line="264" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:styles xmlns:w="{W_NS}">{defaults}{"".join(styles)}</w:styles>'
    )


def _run(text: str, style: str | None = None) -> str:
    props = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _para(style: str, *runs: str) -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{"".join(runs)}</w:p>'


def _table(style: str, rows: list[list[str]], widths: list[int], look: str) -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    body = "".join(
        "<w:tr>"
        + "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>{cell}</w:tc>'
            for cell, w in zip(row, widths, strict=True)
        )
        + "</w:tr>"
        for row in rows
    )
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:tblLayout w:type="fixed"/>{look}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>'
    )


def document_xml() -> str:
    """A specimen of every style, so the file shows what it defines when opened."""
    lead = _run("Acme Corp — Migration complete.", "LeadIn")
    attribution = _run("— Dana Reyes, Enterprise East", "Attribution")
    entry_text = _run(
        " Moved 40 production workloads to the new platform two weeks early, cutting the "
        "customer's monthly run cost by 28% ($36k) without downtime. "
    )
    number = TEXT_WIDTH // 6
    summary = _table(
        "ReportTable",
        [
            [_para("TableText", _run(t)) for t in ("Team", "Wins", "Risks", "Total")],
            [_para("TableText", _run(t)) for t in ("Enterprise East", "3", "1", "4")],
            [_para("TableText", _run(t)) for t in ("Total", "3", "1", "4")],
        ],
        [TEXT_WIDTH - 3 * number, number, number, number],
        '<w:tblLook w:val="0060" w:firstRow="1" w:lastRow="1" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>',
    )
    half = TEXT_WIDTH // 2
    quadrant = _table(
        "QuadrantTable",
        [
            [
                _para("QuadrantHeading", _run("Highlights"))
                + _para("QuadrantEntry", lead, _run(" Moved 40 workloads. "), attribution),
                _para("QuadrantHeading", _run("Lowlights"))
                + _para("Note", _run("Nothing reported.")),
            ]
        ],
        [half, TEXT_WIDTH - half],
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>',
    )
    body = "".join(
        [
            _para("Title", _run("Field Engineering Monthly Business Review — November 2024")),
            _para("Subtitle", _run("12 entries from 8 contributors in 3 teams")),
            _para(
                "Note",
                _run(
                    "This document holds the styles mbr uses; edit the styles, "
                    "not this text, which mbr removes."
                ),
            ),
            _para("Heading1", _run("Summary")),
            summary,
            _para("Heading1", _run("Wins")),
            _para("Heading2", _run("Enterprise East")),
            _para("Entry", lead, entry_text, attribution),
            _para("Heading3", _run("Heading 3")),
            _para("Heading4", _run("Heading 4")),
            _para("Heading5", _run("Heading 5")),
            _para("Heading6", _run("Heading 6")),
            _para("Normal", _run("Normal text.")),
            _para("Heading1", _run("Enterprise East")),
            quadrant,
            _para("Normal"),
        ]
    )
    section = (
        f'<w:sectPr><w:pgSz w:w="{PAGE_WIDTH}" w:h="{PAGE_HEIGHT}"/>'
        f'<w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_SIDE}" w:bottom="{MARGIN_BOTTOM}" '
        f'w:left="{MARGIN_SIDE}" w:header="624" w:footer="567" w:gutter="0"/>'
        '<w:cols w:space="708"/><w:docGrid w:linePitch="360"/></w:sectPr>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{body}{section}</w:body>'
        "</w:document>"
    )


_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def theme_xml() -> str:
    """A theme with the same colours and font, so Word's colour and font pickers match."""

    def colour(name: str, value: str) -> str:
        return f'<a:{name}><a:srgbClr val="{value}"/></a:{name}>'

    colours = "".join(
        [
            '<a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>',
            '<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>',
            colour("dk2", NAVY),
            colour("lt2", HEADER_FILL),
            colour("accent1", ACCENT),
            colour("accent2", "C2773B"),
            colour("accent3", "4E8A5B"),
            colour("accent4", "8A6FB0"),
            colour("accent5", "3B8C9A"),
            colour("accent6", "A8543F"),
            colour("hlink", ACCENT),
            colour("folHlink", "6B4E8F"),
        ]
    )
    font = f'<a:latin typeface="{FONT}"/><a:ea typeface=""/><a:cs typeface=""/>'
    solid = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
    line = (
        '<a:ln w="6350" cap="flat" cmpd="sng" algn="ctr">'
        f'{solid}<a:prstDash val="solid"/><a:miter lim="800000"/></a:ln>'
    )
    formats = (
        f'<a:fmtScheme name="mbr"><a:fillStyleLst>{solid * 3}</a:fillStyleLst>'
        f"<a:lnStyleLst>{line * 3}</a:lnStyleLst>"
        "<a:effectStyleLst>"
        + "<a:effectStyle><a:effectLst/></a:effectStyle>" * 3
        + f"</a:effectStyleLst><a:bgFillStyleLst>{solid * 3}</a:bgFillStyleLst></a:fmtScheme>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<a:theme xmlns:a="{_A}" name="mbr"><a:themeElements>'
        f'<a:clrScheme name="mbr">{colours}</a:clrScheme>'
        f'<a:fontScheme name="mbr"><a:majorFont>{font}</a:majorFont>'
        f"<a:minorFont>{font}</a:minorFont></a:fontScheme>{formats}"
        "</a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>"
    )


SETTINGS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:settings xmlns:w="{W_NS}"><w:zoom w:percent="100"/>'
    '<w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>'
    "<w:compat>"
    '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word"'
    ' w:val="15"/></w:compat>'
    '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>'
)

FONT_TABLE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:fonts xmlns:w="{W_NS}"><w:font w:name="{FONT}">'
    '<w:panose1 w:val="020F0502020204030204"/><w:charset w:val="00"/>'
    '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font></w:fonts>'
)

CORE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>mbr reference document</dc:title><dc:creator>mbr</dc:creator>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:modified>'
    "</cp:coreProperties>"
)

APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>mbr</Application></Properties>"
)

_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{_WML}.document.main+xml"/>'
    f'<Override PartName="/word/styles.xml" ContentType="{_WML}.styles+xml"/>'
    f'<Override PartName="/word/settings.xml" ContentType="{_WML}.settings+xml"/>'
    f'<Override PartName="/word/fontTable.xml" ContentType="{_WML}.fontTable+xml"/>'
    '<Override PartName="/word/theme/theme1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.theme+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
    'package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.extended-properties+xml"/></Types>'
)

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)

DOCUMENT_RELS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/fontTable" Target="fontTable.xml"/>'
    f'<Relationship Id="rId4" Type="{_REL}/theme" Target="theme/theme1.xml"/>'
    "</Relationships>"
)


def build_reference() -> bytes:
    """The reference .docx, byte-for-byte the same on every run."""
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES_XML),
        ("_rels/.rels", PACKAGE_RELS_XML),
        ("docProps/core.xml", CORE_XML),
        ("docProps/app.xml", APP_XML),
        ("word/document.xml", document_xml()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS_XML),
        ("word/styles.xml", styles_xml()),
        ("word/settings.xml", SETTINGS_XML),
        ("word/fontTable.xml", FONT_TABLE_XML),
        ("word/theme/theme1.xml", theme_xml()),
    ]
    buffer = io.BytesIO()
    # Stored, not deflated: compressed bytes differ between zlib builds, and the
    # file must come out identical on every machine that runs this script.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    data = build_reference()
    if "--check" in argv:
        stale = [str(out) for out in OUTPUTS if not out.is_file() or out.read_bytes() != data]
        for name in stale:
            print(f"{name} is out of date: run python templates/make_reference.py")
        return 1 if stale else 0
    for path in OUTPUTS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
