"""A large CSV file read in two halves at once (mbr's second process reads the
second) gives exactly the one-process read: records, lines, diagnostics."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path
from types import ModuleType

import pytest

from mbr import spare
from mbr.config import Limits, load_config
from mbr.dates import parse_period
from mbr.entries import dated_in
from mbr.intake import delimited
from mbr.intake.base import FileRead

pytestmark = pytest.mark.skipif(
    not spare.can_share(), reason="the second half needs a second process"
)



@pytest.fixture(scope="module")
def log(generate: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("log") / "log.csv"
    generate.write_csv(path, 1500, seed=11)
    return path.read_bytes()


@pytest.fixture(autouse=True)
def small_halves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delimited, "SPLIT_BYTES", 64 << 10)


def _march(generate: ModuleType) -> delimited.DateFilter:
    config = load_config(generate.CONFIG)
    return dated_in(parse_period("2024-03", today=generate.TODAY), config)


def _both(data: bytes, **options: object) -> tuple[FileRead, FileRead, bool]:
    """The one-process read, the read in halves, and whether the worker read the
    second half and came back for the rules."""
    whole = delimited.read_csv(data, "log.csv", **options)  # type: ignore[arg-type]
    with spare.worker_started_early(True):
        worker = spare._spare
        assert worker is not None
        halves = delimited.read_csv(data, "log.csv", **options)  # type: ignore[arg-type]
        given_back = spare._spare is worker
    return whole, halves, given_back


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each read was split (a spy on _Halves.start's answer)."""
    started: list[bool] = []
    start = delimited._Halves.start

    def recorded(*args: object, **kwargs: object) -> object:
        halves = start(*args, **kwargs)  # type: ignore[arg-type]
        started.append(halves is not None)
        return halves

    monkeypatch.setattr(delimited._Halves, "start", recorded)
    return started


def _same(whole: FileRead, halves: FileRead) -> None:
    assert halves.records == whole.records
    assert halves.diagnostics == whole.diagnostics


def test_halves_read_what_one_process_reads(
    log: bytes, generate: ModuleType, split: list[bool]
) -> None:
    whole, halves, given_back = _both(log, wanted_date=_march(generate))
    assert split == [False, True]  # the first read had no worker to take
    assert given_back  # the worker read the second half and is there for the rules
    assert len(whole.records) == 1500
    _same(whole, halves)
    lines = [r.origin.line for r in halves.records if not isinstance(r, delimited.OutOfPeriod)]
    assert lines == sorted(lines) and lines[-1] > 1400  # second-half rows keep their lines


