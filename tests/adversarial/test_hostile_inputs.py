"""Hostile and broken inputs through the real CLI: a clear message and an exit code, never a crash.

Every input is made at run time in tmp_path (nothing big is committed). Each
case names the exit code and a fragment of the message a person would read;
every run must also end well within the timeout, without a traceback and
without "internal error", however large the input claims to be.
"""

from __future__ import annotations

import os
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from tests.adversarial.workbook_xml import row_xml, sheet_xml, write_workbook
from tests.conftest import RunMbr

HEADER = ["Date", "Author", "Team", "Category", "Summary"]
SUMMARY = "Northwind cut monthly spend by 38% after moving 40 services to AWS."
GOOD_ROW = ["2024-11-05", "Ann Lee", "East", "win", SUMMARY]
GOOD_CSV = ",".join(HEADER) + "\n" + ",".join(GOOD_ROW) + "\n"
GOOD_YAML = f"date: 2024-11-05\nauthor: Ann Lee\nteam: East\ncategory: win\nsummary: {SUMMARY}\n"
TIMEOUT = 20  # seconds; every case must finish far inside it
QUICK = 10  # seconds; for the inputs built to make a reader work forever

Build = Callable[[Path], list[str]]


@dataclass(frozen=True)
class Hostile:
    """One hostile input: how to make it, and what `mbr check` must answer."""

    id: str
    build: Build  # writes the input under tmp_path; returns the arguments after `check`
    exit_code: int
    fragment: str  # in stdout or stderr
    forbidden: str | None = None  # a path (below tmp_path) that must not exist afterwards
    seconds: float = TIMEOUT
    known_bug: str | None = None  # why it fails today, in a file this suite does not own
    cleanup: Callable[[Path], None] | None = None  # for what pytest cannot delete itself


def write(name: str, content: bytes | str) -> Build:
    def build(tmp_path: Path) -> list[str]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return [name]

    return build


def workbook(name: str, rows: list[list[object]], *, sheet: str = "Entries") -> Build:
    def build(tmp_path: Path) -> list[str]:
        book = openpyxl.Workbook()
        active = book.active
        assert active is not None
        active.title = sheet
        for row in rows:
            active.append(row)
        book.save(tmp_path / name)
        return [name]

    return build


def raw_workbook(name: str, rows: list[list[object]], *, truncate: int = 0) -> Build:
    def build(tmp_path: Path) -> list[str]:
        parts = sheet_xml(row_xml(number, row) for number, row in enumerate(rows, start=1))
        write_workbook(tmp_path / name, parts, truncate=truncate)
        return [name]

    return build


def zip_bomb_workbook(tmp_path: Path) -> list[str]:
    # 1,048,576 rows (Excel's maximum) of the same cell. Rows and cells
    # without an r= attribute are valid and repeat byte for byte, so ~50 MB
    # of sheet XML deflates to ~150 KB.
    body = '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * (1_048_576 - 1)
    write_workbook(tmp_path / "bomb.xlsx", sheet_xml([row_xml(1, HEADER), body]))
    return ["bomb.xlsx"]


def million_row_workbook(tmp_path: Path) -> list[str]:
    # The same, but every row numbered as Excel writes it: the numbers keep
    # deflate to ~14 times, a ratio real sheets reach, so only a cap on rows
    # can stop a 5 MB file from becoming a million entries.
    body = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>'
        for n in range(2, 1_048_577)
    )
    write_workbook(tmp_path / "rows.xlsx", sheet_xml([row_xml(1, HEADER), body]))
    # The default limit (250,000 entries a file) also stops it, after some
    # seconds of reading; a lower configured one shows the same error quickly.
    (tmp_path / "mbr.toml").write_text("[limits]\nmax_rows = 20_000\n", encoding="utf-8")
    return ["rows.xlsx"]


def zip_without_workbook(tmp_path: Path) -> list[str]:
    with zipfile.ZipFile(tmp_path / "photos.xlsx", "w") as archive:
        archive.writestr("readme.txt", "holiday photos")
    return ["photos.xlsx"]


def broken_link(tmp_path: Path) -> list[str]:
    (tmp_path / "entries.yaml").symlink_to(tmp_path / "gone.yaml")
    return ["entries.yaml"]


def broken_link_in_directory(tmp_path: Path) -> list[str]:
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "ann.yaml").write_text(GOOD_YAML, encoding="utf-8")
    (tmp_path / "log" / "bob.yaml").symlink_to(tmp_path / "moved" / "bob.yaml")
    return ["log"]


