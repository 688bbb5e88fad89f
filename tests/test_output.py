"""Diagnostic output formats (SPEC §4 `mbr check`)."""

from __future__ import annotations

import json

from mbr.model import Diagnostic, Location, Severity
from mbr.output import count_line, format_github, format_json, format_text, sort_diagnostics


def diag(code: str, location: Location, severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(
        code=code,
        name="too-long",
        severity=severity,
        message="summary has 143 words; the limit is 120",
        help="cut it down",
        location=location,
        entry_id="e-1",
        field="summary",
    )


XLSX = Location("entries.xlsx", sheet="Entries", cell="H7", row=7)
SPACED = Location("entries.xlsx", sheet="Field Log", cell="H7", row=7)
YAML = Location("entries/2024-11/acme.yaml", line=12, column=3)
CSV = Location("log.csv", line=14)


def test_locations_read_as_a_person_goes_to_them() -> None:
    assert str(XLSX) == "entries.xlsx:Entries!H7"
    assert str(SPACED) == "entries.xlsx:'Field Log'!H7"
    assert str(YAML) == "entries/2024-11/acme.yaml:12:3"
    assert str(CSV) == "log.csv:14"
    assert str(Location("notes.xlsx")) == "notes.xlsx"


def test_text_format() -> None:
    assert format_text([diag("MBR101", XLSX)]) == [
        "entries.xlsx:Entries!H7: MBR101 [error] summary has 143 words; the limit is 120",
        "  = help: cut it down",
    ]


def test_json_format_has_the_spec_fields() -> None:
    (item,) = json.loads(format_json([diag("MBR101", YAML, Severity.WARNING)]))
    assert item == {
        "code": "MBR101",
        "name": "too-long",
        "severity": "warning",
        "message": "summary has 143 words; the limit is 120",
        "help": "cut it down",
        "entry_id": "e-1",
        "field": "summary",
        "location": {
            "source": "entries/2024-11/acme.yaml",
            "sheet": None,
            "cell": None,
            "row": None,
            "line": 12,
            "column": 3,
        },
    }


def test_github_format_escapes_and_places_annotations() -> None:
    yaml_line, xlsx_line = format_github(
        [diag("MBR101", YAML, Severity.WARNING), diag("MBR101", XLSX, Severity.INFO)]
    )
    assert yaml_line == (
        "::warning file=entries/2024-11/acme.yaml,line=12,col=3,title=MBR101 too-long::"
        "summary has 143 words; the limit is 120 (help: cut it down)"
    )
    assert xlsx_line.startswith("::notice file=entries.xlsx,title=MBR101 too-long::")
    assert "entries.xlsx:Entries!H7: summary" in xlsx_line
    multi = Diagnostic("MBR103", "x", Severity.ERROR, "a\nb 100%", "", CSV)
    assert format_github([multi]) == ["::error file=log.csv,line=14,title=MBR103 x::a%0Ab 100%25"]


def test_count_line() -> None:
    assert count_line([], 0) == "0 errors, 0 warnings in 0 entries"
    one = [diag("MBR101", CSV), diag("MBR107", CSV, Severity.WARNING)]
    assert count_line(one, 1) == "1 error, 1 warning in 1 entry"
    many = one * 3 + [diag("MBR108", CSV, Severity.INFO)]
    assert count_line(many, 120) == "3 errors, 3 warnings, 1 info in 120 entries"


def test_sort_keeps_source_order_then_position() -> None:
    later_row = Location("b.xlsx", sheet="S", cell="B9", row=9)
    earlier_col = Location("b.xlsx", sheet="S", cell="A9", row=9)
    first_source = Location("z.yaml", line=40, column=1)
    ordered = sort_diagnostics(
        [diag("MBR1", first_source), diag("MBR2", later_row), diag("MBR3", earlier_col)]
    )
    assert [d.code for d in ordered] == ["MBR1", "MBR3", "MBR2"]


def test_visible_escapes_exactly_what_the_pattern_matches() -> None:
    # The isprintable() shortcut must never let through a character the
    # pattern escapes: every character of the first planes, alone and in text.
    import mbr.output as output

    for code in range(0x3000):
        char = chr(code)
        for text in (char, f"a{char}b", f"café {char}"):
            assert output.visible(text) == output._UNPRINTABLE.sub(output._escape, text)
    assert output.visible("tab\there \x1b[2J \u202eevil") == "tab\there \\x1b[2J \\u202eevil"
