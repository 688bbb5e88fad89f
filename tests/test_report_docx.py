"""The .docx report, read back with python-docx: structure, styles, comments, bytes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.shared import Inches, RGBColor

from mbr.errors import TemplateError
from mbr.model import Diagnostic, Entry, Location, Severity
from mbr.report import CompileOptions, CompileResult, compile_report
from mbr.report.render import packaged_file
from tests.test_report_support import (
    NOVEMBER,
    collected,
    config,
    make_entry,
    paragraphs,
    problem,
)

EPOCH = "1733011200"  # 2024-12-01T00:00:00Z


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def compile_to(
    path: Path,
    entries: list[Entry],
    diagnostics: list[Diagnostic] | None = None,
    **options: Any,
) -> CompileResult:
    settings = {k: options.pop(k) for k in list(options) if k in ("org", "teams", "classification")}
    return compile_report(
        collected(entries, diagnostics or []),
        config(**settings),
        CompileOptions(output=path, **options),
    )


def open_docx(path: Path) -> Any:
    return docx.Document(str(path))


def sample_entries() -> list[Entry]:
    return [
        make_entry("w1", customer="Acme Corp", headline="Migration complete", seq=0),
        make_entry("w2", team="Enterprise West", author="Sam Okafor", seq=1),
        make_entry("r1", category="risk", headline="Renewal at risk", seq=2),
    ]


def test_narrative_structure(tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    result = compile_to(out, sample_entries(), org="Field Engineering")
    assert result.written and result.output == out
    found = paragraphs(out.read_bytes())
    assert found[0] == ("Title", "Field Engineering Monthly Business Review — November 2024")
    assert found[1] == ("Subtitle", "3 entries from 2 contributors in 2 teams")
    headings = [(style, text) for style, text in found if style.startswith("Heading")]
    assert headings == [
        ("Heading 1", "Summary"),
        ("Heading 1", "Wins"),
        ("Heading 2", "Enterprise East"),
        ("Heading 2", "Enterprise West"),
        ("Heading 1", "Customer Impact"),
        ("Heading 1", "Launches"),
        ("Heading 1", "Lowlights"),
        ("Heading 1", "Risks"),
        ("Heading 2", "Enterprise East"),
        ("Heading 1", "Asks"),
    ]
    entries = [text for style, text in found if style == "Entry"]
    assert entries[0].startswith("Acme Corp — Migration complete. Moved 40 production workloads")
    assert entries[0].endswith("— Dana Reyes, Enterprise East")
    assert ("Note", "None reported.") in found


def test_lead_in_is_bold_and_attribution_is_styled(tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    compile_to(out, sample_entries())
    document = open_docx(out)
    entry = next(p for p in document.paragraphs if p.style.name == "Entry")
    runs = [(run.style.name, run.text) for run in entry.runs]
    assert runs[0] == ("Lead-in", "Acme Corp — Migration complete.")
    assert runs[-1] == ("Attribution", "— Dana Reyes, Enterprise East")
    assert document.styles["Lead-in"].font.bold is True


def test_summary_table_counts_teams_by_category(tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    compile_to(out, sample_entries(), teams=("Enterprise East", "Enterprise West"))
    table = open_docx(out).tables[0]
    assert table.style.name == "Report Table"
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["Team", "Wins", "Customer Impact", "Launches", "Lowlights", "Risks", "Asks", "Total"],
        ["Enterprise East", "1", "–", "–", "–", "1", "–", "2"],
        ["Enterprise West", "1", "–", "–", "–", "–", "–", "1"],
        ["Total", "2", "0", "0", "0", "1", "0", "3"],
    ]


def test_header_footer_and_properties(tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    compile_to(out, sample_entries(), org="Field Engineering", classification="Confidential")
    document = open_docx(out)
    section = document.sections[-1]
    assert [p.text for p in section.header.paragraphs] == ["Field Engineering\tConfidential"]
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("Monthly Business Review — November 2024\t")
    footer_xml = footer._p.xml
    assert 'w:instr=" PAGE "' in footer_xml and 'w:instr=" NUMPAGES "' in footer_xml
    properties = document.core_properties
    assert properties.title == "Field Engineering Monthly Business Review — November 2024"
    assert properties.subject == "Monthly Business Review — November 2024"
    assert properties.author == "Field Engineering"
    assert properties.created == dt.datetime(2024, 12, 1, tzinfo=dt.UTC)


def test_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    entries = sample_entries()
    diagnostics = [problem(entries[0], "MBR107", "weasel word", Severity.WARNING)]
    compile_to(first, entries, diagnostics, draft=True)
    compile_to(second, entries, diagnostics, draft=True)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 12, 1, 0, 0, 0)}


def test_draft_attaches_every_problem_as_a_comment_on_its_paragraph(tmp_path: Path) -> None:
    out = tmp_path / "draft.docx"
    entries = sample_entries()
    diagnostics = [
        problem(entries[0], "MBR101", "summary has 140 words; the limit is 120"),
        problem(entries[0], "MBR107", "weasel word 'very'", Severity.WARNING),
        problem(entries[2], "MBR110", 'placeholder "TBD" in the summary'),
    ]
    result = compile_to(out, entries, diagnostics, draft=True)
    assert result.comments == 3
    assert result.accounting.line == "read 3 · in period 3 · included 3 · excluded 0"
    document = open_docx(out)
    comments = list(document.comments)
    assert [(c.author, c.text.splitlines()[0]) for c in comments] == [
        ("mbr", "MBR101 [error] summary has 140 words; the limit is 120"),
        ("mbr", "MBR107 [warning] weasel word 'very'"),
        ("mbr", 'MBR110 [error] placeholder "TBD" in the summary'),
    ]
    anchored = {
        p.text.split(".")[0]: p._p.xml.count("<w:commentReference ")
        for p in document.paragraphs
        if p.style.name == "Entry"
    }
    assert anchored["Acme Corp — Migration complete"] == 2
    assert anchored["Renewal at risk"] == 1
    assert sum(anchored.values()) == 3


def test_without_draft_errors_are_left_out_and_no_comments_part_exists(tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    entries = sample_entries()
    result = compile_to(out, entries, [problem(entries[2], "MBR110", "placeholder")])
    assert result.accounting.line == "read 3 · in period 3 · included 2 · excluded 1"
    assert [r.entry_id for r in result.excluded] == ["r1"]
    assert "Renewal at risk" not in "\n".join(text for _, text in paragraphs(out.read_bytes()))
    with zipfile.ZipFile(out) as archive:
        assert "word/comments.xml" not in archive.namelist()


def test_2x2_has_a_two_by_two_table_per_team(tmp_path: Path) -> None:
    out = tmp_path / "grid.docx"
    entries = [
        *sample_entries(),
        make_entry("l1", category="lowlight", headline="Outage"),
        make_entry("a1", category="ask", headline="Two more architects"),
    ]
    compile_to(out, entries, template="2x2", teams=("Enterprise East", "Enterprise West"))
    document = open_docx(out)
    teams = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert teams == ["Summary", "Enterprise East", "Enterprise West"]
    grid = document.tables[1]
    assert grid.style.name == "Quadrant Table"
    cells = [[cell.paragraphs for cell in row.cells] for row in grid.rows]
    assert [[ps[0].text for ps in row] for row in cells] == [
        ["Highlights", "Lowlights"],
        ["Customer Impact", "Risks & Asks"],
    ]
    risks_and_asks = [p.text.split(".")[0] for p in cells[1][1][1:]]
    assert risks_and_asks == ["Renewal at risk", "Two more architects"]
    assert cells[1][0][1].text == "Nothing reported."
    heading = next(p for p in document.paragraphs if p.text == "Enterprise East")
    assert heading.paragraph_format.page_break_before is True


def test_empty_period_still_gives_a_report_that_says_so(tmp_path: Path) -> None:
    out = tmp_path / "empty.docx"
    october = make_entry("old", date=dt.date(2024, 10, 3))
    result = compile_to(out, [october])
    assert result.written
    assert result.accounting.line == "read 1 · in period 0 · included 0 · excluded 0"
    found = paragraphs(out.read_bytes())
    assert ("Subtitle", "No entries for November 2024") in found
    assert ("Note", "Nothing was reported for November 2024.") in found


# -- text is data -----------------------------------------------------------

TRICKY = [
    "{{ 7*7 }}",
    "{% if x %}",
    "**x**",
    "<b>x</b>",
    "&amp;",
    "# x",
    "=SUM(A1:A9)",
    "👩‍💻 ❤️ 🇪🇺 👍🏽",
    "<![CDATA[x]]>",
    "</para></report>",
]


@pytest.mark.parametrize("text", TRICKY)
def test_entry_text_reaches_docx_and_html_exactly_as_typed(tmp_path: Path, text: str) -> None:
    entry = make_entry(
        "t",
        summary=f"{text} rest of summary.",
        customer="Acme",
        headline=text,
        author=text,
        team=text,
    )
    docx_out, html_out = tmp_path / "t.docx", tmp_path / "t.html"
    compile_to(docx_out, [entry])
    compile_to(html_out, [entry])
    found = paragraphs(docx_out.read_bytes())
    expected = f"Acme — {text}. {text} rest of summary. — {text}, {text}"
    assert [t for style, t in found if style == "Entry"] == [expected]
    assert ("Heading 2", text) in found
    page = html_text(html_out.read_text(encoding="utf-8"))
    assert expected in page
    assert text in page.splitlines()


def test_characters_xml_forbids_never_reach_the_file(tmp_path: Path) -> None:
    summary = (
        "Nul\x00 bell\x07 esc\x1b zero\u200bwidth\u2060 bom\ufeff nonchar\ufffe lone\ud800 "
        "ok 👩\u200d💻."
    )
    out = tmp_path / "t.docx"
    compile_to(out, [make_entry("t", summary=summary)])
    with zipfile.ZipFile(out) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    for bad in ("\x00", "\x07", "\x1b", "\u200b", "\u2060", "\ufeff", "\ufffe"):
        assert bad not in xml
    body = next(t for style, t in paragraphs(out.read_bytes()) if style == "Entry")
    assert body.startswith("Nul bell esc zerowidth bom nonchar lone ok 👩\u200d💻.")


# -- styles from a reference document ---------------------------------------


def make_reference(tmp_path: Path) -> Path:
    document = docx.Document(io.BytesIO(packaged_file("reference.docx")))
    heading = document.styles["Heading 1"]
    heading.font.name = "Georgia"
    heading.font.color.rgb = RGBColor(0xC0, 0x10, 0x20)
    document.sections[0].left_margin = Inches(1.5)
    path = tmp_path / "brand.docx"
    document.save(str(path))
    return path


def test_output_takes_styles_and_page_setup_from_the_reference(tmp_path: Path) -> None:
    reference = make_reference(tmp_path)
    out = tmp_path / "report.docx"
    result = compile_to(out, sample_entries(), reference_docx=reference)
    assert result.notes == ()
    document = open_docx(out)
    heading = document.styles["Heading 1"]
    assert heading.font.name == "Georgia"
    assert heading.font.color.rgb == RGBColor(0xC0, 0x10, 0x20)
    assert any(p.style.name == "Heading 1" for p in document.paragraphs)
    assert document.sections[-1].left_margin == Inches(1.5)
    # the reference's specimen text is gone
    assert not any("edit the styles" in p.text for p in document.paragraphs)


def test_missing_styles_are_copied_from_mbrs_reference_and_reported(tmp_path: Path) -> None:
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))  # python-docx's template: no Entry, Lead-in, ...
    out = tmp_path / "report.docx"
    result = compile_to(out, sample_entries(), reference_docx=plain)
    assert len(result.notes) == 1
    for name in ("Entry", "Lead-in", "Attribution", "Report Table", "Note"):
        assert name in result.notes[0]
    document = open_docx(out)
    assert document.styles["Lead-in"].font.bold is True
    assert document.styles["Entry"].base_style.name == "Normal"
    entry = next(p for p in document.paragraphs if p.text.startswith("Acme"))
    assert entry.style.name == "Entry"


def test_a_style_defined_nowhere_is_a_template_error(tmp_path: Path) -> None:
    template = tmp_path / "custom.docx.j2"
    template.write_text('<report><para style="Fancy Quote">x</para></report>', encoding="utf-8")
    with pytest.raises(TemplateError) as raised:
        compile_to(tmp_path / "r.docx", sample_entries(), template=str(template))
    assert "Fancy Quote" in str(raised.value)
    assert "templates/reference.docx" in str(raised.value)
    assert not (tmp_path / "r.docx").exists()


def test_a_reference_that_is_not_a_docx_is_a_template_error(tmp_path: Path) -> None:
    reference = tmp_path / "brand.docx"
    reference.write_text("not a zip")
    with pytest.raises(TemplateError, match=r"is not a usable \.docx"):
        compile_to(tmp_path / "r.docx", sample_entries(), reference_docx=reference)
    with pytest.raises(TemplateError, match="reference document not found"):
        compile_to(tmp_path / "r.docx", sample_entries(), reference_docx=tmp_path / "nope.docx")


def test_header_keeps_left_right_layout_on_a_word_style_reference(tmp_path: Path) -> None:
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))  # Word's Header style: centre and right tab stops
    out = tmp_path / "report.docx"
    compile_to(out, sample_entries(), reference_docx=plain)
    section = open_docx(out).sections[-1]
    stops = [
        (stop.alignment.name, stop.position)
        for stop in section.header.paragraphs[0].paragraph_format.tab_stops
    ]
    text_width = section.page_width - section.left_margin - section.right_margin
    # the style's centre (4680) and right (9360) stops cleared, one right stop at the margin
    assert stops == [("CLEAR", 4680 * 635), ("CLEAR", 9360 * 635), ("RIGHT", text_width)]


# -- what stops a compile ----------------------------------------------------


def test_unreadable_source_blocks_the_report_unless_keep_going(tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    unreadable = Diagnostic(
        "MBR000",
        "unreadable-source",
        Severity.ERROR,
        "not a workbook",
        "re-save it",
        Location("broken.xlsx"),
    )
    result = compile_to(out, sample_entries(), [unreadable])
    assert (result.status, result.blocked_by, result.blocking) == (
        "blocked",
        "unreadable",
        (unreadable,),
    )
    assert not out.exists()
    kept = compile_to(out, sample_entries(), [unreadable], keep_going=True)
    assert kept.written and kept.unreadable == (unreadable,)


def test_strict_blocks_on_errors_not_on_warnings(tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    entries = sample_entries()
    warned = compile_to(
        out, entries, [problem(entries[0], "MBR107", "w", Severity.WARNING)], strict=True
    )
    assert warned.written
    out.unlink()
    failed = compile_to(out, entries, [problem(entries[0], "MBR101", "e")], strict=True)
    assert failed.blocked_by == "strict" and not out.exists()


def test_an_existing_report_is_replaced_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    out.write_bytes(b"last month's report")
    broken = tmp_path / "broken.docx.j2"
    broken.write_text("<report>{{ report.nope }}</report>", encoding="utf-8")
    with pytest.raises(TemplateError):
        compile_to(out, sample_entries(), template=str(broken))
    assert out.read_bytes() == b"last month's report"
    compile_to(out, sample_entries())
    assert out.read_bytes().startswith(b"PK")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.docx.j2", "report.docx"]


def test_period_without_entries_is_not_confused_with_all_excluded(tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    entry = make_entry("bad")
    compile_to(out, [entry], [problem(entry, "MBR110", "placeholder")])
    found = paragraphs(out.read_bytes())
    assert (
        "Note",
        "Nothing was reported for November 2024, or every entry had errors "
        "(1 left out; run `mbr check` to see them).",
    ) in found


def test_render_only_returns_bytes(tmp_path: Path) -> None:
    result = compile_report(
        collected(sample_entries()), config(), CompileOptions(output=None, format="html")
    )
    assert result.status == "rendered" and result.content is not None
    assert result.content.startswith(b"<!DOCTYPE html>")
    assert NOVEMBER.label in result.content.decode("utf-8")


# -- HTML ----------------------------------------------------------------------


def html_text(page: str) -> str:
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = False

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.skip = tag == "style"

        def handle_endtag(self, tag: str) -> None:
            self.skip = False

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(page)
    return "".join(parser.parts)


def test_html_is_one_standalone_page(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    entries = sample_entries()
    compile_to(
        out,
        entries,
        [problem(entries[0], "MBR107", "weasel word", Severity.WARNING)],
        draft=True,
        org="Field Engineering",
    )
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page
    for external in ("<link", "src=", "@import", "http://", "https://"):
        assert external not in page
    text = html_text(page)
    assert "Field Engineering Monthly Business Review — November 2024" in text
    assert "Internal" in text
    assert "MBR107 [warning] weasel word" in text
    assert '<table class="report-table">' in page


def test_the_example_custom_template_compiles(tmp_path: Path) -> None:
    template = Path(__file__).resolve().parent.parent / "templates" / "custom.docx.j2"
    out = tmp_path / "digest.docx"
    entries = sample_entries()
    result = compile_to(out, entries, template=str(template))
    assert result.written and result.notes == ()
    found = paragraphs(out.read_bytes())
    assert ("Heading 1", "Wins (2)") in found
    assert ("Heading 1", "Contributions by team") in found
    assert (
        "Entry",
        "Acme Corp — Migration complete. Moved 40 production workloads to the new platform two "
        "weeks early, cutting monthly run cost by 28% for the customer. "
        "— Dana Reyes, Enterprise East, 5 Nov 2024",
    ) in found