def directory(files: dict[str, str]) -> Build:
    def build(tmp_path: Path) -> list[str]:
        (tmp_path / "log").mkdir()
        for name, text in files.items():
            (tmp_path / "log" / name).write_text(text, encoding="utf-8")
        return ["log"]

    return build


def named_pipe(tmp_path: Path) -> list[str]:
    # Reading a FIFO blocks until a writer comes; nobody will.
    os.mkfifo(tmp_path / "entries.yaml")
    return ["entries.yaml"]


def linked_loop(tmp_path: Path) -> list[str]:
    (tmp_path / "log" / "team").mkdir(parents=True)
    (tmp_path / "log" / "team" / "ann.yaml").write_text(GOOD_YAML, encoding="utf-8")
    (tmp_path / "log" / "team" / "again").symlink_to(tmp_path / "log")
    return ["log", "--select", "MBR0"]


DEPTH = 1_100  # past Python's recursion limit (1,000 frames)


def deep_directory(tmp_path: Path) -> list[str]:
    (tmp_path / "deep").mkdir()
    # Relative to an open directory at each level: a path 1,100 levels long
    # would make every step walk the whole path again.
    parent = os.open(tmp_path / "deep", os.O_RDONLY)
    for _ in range(DEPTH):
        os.mkdir("a", dir_fd=parent)
        child = os.open("a", os.O_RDONLY, dir_fd=parent)
        os.close(parent)
        parent = child
    entry = os.open("ann.yaml", os.O_WRONLY | os.O_CREAT, dir_fd=parent)
    os.write(entry, GOOD_YAML.encode())
    os.close(entry)
    os.close(parent)
    return ["deep", "--select", "MBR0"]


def remove_deep_directory(tmp_path: Path) -> None:
    # shutil.rmtree (and so pytest's clean-up) recurses once per level.
    levels = [os.open(tmp_path / "deep", os.O_RDONLY)]
    for _ in range(DEPTH):
        levels.append(os.open("a", os.O_RDONLY, dir_fd=levels[-1]))
    os.unlink("ann.yaml", dir_fd=levels[-1])
    os.close(levels.pop())
    while levels:
        parent = levels.pop()
        os.rmdir("a", dir_fd=parent)
        os.close(parent)
    (tmp_path / "deep").rmdir()


def word_document(tmp_path: Path) -> list[str]:
    with zipfile.ZipFile(tmp_path / "report.xlsx", "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return ["report.xlsx"]


def with_args(build: Build, *args: str) -> Build:
    def built(tmp_path: Path) -> list[str]:
        return [*build(tmp_path), *args]

    return built


def nested_yaml(depth: int) -> str:
    return "summary: " + "[" * depth + "x" + "]" * depth + "\n"


def block_nested_yaml(depth: int) -> str:
    # Compact nested block lists ("- - - x"): deep, yet one short line, where
    # indenting each level would make the file grow with the square of it.
    return "summary:\n  " + "- " * depth + "x\n"


ALIAS_BOMB = (
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
    )
    + "date: 2024-11-05\nauthor: Ann Lee\nteam: East\ncategory: win\nsummary: *i\n"
)
HUGE_CELL = "word " * 1_000_000  # 5 MB in one field
# Where reading the huge cell is what is tested: every rule on a million words
# takes seconds, and the YAML case runs them all once.
ONLY_LENGTH = ("--select", "MBR0,MBR101")
WIDE_HEADER = ",".join([*HEADER, *(f"column {n}" for n in range(100_000 - len(HEADER)))])
SYSTEM_TAG = "summary: !!python/object/apply:os.system ['touch {marker}']\n"
NEW_TAG = "summary: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n"
NAME_TAG = "summary: !!python/name:os.system\n"


def tagged(template: str) -> Build:
    def build(tmp_path: Path) -> list[str]:
        marker = tmp_path / "pwned"
        text = GOOD_YAML.replace(f"summary: {SUMMARY}\n", template.format(marker=marker))
        (tmp_path / "evil.yaml").write_text(text, encoding="utf-8")
        return ["evil.yaml"]

    return build