def test_a_build_of_every_row_is_read_in_one_piece(log: bytes, split: list[bool]) -> None:
    # Records and their Locations would cost more to pickle than to read here.
    whole, halves, given_back = _both(log)
    assert split == [False, False] and given_back
    _same(whole, halves)


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_quoted_line_breaks_across_the_middle(
    log: bytes, generate: ModuleType, newline: str, split: list[bool]
) -> None:
    text = log.decode().replace("\r\n", "\n")
    middle = text.index("\n", len(text) // 2)
    # Summaries with line breaks inside their quotes at the middle of the file.
    row = '2024-03-05,Ann Lee,Core,Win,,,"first line\nsecond line\n\nthird",,,\n'
    data = (text[: middle + 1] + row * 3 + text[middle + 1 :]).replace("\n", newline).encode()
    whole, halves, given_back = _both(data, wanted_date=_march(generate))
    assert split[-1] and given_back
    _same(whole, halves)
    kept = [r for r in whole.records if not isinstance(r, delimited.OutOfPeriod)]
    assert sum(1 for r in kept if "third" in str(r.fields["summary"])) == 3


def test_a_stray_quote_near_the_middle_still_gives_the_same_read(
    log: bytes, generate: ModuleType
) -> None:
    text = log.decode()
    middle = text.index("\n", len(text) // 2)
    stray = '2024-03-05,Ann "the" Lee,Core,Win,,,Shipped 3 things.,,,\n'  # a quote unquoted
    data = (text[: middle + 1] + stray + text[middle + 1 :]).encode()
    whole, halves, _ = _both(data, wanted_date=_march(generate))
    _same(whole, halves)


def test_a_malformed_row_in_the_second_half_is_reported_as_in_one_process(
    log: bytes, generate: ModuleType, split: list[bool]
) -> None:
    text = log.decode()
    cut = text.index("\n", len(text) * 3 // 4)
    data = (text[: cut + 1] + '2024-03-05,Ann,Core,Win,"never closed\n').encode()
    whole, halves, given_back = _both(data, wanted_date=_march(generate))
    assert split[-1] and not given_back  # it answered a failure: that worker is not reused
    [problem] = whole.diagnostics
    assert problem.code == "MBR000" and "never closed" in problem.message
    _same(whole, halves)


@pytest.mark.parametrize("max_rows", [500, 1000, 1499, 1500])
def test_max_rows_passed_in_either_half_drops_the_records_alike(
    log: bytes, generate: ModuleType, max_rows: int
) -> None:
    limits = Limits(max_rows=max_rows)
    for wanted in (None, _march(generate)):
        whole, halves, _ = _both(log, limits=limits, wanted_date=wanted)
        _same(whole, halves)
        assert bool(whole.records) == (max_rows >= 1500)


def test_a_cell_over_the_limit_in_the_second_half_reads_as_in_one_process(
    log: bytes, generate: ModuleType
) -> None:
    text = log.decode()
    cut = text.index("\n", len(text) * 3 // 4)
    long_row = f"2024-03-05,Ann,Core,Win,,,{'x' * 5000},,,\n"
    data = (text[: cut + 1] + long_row + text[cut + 1 :]).encode()
    limits = Limits(max_cell_chars=2000)
    whole, halves, _ = _both(data, limits=limits, wanted_date=_march(generate))
    assert any("2,000" in d.message or "2000" in d.message for d in whole.diagnostics)
    _same(whole, halves)


def test_a_date_filter_that_does_not_pickle_leaves_the_read_to_this_process(
    log: bytes, split: list[bool]
) -> None:
    whole, halves, given_back = _both(log, wanted_date=lambda value: str(value) < "2023")
    assert split[-1] and given_back  # it was sent nothing: it is left for the rules
    _same(whole, halves)


def test_old_mac_line_ends_are_read_in_one_process(
    log: bytes, generate: ModuleType, split: list[bool]
) -> None:
    data = log.replace(b"\r\n", b"\r")
    whole, halves, given_back = _both(data, wanted_date=_march(generate))
    assert split == [False, False] and given_back  # left for the rules as it was
    _same(whole, halves)


def test_lone_carriage_returns_before_the_split_keep_the_lines_of_one_process(
    log: bytes, generate: ModuleType, split: list[bool]
) -> None:
    # csv counts a lone \r as a line end; the second half's lines come after them.
    head, _, rest = log.partition(b"\r\n")
    data = head + b"\r\n" + rest.replace(b"\r\n", b"\r", 200)
    whole, halves, given_back = _both(data, wanted_date=_march(generate))
    assert split[-1] and given_back
    _same(whole, halves)
    lines = [r.origin.line for r in whole.records if not isinstance(r, delimited.OutOfPeriod)]
    assert lines[-1] > 1400


def _exact(data: bytes, monkeypatch: pytest.MonkeyPatch, **options: object) -> FileRead:
    """The read that decodes the whole file before parsing it, in one process."""
    with monkeypatch.context() as patched:
        patched.setattr(delimited, "_may_be_utf8", lambda data: False)
        return delimited.read_csv(data, "log.csv", **options)  # type: ignore[arg-type]


def _at_split(data: bytes, insert: bytes) -> bytes:
    """`data` with `insert` at the start of the line the split finds."""
    at = delimited._record_boundary(data, delimited.FIRST_SHARE)
    assert at is not None
    return data[:at] + insert + data[at:]


@pytest.mark.parametrize(
    "variant",
    ["cp1252 late", "cp1252 early", "bom at the split", "utf-16", "no header", "blank"],
)
def test_a_large_log_is_taken_as_utf8_only_when_it_reads_as_utf8(
    log: bytes,
    generate: ModuleType,
    variant: str,
    split: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = "2024-03-05,Ann Lee,Core,Win,Café Rouge,,Served 40 cafés at Café Rouge.,,,\r\n"
    if variant == "cp1252 late":  # Excel on Windows; the one byte é only past the split
        data = _at_split(log, row.encode("cp1252"))
    elif variant == "cp1252 early":
        head, _, rest = log.partition(b"\r\n")
        data = head + b"\r\n" + row.encode("cp1252") + rest
    elif variant == "bom at the split":  # U+FEFF there is a character of the first cell
        data = _at_split(log, "\ufeff".encode() + row.encode())
    elif variant == "utf-16":
        data = log.decode().encode("utf-16")
    elif variant == "no header":
        data = log.partition(b"\r\n")[2].replace(b"Date", b"When?")
        data = b"\r\n".join(b"x,y,z" for _ in range(40)) + b"\r\n" + data
    else:
        data = b" \r\n" * 40_000
    march = _march(generate)
    exact = _exact(data, monkeypatch, wanted_date=march)
    with spare.worker_started_early(True):
        taken = delimited.read_csv(data, "log.csv", wanted_date=march)
    _same(exact, taken)
    if variant.startswith("cp1252"):
        kept = [r for r in taken.records if not isinstance(r, delimited.OutOfPeriod)]
        assert any(r.fields["customer"] == "Café Rouge" for r in kept)
    if variant == "bom at the split":
        assert split[-1]  # the worker read the part that starts with it
        [cafe] = [
            r
            for r in taken.records
            if not isinstance(r, delimited.OutOfPeriod) and r.fields["customer"] == "Café Rouge"
        ]
        assert cafe.fields["date"] == "\ufeff2024-03-05"
    if variant == "no header":
        assert [d.code for d in taken.diagnostics] == ["MBR000"]
    if variant == "blank":
        assert not taken.records and not taken.diagnostics


def test_a_large_utf8_log_is_not_decoded_whole_before_it_is_parsed(
    log: bytes, generate: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    inspected: list[int] = []
    inspect = delimited.inspect_text

    def counted(data: bytes) -> object:
        inspected.append(len(data))
        return inspect(data)

    monkeypatch.setattr(delimited, "inspect_text", counted)
    with spare.worker_started_early(True):
        delimited.read_csv(log, "log.csv", wanted_date=_march(generate))
        assert not inspected
        delimited.read_csv(log, "log.csv")  # every row: no second process, decoded first
        assert inspected


def test_the_boundary_is_a_line_start_with_even_quotes_before_it() -> None:
    rows = [b'a,"b\n', b'c",d\n'] * 10 + [b"e,f\n"] * 10
    data = b"".join(rows)
    at = delimited._record_boundary(data)
    assert at is not None and data[at - 1 : at] == b"\n"
    assert data.count(b'"', 0, at) % 2 == 0 and at >= len(data) // 2
    assert delimited._record_boundary(b'x,"' + b"y\n" * 100) is None  # never closed


def test_generated_rows_shuffled_still_read_alike(log: bytes, generate: ModuleType) -> None:
    header, *lines = io.StringIO(log.decode(), newline="").readlines()
    random.Random(3).shuffle(lines)
    whole, halves, _ = _both((header + "".join(lines)).encode(), wanted_date=_march(generate))
    _same(whole, halves)


def test_pending_imports_are_done_before_waiting_for_the_worker(
    log: bytes, generate: ModuleType, split: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mbr import idle

    calls: list[bool] = []
    monkeypatch.setattr(idle, "import_pending", lambda: calls.append(True))
    whole, halves, _ = _both(log, wanted_date=_march(generate))
    assert split == [False, True] and calls == [True]  # the one read in halves waited once
    _same(whole, halves)


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_the_cli_checks_a_large_non_utf8_log_for_a_period_as_it_does_in_one_piece(
    log: bytes,
    generate: ModuleType,
    encoding: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from mbr.cli import cli

    data = log.decode().encode(encoding)
    with pytest.raises(UnicodeDecodeError):  # names such as Sørensen: not UTF-8 either way
        data.decode("utf-8")
    (tmp_path / "log.csv").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    args = ["check", "log.csv", "--config", str(generate.CONFIG), "--period", "2024-03",
            "--today", "2026-11-27"]  # fmt: skip
    split = CliRunner().invoke(cli, args)
    monkeypatch.setattr(delimited, "SPLIT_BYTES", 1 << 40)  # one piece, decoded first
    whole = CliRunner().invoke(cli, args)
    assert split.exit_code == whole.exit_code == 1, split.output
    assert split.stdout == whole.stdout and split.stderr == whole.stderr == ""
    counted = re.search(r" in (\d+) entries$", split.stdout.splitlines()[-1])
    assert counted is not None and int(counted.group(1)) > 0  # the month was read
