"""What Word and LibreOffice will make of the output.

LibreOffice forgives what Word rejects (element order, misplaced section
properties), so the output is checked against the ECMA-376 schemas with
openxml-audit as well as opened by a real office suite.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from openxml_audit import OpenXmlValidator

from mbr.model import Entry, Severity
from mbr.report import CompileOptions, CompileResult, compile_report
from tests.test_report_support import collected, config, make_entry, problem

SUMMARIES = {
    "win": "Closed a three-year agreement worth $4.2M after a 6-week proof of concept that cut "
    "query latency by 45% across 12 regional warehouses.",
    "customer-impact": "Restored service for 1,200 retail stores within 35 minutes during the "
    "regional outage by failing over to the secondary cluster.",
    "launch": "Launched the self-service onboarding portal to 3 pilot customers; median time to "
    "first deployment fell from 9 days to 2 days.",
    "lowlight": "Missed the migration date for 2 of 14 workloads because a vendor certificate "
    "expired; the manual renewal step is now automated.",
    "risk": "Renewal worth $1.1M is at risk: the customer's new CTO is evaluating 2 competitors "
    "and wants a cost review by 15 January.",
    "ask": "Approve 2 additional solutions architects for Q1 to cover 5 new enterprise accounts "
    "that start onboarding in January.",
}


def entries() -> list[Entry]:
    teams = ("Enterprise East", "Enterprise West", "Public Sector")
    return [
        make_entry(
            f"{category}-{index}",
            category=category,
            team=teams[index],
            author=("Dana Reyes", "Sam Okafor", "Lee Chen")[index],
            summary=f"{summary} Entry {category} {index}.",
            customer=("Acme Corp", "", "Globex")[index],
            headline=("", "Quarter in review", "Cost review")[index],
        )
        for category, summary in SUMMARIES.items()
        for index in range(3)
    ]


def compile_draft(tmp_path: Path, template: str) -> tuple[Path, CompileResult]:
    found = entries()
    diagnostics = [
        problem(found[0], "MBR101", "summary has 140 words; the limit is 120"),
        problem(found[4], "MBR107", "weasel word 'very'", Severity.WARNING),
        problem(found[4], "MBR108", "wordy phrase 'in order to'", Severity.INFO),
    ]
    out = tmp_path / f"{template}.docx"
    result = compile_report(
        collected(found, diagnostics),
        config(org="Field Engineering EMEA", teams=("Enterprise East", "Enterprise West")),
        CompileOptions(output=out, template=template, draft=True),
    )
    assert result.comments == 3
    return out, result


@pytest.mark.parametrize("template", ["narrative", "2x2"])
def test_output_passes_the_ecma_376_schema_check(tmp_path: Path, template: str) -> None:
    out, _ = compile_draft(tmp_path, template)
    result = OpenXmlValidator().validate(out)
    schema = [e for e in result.errors if e.error_type.value == "schema"]
    assert schema == []
    # Stronger than the contract asks: no finding of any kind.
    assert [e.description for e in result.errors] == []


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.office
@pytest.mark.parametrize("template", ["narrative", "2x2"])
def test_libreoffice_opens_it_and_every_summary_is_in_the_pdf(
    tmp_path: Path, template: str
) -> None:
    out, result = compile_draft(tmp_path, template)
    profile = tmp_path / "profile"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = out.with_suffix(".pdf")
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flowing = _normalise(text.replace("-\n", "-"))
    assert result.model is not None
    for entry in result.model.entries:
        assert _normalise(entry.summary) in flowing, entry.id
    assert "Field Engineering EMEA Monthly Business Review" in flowing
    assert "Page 1 of" in flowing
