"""Location.__str__ quotes each sheet name once and still writes it as Excel does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mbr.model import Location, quote_sheet


@pytest.mark.parametrize(
    ("sheet", "expected"),
    [
        ("Entries", "log.xlsx:Entries!H7"),
        ("Field Log", "log.xlsx:'Field Log'!H7"),
        ("Dana's log", "log.xlsx:'Dana''s log'!H7"),
        ("2024", "log.xlsx:'2024'!H7"),
        ("Q4.final_v2", "log.xlsx:Q4.final_v2!H7"),
        ("Überblick", "log.xlsx:'Überblick'!H7"),
        ("", "log.xlsx:!H7"),
    ],
)
def test_a_cell_location_reads_as_an_excel_reference(sheet: str, expected: str) -> None:
    assert str(Location("log.xlsx", sheet=sheet, cell="H7")) == expected


def test_asking_twice_gives_the_same_text() -> None:
    location = Location("log.xlsx", sheet="Field Log", row=7)
    assert str(location) == str(location) == "log.xlsx:'Field Log'!7:7"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_the_cached_quoting_is_the_quoting(name: str) -> None:
    uncached = quote_sheet.__wrapped__(name)
    assert quote_sheet(name) == uncached
    assert quote_sheet(name) == uncached  # the second call answers from the cache
    needs_quotes = any(not (c.isascii() and (c.isalnum() or c in "_.")) for c in name)
    if needs_quotes or name[:1].isdigit():
        assert uncached == "'" + name.replace("'", "''") + "'"
    else:
        assert uncached == name
