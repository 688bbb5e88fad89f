"""Text hygiene from source to .docx: NFC, and characters XML cannot hold.

A decomposed "é" (e + U+0301) reaches the report as the composed U+00E9;
control characters and the non-characters U+FFFE/U+FFFF are reported by
`mbr check` (MBR119) and never reach the document, which stays valid
against the ECMA-376 schemas.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import docx
import pytest
from openxml_audit import OpenXmlValidator

from mbr.report import CompileOptions, compile_report
from tests.conftest import RunMbr
from tests.test_report_support import collected, config, make_entry

TAIL = (
    "after a 6-week proof of concept that cut query latency by 45% across 12 regional "
    "warehouses for the retail analytics team."
)
DECOMPOSED = "Cafe\u0301 Noir"  # what macOS file names and some web forms produce
COMPOSED = "Caf\u00e9 Noir"
# Not allowed anywhere in an XML document, whatever the escaping.
XML_ILLEGAL = ("\x01", "\x08", "\x1f", "\ufffe", "\uffff", "\ud800", "\udfff")
YAML_ENTRY = f"""\
- id: nfc
  date: 2024-11-05
  author: Ame\u0301lie Durand
  team: Enterprise East
  category: win
  customer: {DECOMPOSED}
  summary: Closed a three-year agreement worth $4.2M with {DECOMPOSED} {TAIL}
- id: escaped-control
  date: 2024-11-06
  author: Dana Reyes
  team: Enterprise East
  category: launch
  summary: "Launched the self-service portal\\x01 to 3 pilot customers; median time to
    first deployment fell from 9 days to 2 days across 14 regional offices this month."
"""
CSV_SUMMARY = (
    "Restored service for 1,200 retail\x01 stores within 35 minutes\x08 during the regional "
    "outage\x1f by failing over to the secondary \ufffecluster in 2 regions\uffff today."
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "mbr.toml").write_text('org = "Field Engineering"\n', encoding="utf-8")
    (tmp_path / "entries.yaml").write_text(YAML_ENTRY, encoding="utf-8")
    with (tmp_path / "log.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "author", "team", "category", "summary"])
        writer.writerow(
            ["raw-control", "2024-11-07", "Sam Okafor", "Enterprise West",
             "customer impact", CSV_SUMMARY]
        )
    return tmp_path


def document_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml").decode("utf-8")


def assert_valid_docx(path: Path) -> None:
    docx.Document(str(path))
    found = OpenXmlValidator().validate(path)
    assert [e.description for e in found.errors if e.error_type.value == "schema"] == []


@pytest.mark.parametrize("draft", [False, True])
def test_compile_composes_and_drops_what_xml_cannot_hold(
    run_mbr: RunMbr, project: Path, draft: bool
) -> None:
    result = run_mbr(
        "compile", "entries.yaml", "log.csv", "--period", "2024-11", "--today", "2024-12-01",
        "-o", "report.docx", *(["--draft"] if draft else []), cwd=project,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "read 3 · in period 3 · included 3 · excluded 0"
    report = project / "report.docx"
    assert_valid_docx(report)
    paragraphs = [p.text for p in docx.Document(str(report)).paragraphs]
    text = "\n".join(paragraphs)
    assert f"worth $4.2M with {COMPOSED} after" in text
    assert "Am\u00e9lie Durand" in text
    assert "\u0301" not in text
    assert "portal to 3 pilot customers" in text
    assert (
        "1,200 retail stores within 35 minutes during the regional outage by failing over "
        "to the secondary cluster in 2 regions today." in text
    )
    xml = document_text(report)
    assert not any(char in xml for char in XML_ILLEGAL)
    if draft:  # the MBR119 comments name the characters without containing them
        with zipfile.ZipFile(report) as package:
            comments = package.read("word/comments.xml").decode("utf-8")
        assert "U+0001" in comments
        assert not any(char in comments for char in XML_ILLEGAL)


def test_html_report_is_composed_and_clean(run_mbr: RunMbr, project: Path) -> None:
    result = run_mbr(
        "compile", "entries.yaml", "log.csv", "--period", "2024-11", "--today", "2024-12-01",
        "-o", "report.html", cwd=project,
    )
    assert result.returncode == 0, result.stderr
    html = (project / "report.html").read_text(encoding="utf-8")
    assert COMPOSED in html and "\u0301" not in html
    assert not any(char in html for char in XML_ILLEGAL)


def check_json(run_mbr: RunMbr, project: Path) -> list[dict[str, object]]:
    result = run_mbr(
        "check", "entries.yaml", "log.csv", "--period", "2024-11", "--today", "2024-12-01",
        "--format", "json", cwd=project,
    )
    assert result.returncode in (0, 1), result.stderr
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


def test_check_reports_the_control_characters(run_mbr: RunMbr, project: Path) -> None:
    bad = [d for d in check_json(run_mbr, project) if d["code"] == "MBR119"]
    messages = {(d["entry_id"], d["message"]) for d in bad}
    assert ("escaped-control", "control character U+0001 in the summary") in messages
    assert ("raw-control", "control character U+0001 in the summary") in messages
    assert ("raw-control", "control character U+0008 in the summary") in messages
    assert ("raw-control", "control character U+001F in the summary") in messages
    assert not any(d["entry_id"] == "nfc" for d in bad)  # a decomposed é is not a problem


def test_check_reports_the_xml_non_characters(run_mbr: RunMbr, project: Path) -> None:
    bad = [d for d in check_json(run_mbr, project) if d["code"] == "MBR119"]
    text = " ".join(str(d["message"]) for d in bad if d["entry_id"] == "raw-control")
    assert "U+FFFE" in text and "U+FFFF" in text


@pytest.mark.parametrize("suffix", [".docx", ".html"])
def test_lone_surrogates_never_reach_the_file(tmp_path: Path, suffix: str) -> None:
    # No reader produces them today (YAML refuses "\uD800" with MBR000, CSV and
    # xlsx decode strictly), but a custom intake or a future reader might.
    dirty = "".join(XML_ILLEGAL)
    entry = make_entry(
        "surrogates",
        summary=f"Closed a deal{dirty} worth $4.2M {TAIL}",
        author=f"Dana{dirty} Reyes",
        customer=f"Acme{dirty} Corp",
        headline=f"Quarter{dirty} in review",
    )
    out = tmp_path / f"report{suffix}"
    result = compile_report(collected([entry]), config(), CompileOptions(output=out))
    assert result.written
    if suffix == ".docx":
        assert_valid_docx(out)
        text = document_text(out)
    else:
        text = out.read_text(encoding="utf-8")
    assert "Closed a deal worth $4.2M" in text
    assert "Dana Reyes" in text and "Acme Corp" in text and "Quarter in review" in text


def test_a_yaml_surrogate_escape_is_an_unreadable_source_not_a_crash(
    run_mbr: RunMbr, project: Path
) -> None:
    (project / "broken.yaml").write_text(
        '- id: s1\n  date: 2024-11-05\n  summary: "Closed \\uD800 a deal."\n', encoding="utf-8"
    )
    result = run_mbr(
        "check", "entries.yaml", "broken.yaml", "log.csv", "--period", "2024-11",
        "--today", "2024-12-01", cwd=project,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "broken.yaml:3:" in result.stdout and "MBR000" in result.stdout
    assert "in 3 entries" in result.stdout  # the other sources are still read