CASES = [
    # --- empty things ---
    Hostile("zero-byte-csv", write("empty.csv", b""), 2, "no entries found in any source"),
    Hostile("zero-byte-yaml", write("empty.yaml", b""), 2, "empty.yaml: MBR010"),
    Hostile("zero-byte-xlsx", write("empty.xlsx", b""), 1, "the file is empty"),
    Hostile("whitespace-csv", write("blank.csv", "  \n\t\n\n"), 2, "blank.csv: MBR010"),
    Hostile("header-only-csv", write("head.csv", ",".join(HEADER) + "\n"), 2, "MBR010"),
    Hostile(
        "header-only-xlsx",
        workbook("head.xlsx", [HEADER]),
        2,
        'head.xlsx:Entries: MBR010 no entries in sheet "Entries"',
    ),
    Hostile(
        "empty-directory",
        directory({}),
        2,
        "no .xlsx, .xlsm, .csv, .yaml or .yml files in this directory",
    ),
    Hostile(
        "directory-of-nothing-readable",
        directory({"notes.txt": "hi", ".hidden.yaml": GOOD_YAML, "~$lock.xlsx": "", "a.yaml~": ""}),
        2,
        "no .xlsx, .xlsm, .csv, .yaml or .yml files in this directory",
    ),
    # --- files that are not what their name says ---
    Hostile("text-named-xlsx", write("log.xlsx", GOOD_CSV), 1, "the file holds plain text"),
    Hostile("binary-named-xlsx", write("log.xlsx", bytes(range(256)) * 8), 1, "not a zip package"),
    Hostile(
        "zip-not-workbook",
        zip_without_workbook,
        1,
        "photos.xlsx: MBR000 [error] not an Excel workbook: the zip package does not hold a",
    ),
    Hostile(
        "truncated-zip", write("cut.xlsx", b"PK\x03\x04" + b"\x00" * 40), 1, "not an Excel workbook"
    ),
    Hostile(
        "encrypted-workbook",
        write("secret.xlsx", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504),
        1,
        "encrypted (password-protected)",
    ),
    Hostile("word-document-named-xlsx", word_document, 1, "report.xlsx: MBR000 [error] not an"),
    Hostile("device-as-source", lambda _: ["/dev/null"], 1, "unsupported file type"),
    Hostile(
        "unsupported-extension", write("notes.txt", GOOD_CSV), 1, "unsupported file type '.txt'"
    ),
    # --- text encodings ---
    Hostile(
        "utf16-csv-with-bom",
        with_args(write("log.csv", GOOD_CSV.encode("utf-16")), "--select", "MBR0"),
        0,
        "0 errors, 0 warnings in 1 entry",
    ),
    Hostile(
        "utf16-csv-without-bom",
        write("log.csv", GOOD_CSV.encode("utf-16-le")),
        1,
        "log.csv:1: MBR000 [error] cannot be read as text: it holds NUL bytes",
    ),
    Hostile(
        "nul-in-csv",
        write("log.csv", GOOD_CSV.encode() + b"2024-11-06,Bo\x00b,East,win,x\n"),
        1,
        "log.csv:3: MBR000 [error] cannot be read as text: it holds NUL bytes",
    ),
    Hostile(
        "neither-utf8-nor-cp1252",
        write("log.csv", GOOD_CSV.encode() + b"2024-11-06,\x81\x8d\x90,East,win,x\n"),
        1,
        "log.csv:3: MBR000 [error] cannot be read as text: it is neither UTF-8 nor Windows-1252",
    ),
    Hostile(
        "invalid-utf16",
        write("log.yaml", b"\xff\xfe" + "date: 1\n".encode("utf-16-le") + b"\x00\xd8"),
        1,
        "log.yaml: MBR000 [error] cannot be read as text: it is not valid UTF-16 text",
    ),
    # --- CSV shapes ---
    Hostile(
        "ragged-rows",
        write(
            "log.csv",
            GOOD_CSV + "2024-11-06,Bob\n" + ",".join([*GOOD_ROW, "x", "y", "z"]) + "\n",
        ),
        1,
        "log.csv:3: MBR001 [error] required field `team` is empty",
    ),
    Hostile(
        "unclosed-quote",
        write("log.csv", GOOD_CSV + '2024-11-06,Bob,East,win,"never closed\n'),
        1,
        "log.csv:3: MBR000 [error] malformed CSV",
    ),
    Hostile(
        "five-megabyte-csv-cell",
        with_args(
            write("big.csv", ",".join(HEADER) + "\n" + ",".join([*GOOD_ROW[:4], HUGE_CELL]) + "\n"),
            *ONLY_LENGTH,
        ),
        1,
        "big.csv:2: MBR000 [error] the value has 4,999,999 characters; the limit is 32,767, "
        "so the entry is not used",
    ),
    Hostile(
        "five-megabyte-yaml-value",
        write("big.yaml", GOOD_YAML.replace(SUMMARY, HUGE_CELL)),
        1,
        "MBR000 [error] the value has 4,999,999 characters; the limit is 32,767",
    ),
    Hostile(
        "hundred-thousand-columns",
        with_args(
            write("wide.csv", WIDE_HEADER + "\n" + GOOD_CSV.splitlines()[1] + "\n"),
            "--select",
            "MBR0",
        ),
        0,
        "0 errors, 0 warnings in 1 entry",
    ),
    Hostile(
        "terminal-escapes-in-cells",
        write(
            "esc.csv", GOOD_CSV.replace("win", "\x1b[2Jwin\u202e").replace(".\n", "\x1b]0;x\x07\n")
        ),
        1,
        'MBR115 [warning] summary ends with "\\x07" instead of . ! or ?',
    ),
    Hostile("csv-without-header", write("log.csv", "a,b,c\n1,2,3\n"), 1, "no header row"),
    # --- YAML ---
    Hostile(
        "yaml-os-system-tag",
        tagged(SYSTEM_TAG),
        1,
        "evil.yaml:5:10: MBR000 [error] the YAML tag !!python/object/apply:os.system is not",
        forbidden="pwned",
    ),
    Hostile(
        "yaml-popen-tag",
        tagged(NEW_TAG),
        1,
        "the YAML tag !!python/object/new:subprocess.Popen is not allowed",
        forbidden="pwned",
    ),
    Hostile("yaml-name-tag", tagged(NAME_TAG), 1, "the YAML tag !!python/name:os.system is not"),
    Hostile(
        "yaml-alias-bomb",
        write("lol.yaml", ALIAS_BOMB),
        1,
        'lol.yaml:5:1: MBR000 [error] the value of "e" is nested too deeply or too large',
        seconds=QUICK,
    ),
    Hostile(
        "yaml-self-referencing-alias",
        write("self.yaml", GOOD_YAML.replace(f"summary: {SUMMARY}", "summary: &s [a, *s]")),
        1,
        'self.yaml:5:1: MBR000 [error] the value of "summary" is nested too deeply or too large',
        seconds=QUICK,
    ),
    Hostile("yaml-scalar-only", write("one.yaml", "just a sentence\n"), 1, "not an entry"),
    Hostile("yaml-list-of-scalars", write("list.yaml", "- a\n- b\n"), 1, "list item 1 is"),
    Hostile(
        "yaml-flow-nesting-10000",
        write("deep.yaml", GOOD_YAML.replace(f"summary: {SUMMARY}\n", nested_yaml(10_000))),
        1,
        "deep.yaml:5:1009: MBR000 [error] invalid YAML: exceeded maximum nesting depth",
        seconds=QUICK,
    ),
    Hostile(
        "yaml-block-nesting-10000",
        write("deep.yaml", GOOD_YAML.replace(f"summary: {SUMMARY}\n", block_nested_yaml(10_000))),
        1,
        "deep.yaml:6:1999: MBR000 [error] invalid YAML: exceeded maximum nesting depth",
        seconds=QUICK,
    ),
    Hostile(
        "yaml-duplicate-key",
        write("dup.yaml", GOOD_YAML + "author: Bob\n"),
        2,  # the only entry is dropped, so no source yields an entry
        'dup.yaml:6:1: MBR009 key "author" appears twice',
    ),
    Hostile(
        "yaml-syntax-error",
        write("bad.yaml", "date: 2024-11-05\nsummary: a: b\n"),
        1,
        "bad.yaml:2:11: MBR000 [error] invalid YAML",
    ),
    Hostile(
        "yaml-control-character",
        write("ctl.yaml", GOOD_YAML.replace("Ann", "A\x07nn")),
        1,
        "ctl.yaml:2:10: MBR000 [error] invalid YAML: character U+0007",
    ),
    Hostile(
        "yaml-mapping-as-key",
        write("key.yaml", "? {a: 1}\n: x\n" + GOOD_YAML),
        1,
        "a key must be plain text",
    ),
    # --- workbooks with broken insides ---
    Hostile(
        "formula-error-in-date-cell",
        raw_workbook("calc.xlsx", [HEADER, [("1/0", "#DIV/0!"), *GOOD_ROW[1:]]]),
        1,
        "calc.xlsx:Entries!A2: MBR002 [error] cannot read the date '#DIV/0!'",
    ),
    Hostile(
        "formula-error-in-summary-cell",
        raw_workbook("calc.xlsx", [HEADER, [*GOOD_ROW[:4], ("Sheet9!A1", "#REF!")]]),
        1,
        'calc.xlsx:Entries!E2: MBR110 [error] spreadsheet error value "#REF!" in the summary',
    ),
    Hostile(
        "formula-error-exported-to-csv",
        write("log.csv", GOOD_CSV.replace("38%", "#N/A")),
        1,
        'log.csv:2: MBR110 [error] spreadsheet error value "#N/A" in the summary',
    ),
    Hostile(
        "truncated-sheet-xml",
        raw_workbook("cut.xlsx", [HEADER, GOOD_ROW, GOOD_ROW], truncate=40),
        1,
        "cut.xlsx: MBR000 [error] not an Excel workbook: unclosed token",
    ),
    Hostile(
        "zip-bomb-workbook",
        zip_bomb_workbook,
        1,
        "bomb.xlsx: MBR000 [error] not read: its part xl/worksheets/sheet1.xml expands from",
        seconds=QUICK,
    ),
    Hostile(
        "zip-bomb-annotated",
        with_args(zip_bomb_workbook, "--annotate", "checked.xlsx"),
        2,
        "--annotate: bomb.xlsx could not be read, so there is nothing to annotate",
        seconds=QUICK,
    ),
    Hostile(
        "million-row-workbook",
        million_row_workbook,
        1,
        "rows.xlsx:Entries: MBR000 [error] not read: the file holds more than 20,000 entries, "
        "the limit\n  = help: split the log (one file per year, say), or raise `max_rows`",
        # Most of the time is openpyxl sizing a sheet that has no <dimension>
        # element by scanning all of it (about 8 s here); bounded, but not quick.
        seconds=45,
    ),
    # --- names and paths ---
    Hostile(
        "sheet-name-with-quotes-and-spaces",
        workbook(
            "log.xlsx",
            [HEADER, ["2024-11-05", "", "East", "win", SUMMARY]],
            sheet="Bob's 'Field' Log",
        ),
        1,
        "log.xlsx:'Bob''s ''Field'' Log'!B2: MBR001 [error]",
    ),
    Hostile(
        "file-name-with-spaces-and-unicode",
        write("Équipe Nord — nov 2024 ✓.yaml", GOOD_YAML.replace("Ann Lee", "")),
        1,
        "Équipe Nord — nov 2024 ✓.yaml:2:",
    ),
    Hostile("broken-symlink", broken_link, 2, "entries.yaml is a symbolic link to"),
    Hostile(
        "broken-symlink-in-directory",
        broken_link_in_directory,
        1,
        "log/bob.yaml: MBR000 [error] a symbolic link to",
    ),
    Hostile(
        "directory-1100-deep",
        deep_directory,
        0,
        "0 errors, 0 warnings in 1 entry",
        cleanup=remove_deep_directory,
    ),
    Hostile(
        "five-megabyte-xlsx-cell",
        with_args(workbook("big.xlsx", [HEADER, [*GOOD_ROW[:4], HUGE_CELL]]), *ONLY_LENGTH),
        1,
        "big.xlsx:Entries!E2: MBR101 [error] summary has",  # Excel keeps 32,767 characters
    ),
    Hostile("symlink-loop", linked_loop, 0, "in 1 entry"),
    Hostile(
        "named-pipe",
        named_pipe,
        1,
        "entries.yaml: MBR000 [error] not a regular file: it is a named pipe",
        seconds=QUICK,
    ),
    Hostile(
        "missing-sheet",
        with_args(workbook("log.xlsx", [HEADER, GOOD_ROW]), "--sheet", "Nope"),
        1,
        'no sheet named "Nope"; the sheets are "Entries"',
    ),
    Hostile(
        "garbage-period",
        with_args(write("log.yaml", GOOD_YAML), "--period", "\u202eNov 2024\u200b"),
        2,
        "cannot read the period",
    ),
]


def test_there_are_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)


def _param(case: Hostile) -> object:
    if case.known_bug is None:
        return pytest.param(case, id=case.id)
    return pytest.param(
        case, id=case.id, marks=pytest.mark.xfail(strict=True, reason=case.known_bug)
    )


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_hostile_input(case: Hostile, run_mbr: RunMbr, tmp_path: Path) -> None:
    args = case.build(tmp_path)
    started = time.monotonic()
    try:
        result = run_mbr("check", *args, "--today", "2024-12-01", timeout=case.seconds)
    except subprocess.TimeoutExpired:
        pytest.fail(f"mbr check did not finish within {case.seconds} s")
    finally:
        if case.cleanup is not None:
            case.cleanup(tmp_path)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert "internal error" not in output, output[-3000:]
    assert case.fragment in output, output[-3000:]
    assert result.returncode == case.exit_code, output[-3000:]
    assert elapsed < case.seconds
    assert "\x1b" not in output, "entry text reached the terminal as control codes"
    if case.forbidden is not None:
        assert not (tmp_path / case.forbidden).exists(), "a YAML tag ran code"
