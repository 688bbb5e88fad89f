"""Reading .yaml entries: shapes, no coercion, duplicate keys, exact locations.

Every test runs with both the libyaml-backed loader mbr uses and the
pure-Python one: they must read alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from mbr.intake import read_sources
from mbr.intake.base import FileRead
from mbr.intake.yamlfile import EntryLoader, PureEntryLoader, read_yaml


@pytest.fixture(params=[EntryLoader, PureEntryLoader], ids=["libyaml", "pure"])
def loader(request: pytest.FixtureRequest) -> Any:
    return request.param


Read = Callable[[str], FileRead]


@pytest.fixture
def read(loader: Any) -> Read:
    def read(text: str) -> FileRead:
        return read_yaml(dedent(text).encode("utf-8"), "e.yaml", loader=loader)

    return read


def problems(result: FileRead) -> list[tuple[str, str, str]]:
    return [(d.code, str(d.location), d.message) for d in result.diagnostics]


ENTRY = """\
    date: 2024-11-05
    author: Ana Lima
    team: Platform
    category: Win
    summary: Cut deploy time by 40%.
"""


def test_one_entry_as_a_mapping(read: Read) -> None:
    result = read(ENTRY)
    [record] = result.records
    assert record.fields == {
        "date": dt.date(2024, 11, 5),
        "author": "Ana Lima",
        "team": "Platform",
        "category": "Win",
        "summary": "Cut deploy time by 40%.",
    }
    assert str(record.origin) == "e.yaml:1:1"
    assert str(record.location_of("date")) == "e.yaml:1:7"
    assert str(record.location_of("summary")) == "e.yaml:5:10"
    assert result.diagnostics == []


def test_a_list_of_entries(read: Read) -> None:
    result = read(
        """\
        - author: A
          summary: one
        - author: B
          summary: two
        """
    )
    assert [r.fields["author"] for r in result.records] == ["A", "B"]
    assert [str(r.location_of("summary")) for r in result.records] == ["e.yaml:2:12", "e.yaml:4:12"]


def test_a_mapping_with_an_entries_list(read: Read) -> None:
    result = read(
        """\
        month: 2024-11
        entries:
          - author: A
          - author: B
        """
    )
    assert [dict(r.fields) for r in result.records] == [{"author": "A"}, {"author": "B"}]
    assert str(result.records[1].origin) == "e.yaml:4:5"


def test_several_documents(read: Read) -> None:
    result = read(
        """\
        author: A
        ---
        - author: B
        ---
        entries: [{author: C}]
        ---
        # an empty document
        """
    )
    assert [r.fields["author"] for r in result.records] == ["A", "B", "C"]
    assert result.diagnostics == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("NO", "NO"),
        ("yes", "yes"),
        ("off", "off"),
        ("1.0", "1.0"),
        ("0123", "0123"),
        ("1e3", "1e3"),
        (".inf", ".inf"),
        ("2024-11-05", "2024-11-05"),
        ('"quoted"', "quoted"),
        ("'single'", "single"),
        ("~", None),
        ("null", None),
        ("", None),
    ],
)
def test_scalars_are_never_coerced(read: Read, value: str, expected: str | None) -> None:
    [record] = read(f"customer: {value}\nauthor: x\n").records
    assert record.fields["customer"] == expected


def test_a_date_looking_date_is_a_date_and_a_quoted_one_stays_text(read: Read) -> None:
    first, second, third, fourth = read(
        """\
        - date: 2024-11-05
        - date: "2024-11-05"
        - when: 2024-11-05 14:30:00
        - date: 2024-02-30
        """
    ).records
    assert first.fields["date"] == dt.date(2024, 11, 5)
    assert second.fields["date"] == "2024-11-05"
    assert third.fields["date"] == dt.datetime(2024, 11, 5, 14, 30)
    assert fourth.fields["date"] == "2024-02-30"  # not a real day: kept for MBR002


def test_block_scalars_keep_their_lines_trimmed(read: Read) -> None:
    [record] = read(
        """\
        summary: |
          Line one.
          Line two.
        headline: >
          Folded
          words
        """
    ).records
    assert record.fields["summary"] == "Line one.\nLine two."
    assert record.fields["headline"] == "Folded words"
    assert str(record.location_of("summary")) == "e.yaml:1:10"


def test_lists_as_values_are_joined(read: Read) -> None:
    [record] = read(
        """\
        tags: [cloud, migration]
        service:
          - EC2
          - S3
        Notes: {a: 1, b: [2, 3]}
        """
    ).records
    assert record.fields["tags"] == "cloud, migration"
    assert record.fields["service"] == "EC2, S3"
    assert record.extra == {"Notes": "a: 1, b: 2, 3"}


def test_key_aliases_and_extra_keys(read: Read) -> None:
    [record] = read(
        """\
        Entry Date: 2024-11-05
        submitted_by: Ana
        Notes: keep me
        Description: the summary
        summary: a second summary
        """
    ).records
    assert record.fields == {
        "date": dt.date(2024, 11, 5),
        "author": "Ana",
        "summary": "the summary",
    }
    # "summary" is taken by the field (in `locations` too), so the repeat is numbered.
    assert record.extra == {"Notes": "keep me", "summary (2)": "a second summary"}
    assert str(record.location_of("Notes")) == "e.yaml:3:8"


def test_an_empty_value_points_at_its_key(read: Read) -> None:
    [record] = read("author: Ana\nsummary:\nteam: x\n").records
    assert record.fields["summary"] is None
    assert str(record.location_of("summary")) == "e.yaml:2:1"


def test_typo_keys_are_extra_with_mbr008_at_the_key(read: Read) -> None:
    result = read("author: Ana\n  \nSumary: Did it.\nnotes: fine\n")
    assert problems(result) == [
        ("MBR008", "e.yaml:3:1", 'key "Sumary" is not a field; did you mean "summary"?')
    ]
    assert result.records[0].extra == {"Sumary": "Did it.", "notes": "fine"}


def test_a_duplicate_key_is_mbr009_and_the_entry_is_dropped(read: Read) -> None:
    result = read(
        """\
        - author: A
          summary: first
          team: x
          summary: second
        - author: B
        """
    )
    assert problems(result) == [
        (
            "MBR009",
            "e.yaml:4:3",
            'key "summary" appears twice in this entry (first on line 2); the entry is not used',
        )
    ]
    assert [r.fields["author"] for r in result.records] == ["B"]


def test_merge_keys_fill_in_without_counting_as_duplicates(read: Read) -> None:
    result = read(
        """\
        defaults: &team
          team: Platform
          author: Someone
        entries:
          - <<: *team
            author: Ana
        """
    )
    [record] = result.records
    assert dict(record.fields) == {"author": "Ana", "team": "Platform"}
    assert str(record.location_of("team")) == "e.yaml:2:9"
    assert result.diagnostics == []


def test_a_syntax_error_is_one_mbr000_with_line_and_column(read: Read) -> None:
    result = read(
        """\
        - author: A
        - author: B
          summary: Acme: did it
        """
    )
    assert problems(result) == [
        ("MBR000", "e.yaml:3:16", "invalid YAML: mapping values are not allowed here")
    ]
    assert result.diagnostics[0].help == 'put the value in quotes: it holds ": "'
    assert result.records == []


def test_tab_indentation_gets_a_specific_help(read: Read) -> None:
    [problem] = read("summary:\n\t- x\n").diagnostics
    assert (problem.code, str(problem.location)) == ("MBR000", "e.yaml:2:1")
    assert problem.help == "indent with spaces, not tabs"


def test_python_tags_are_refused_and_never_run(read: Read, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    result = read(
        f"""\
        - summary: !!python/object/apply:os.system ["touch {marker}"]
        - !!python/object/apply:os.system ["touch {marker}"]
        - author: kept
        """
    )
    assert problems(result) == [
        ("MBR000", "e.yaml:1:12", "the YAML tag !!python/object/apply:os.system is not allowed"),
        ("MBR000", "e.yaml:2:3", "the YAML tag !!python/object/apply:os.system is not allowed"),
    ]
    assert [r.fields["author"] for r in result.records] == ["kept"]
    assert not marker.exists()


def test_a_scalar_document_and_non_mapping_items_are_mbr000_at_the_node(read: Read) -> None:
    result = read(
        """\
        just words
        ---
        - author: A
        - a plain string
        - [a, list]
        -
        """
    )
    single = 'this YAML document is the single value "just words", not an entry'
    assert problems(result) == [
        ("MBR000", "e.yaml:1:1", single),
        ("MBR000", "e.yaml:4:3", 'list item 2 is the value "a plain string", not an entry'),
        ("MBR000", "e.yaml:5:3", "list item 3 is a list, not an entry"),
    ]
    assert len(result.records) == 1


def test_self_referencing_aliases_do_not_hang(read: Read) -> None:
    result = read("tags: &a [x, *a]\nauthor: A\n")
    assert problems(result) == [
        ("MBR000", "e.yaml:1:1", 'the value of "tags" is nested too deeply or too large')
    ]


def test_alias_bombs_are_refused(read: Read) -> None:
    # Ten to the eighth "x" described in a few hundred bytes.
    anchors = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    anchors += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 8)]
    text = "bomb:\n  " + "\n  ".join(anchors) + "\nentries:\n  - tags: *a7\n    author: A\n"
    result = read(text)
    assert problems(result) == [
        ("MBR000", "e.yaml:11:5", 'the value of "tags" is nested too deeply or too large')
    ]


def test_control_characters_are_mbr000_at_their_position(read: Read) -> None:
    [problem] = read("author: A\nteam: a\x07b\n").diagnostics
    assert (problem.code, str(problem.location)) == ("MBR000", "e.yaml:2:8")
    assert "U+0007" in problem.message


def test_non_ascii_text_keeps_columns_in_characters(read: Read) -> None:
    [record] = read("- {author: Zoë Ünal, team: Ünïcødé, summary: 日本語}\n").records
    assert str(record.location_of("team")) == "e.yaml:1:28"
    assert str(record.location_of("summary")) == "e.yaml:1:46"


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n...\n", "[]\n", "entries:\n"])
def test_files_without_entries_yield_no_records_and_no_errors(read: Read, text: str) -> None:
    result = read(text)
    assert (result.records, result.diagnostics) == ([], [])


def test_cp1252_yaml_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("e.yml").write_bytes("author: Zoë\nsummary: Acme’s move.\n".encode("cp1252"))
    [record] = read_sources(["e.yml"]).records
    assert record.fields == {"author": "Zoë", "summary": "Acme’s move."}


def test_an_empty_yaml_file_is_mbr010(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("e.yaml").write_text("# nothing yet\n")
    result = read_sources(["e.yaml"])
    assert [(d.code, str(d.location), d.message) for d in result.diagnostics] == [
        ("MBR010", "e.yaml", "no entries in this file")
    ]


def test_a_file_whose_only_entry_was_dropped_gets_no_mbr010(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("e.yaml").write_text("author: A\nauthor: B\n")
    assert [d.code for d in read_sources(["e.yaml"]).diagnostics] == ["MBR009"]
