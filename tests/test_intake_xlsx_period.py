"""One period out of a large workbook, read from the sheet cut to the rows
that may be in it (mbr.intake.xlsx_period): the records, diagnostics and
entries must be those of reading the whole sheet.

Workbooks here are small, so the size above which the cut is tried is
lowered to nothing, and so is the size above which mbr's second process
cuts the later half of the rows where a test asks for two processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from mbr import spare
from mbr.config import Limits, load_config
from mbr.dates import Period, parse_period
from mbr.entries import dated_in
from mbr.intake import read_sources, xlsx_head, xlsx_period
from mbr.intake.base import FileRead
from mbr.intake.xlsx import read_xlsx
from mbr.intake.xlsx_period import SheetCut, cut_to_period
from mbr.intake.xlsx_rows import SheetRows
from mbr.model import Record
from mbr.pipeline import collect
from tests.fixtures.builds import every_entry_then_filter
from tests.fixtures.workbooks import make_xlsx

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CONFIG = SAMPLES / "mbr.toml"
TODAY = dt.date(2026, 11, 27)
HEADER = ["Date", "Author", "Team", "Category", "Summary", "ID", "Notes"]
SUMMARY = "Cut the nightly batch from 6 hours to 40 minutes for the retail team."
PERIODS = ["2024-03", "2023-Q4", "2022", "2030-01"]


@pytest.fixture(autouse=True)
def cut_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_period, "CUT_MIN_BYTES", 0)


@pytest.fixture(scope="module")
def saved_by_libreoffice(generated_log: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated log as LibreOffice saves it: text in a shared-string table."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    out = tmp_path_factory.mktemp("saved")
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{out}/profile", "--headless",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(generated_log)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return out / generated_log.name


def _period(text: str) -> Period:
    return parse_period(text, today=TODAY)


@contextlib.contextmanager
def _processes(count: int) -> Iterator[None]:
    """The sheet cut by this process alone, or by two: mbr's second process
    then cuts the later half of the rows."""
    if count == 1:
        yield
        return
    if not spare.can_share():
        pytest.skip("mbr's second process needs two cores")
    with pytest.MonkeyPatch.context() as patch, spare.worker_started_early(True):
        patch.setattr(xlsx_period, "SPLIT_MIN_BYTES", 0)
        yield


def _reads(
    path: Path,
    period: str,
    limits: Limits | None = None,
    sheet: str | None = None,
    processes: int = 1,
) -> tuple[FileRead, FileRead]:
    """(the read of the cut, the read of the whole sheet) for one period."""
    config = load_config(CONFIG)
    data = path.read_bytes()
    wanted = dated_in(_period(period), config)
    with _processes(processes):
        cut = read_xlsx(data, path.name, sheet=sheet, wanted_date=wanted, limits=limits)
    saved = xlsx_period.CUT_MIN_BYTES
    xlsx_period.CUT_MIN_BYTES = 1 << 62
    try:
        whole = read_xlsx(data, path.name, sheet=sheet, wanted_date=wanted, limits=limits)
    finally:
        xlsx_period.CUT_MIN_BYTES = saved
    return cut, whole


def _cut(
    path: Path, period: str, limits: Limits | None = None, processes: int = 1
) -> SheetCut | None:
    config = load_config(CONFIG)
    with _processes(processes):
        cut = cut_to_period(
            path.read_bytes(), None, dated_in(_period(period), config), limits or Limits()
        )
    assert cut is None or cut.shared == (processes == 2)
    return cut


def _left_out(cut: SheetCut | None) -> int:
    assert cut is not None
    return sum(cut.left_out_before) + cut.left_out_after


def _assert_same(cut: FileRead, whole: FileRead) -> None:
    assert cut.records == whole.records
    assert cut.diagnostics == whole.diagnostics
    assert cut.sheet == whole.sheet


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("which", ["openpyxl", "libreoffice"])
def test_a_period_out_of_a_generated_log_reads_as_the_whole_sheet(
    which: str, period: str, processes: int, generated_log: Path, request: pytest.FixtureRequest
) -> None:
    path = generated_log if which == "openpyxl" else request.getfixturevalue("saved_by_libreoffice")
    if period != "2030-01":  # a period after the log leaves out every dated row too
        assert _left_out(_cut(path, period, processes=processes)) > 1000
    _assert_same(*_reads(path, period, processes=processes))


@pytest.mark.parametrize("processes", [1, 2])
def test_the_cut_keeps_only_the_shared_strings_its_rows_use(
    saved_by_libreoffice: Path, processes: int
) -> None:
    cut = _cut(saved_by_libreoffice, "2024-03", processes=processes)
    assert cut is not None
    with zipfile.ZipFile(io.BytesIO(cut.data)) as package:
        sheet = package.read(cut.part)
        table = package.read("xl/sharedStrings.xml")
    used = [int(index) for index in re.findall(rb't="s"><v>(\d+)</v>', sheet)]
    # Renumbered from 0 in the order first used, each string once.
    assert list(dict.fromkeys(used)) == list(range(len(set(used))))
    assert table.count(b"<si>") == len(set(used)) < len(used)
    assert b"count=" not in table  # the whole table's counts would be wrong


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("period", ["2026-10", "2026-09", "2025-03", "2026-Q3"])
def test_a_period_out_of_the_sample_workbook_reads_as_the_whole_sheet(
    period: str, processes: int
) -> None:
    path = SAMPLES / "intake.xlsx"
    assert _left_out(_cut(path, period, processes=processes)) > 0
    _assert_same(*_reads(path, period, processes=processes))


@pytest.mark.parametrize("period", ["2024-03", "2023"])
def test_a_build_of_the_period_equals_building_every_entry_then_filtering(
    period: str, generated_log: Path
) -> None:
    fast = collect([str(generated_log)], load_config(CONFIG), today=TODAY, period=_period(period))
    plain = every_entry_then_filter([str(generated_log)], CONFIG, _period(period), today=TODAY)
    assert (fast.read, fast.in_period, fast.diagnostics) == (
        plain.read,
        plain.in_period,
        plain.diagnostics,
    )


def _log(
    tmp_path: Path,
    rows: Sequence[Sequence[object]],
    last: Sequence[Sequence[object]] = (),
    **options: Any,
) -> Path:
    """A title row, the header, then `rows` between two runs of rows outside
    March 2024 (so the cut has rows to leave out below the header rows),
    then `last`."""
    filler = [
        [dt.date(2023, 1 + n % 12, 1 + n % 27), "Ann", "Enterprise East", "Win", SUMMARY]
        for n in range(40)
    ]
    body: list[Sequence[object]] = [["Field log"], [], HEADER, *filler, *rows, *filler, *last]
    return make_xlsx(tmp_path, body, **options)


@pytest.mark.parametrize("processes", [1, 2])
def test_rows_with_a_written_id_are_kept_so_their_id_is_reserved(
    tmp_path: Path, processes: int
) -> None:
    path = _log(tmp_path, [
        [dt.date(2023, 5, 2), "Ann", "Enterprise East", "Win", SUMMARY, "w-1", None],
        [dt.date(2024, 3, 5), "Bo", "Enterprise East", "Win", SUMMARY, "w-1", None],
        [dt.date(2022, 1, 4), "Cy", "Enterprise East", "Win", SUMMARY, 17, None],
    ])  # fmt: skip
    cut = _cut(path, "2024-03", processes=processes)
    assert _left_out(cut) == 62  # the filler, but for the 18 rows among the first 21
    read, whole = _reads(path, "2024-03", processes=processes)
    _assert_same(read, whole)
    entries = collect([str(path)], load_config(CONFIG), today=TODAY, period=_period("2024-03"))
    assert [e.id for e in entries.in_period] == ["w-1-2"]


@pytest.mark.parametrize("processes", [1, 2])
def test_a_cell_too_long_outside_the_period_is_still_mbr000(
    tmp_path: Path, processes: int
) -> None:
    limits = Limits(max_cell_chars=1000)
    path = _log(tmp_path, [
        [dt.date(2023, 5, 2), "Ann", "Enterprise East", "Win", "x" * 1500, None, None],
        [dt.date(2024, 3, 5), "Bo", "Enterprise East", "Win", SUMMARY, None, None],
    ])  # fmt: skip
    assert _left_out(_cut(path, "2024-03", limits, processes)) == 62
    read, whole = _reads(path, "2024-03", limits, processes=processes)
    _assert_same(read, whole)
    assert [d.code for d in read.diagnostics] == ["MBR000"]


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize(
    "why, options",
    [
        ("merged cells", {"merges": ["G50:G52"]}),
        ("a duration style", {"number_formats": {"G60": "[h]:mm"}}),
    ],
)
def test_the_whole_sheet_is_read_when_the_cut_cannot_be_sure(
    tmp_path: Path, why: str, options: dict[str, Any], processes: int
) -> None:
    rows = [[dt.date(2024, 3, 5), "Bo", "Enterprise East", "Win", SUMMARY, None, 1.5]]
    path = _log(tmp_path, rows, **options)
    assert _cut(path, "2024-03", processes=processes) is None, why
    _assert_same(*_reads(path, "2024-03", processes=processes))


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("where", ["middle", "last row"])
def test_a_number_with_an_exponent_leaves_the_sheet_whole(
    tmp_path: Path, processes: int, where: str
) -> None:
    row = [dt.date(2022, 3, 5), "Bo", "Enterprise East", "Win", SUMMARY, None, 1e-100]
    if where == "middle":
        path = _log(tmp_path, [row])
    else:  # in the half mbr's second process cuts, when there are two
        march = [dt.date(2024, 3, 5), "Bo", "Enterprise East", "Win", SUMMARY]
        path = _log(tmp_path, [march], last=[row])
    assert _cut(path, "2024-03", processes=processes) is None
    _assert_same(*_reads(path, "2024-03", Limits(max_cell_chars=90), processes=processes))


def test_a_cut_the_reader_finds_wrong_is_dropped_for_the_whole_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _log(tmp_path, [[dt.date(2024, 3, 5), "Bo", "Enterprise East", "Win", SUMMARY]])
    checked: list[bool] = []

    def misfit(self: SheetCut, *args: object) -> bool:
        checked.append(False)
        return False

    monkeypatch.setattr(SheetCut, "fits", misfit)
    read, whole = _reads(path, "2024-03")
    assert checked  # the cut was made and refused
    _assert_same(read, whole)
    assert len(read.records) == 81


@pytest.mark.parametrize("processes", [1, 2])
def test_rows_kept_point_at_their_own_sheet_rows(tmp_path: Path, processes: int) -> None:
    limits = Limits(max_cell_chars=1000)
    path = _log(tmp_path, [
        [dt.date(2024, 3, 5), "Bo", "Enterprise East", "Win", "x" * 1500, None, None],
        [dt.date(2024, 3, 6), "Cy", "Enterprise East", "Win", SUMMARY, None, None],
    ])  # fmt: skip
    assert _left_out(_cut(path, "2024-03", limits, processes)) == 62
    config = load_config(CONFIG)
    wanted = dated_in(_period("2024-03"), config)
    with _processes(processes):
        read = read_sources([str(path)], limits=limits, wanted_date=wanted)
    # The title, a blank row, the header and 40 rows of filler come first:
    # rows 44 and 45 of the sheet, 4 and 5 of the cut.
    assert [(d.code, d.location.cell) for d in read.diagnostics] == [("MBR000", "E44")]
    (record,) = [r for r in read.records if isinstance(r, Record)]
    assert record.origin.row == 45 and record.locations["author"].cell == "B45"


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("wanted", ["Entries", "entries"])
def test_the_cut_is_of_the_sheet_the_reader_reads(
    tmp_path: Path, wanted: str, processes: int
) -> None:
    rows = [[dt.date(2024, 3, 5), "Bo", "Enterprise East", "Win", SUMMARY]]
    path = _log(tmp_path, rows, sheets_before=[("Old", "hidden"), ("Archive", "visible")])
    config = load_config(CONFIG)
    wanted_date = dated_in(_period("2024-03"), config)
    with _processes(processes):
        cut = cut_to_period(path.read_bytes(), wanted, wanted_date, Limits())
    assert _left_out(cut) == 62
    assert cut is not None and cut.part == "xl/worksheets/sheet3.xml"
    assert cut.shared == (processes == 2)
    read, whole = _reads(path, "2024-03", sheet=wanted, processes=processes)
    _assert_same(read, whole)
    assert read.sheet == "Entries" and len(read.records) == 81


@pytest.mark.parametrize("processes", [1, 2])
def test_a_date_column_after_others_is_found_by_its_letter(
    tmp_path: Path, processes: int
) -> None:
    def shifted(row: Sequence[object]) -> list[object]:
        return ["x", *row] if row else []

    filler = [[dt.date(2023, 1 + n % 12, 2), "Ann", "Enterprise East", "Win", SUMMARY]
              for n in range(40)]  # fmt: skip
    march = [dt.date(2024, 3, 5), "Bo", "Enterprise East", "Win", SUMMARY]
    body: list[Sequence[object]] = [["Field log"], [], ["Ref", *HEADER]]
    body += map(shifted, [*filler, march, *filler])
    path = make_xlsx(tmp_path, body)
    assert _left_out(_cut(path, "2024-03", processes=processes)) == 62
    read, whole = _reads(path, "2024-03", processes=processes)
    _assert_same(read, whole)
    assert sum(1 for record in read.records if isinstance(record, Record)) == 1


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("long", ["head rows", "shared strings before the header's"])
def test_a_header_far_into_the_xml_is_found(tmp_path: Path, long: str, processes: int) -> None:
    # mbr's second process inflates no more of the sheet and the shared
    # strings than the head rows need: here more than its first try.
    shared = long != "head rows"
    title: list[object] = [c * 30_000 for c in "xyz"] if shared else list(range(3000))
    # Rows enough that the head rows are all in the first half.
    filler = [[dt.date(2023, 1 + n % 12, 2), "Ann", "Enterprise East", "Win", SUMMARY]
              for n in range(400)]  # fmt: skip
    march = [dt.date(2024, 3, 5), "Bo", "Enterprise East", "Win", SUMMARY]
    body: list[Sequence[object]] = [title, [], HEADER, *filler, march, *filler]
    path = make_xlsx(tmp_path, body, shared_strings=shared)
    assert _left_out(_cut(path, "2024-03", processes=processes)) == 782
    read, whole = _reads(path, "2024-03", processes=processes)
    _assert_same(read, whole)
    assert sum(1 for record in read.records if isinstance(record, Record)) == 1


def test_head_rows_are_split_out_of_as_much_of_the_sheet_as_holds_them() -> None:
    cells = b"".join(b'<c r="A%d"><v>%d</v></c>' % (n, n) for n in range(1, 5000))
    rows = b"".join(b'<row r="%d">%s</row>' % (n, cells if n < 3 else b"") for n in range(1, 40))
    xml = b"<worksheet><sheetData>%s</sheetData></worksheet>" % rows
    head = xlsx_head.head_rows(xml)
    assert head is not None and head.numbers[: head.head_count] == list(range(1, 22))
    whole = SheetRows.of(xml, "sheet")
    assert whole is not None and whole.head_xml() == head.head_xml()


def test_a_second_process_that_is_gone_leaves_the_sheet_whole(generated_log: Path) -> None:
    with _processes(2):
        worker = spare.take()
        assert worker is not None
        worker.kill()
        worker.wait()
        spare.give_back(worker)
        assert _cut(generated_log, "2024-03") is None
    _assert_same(*_reads(generated_log, "2024-03"))
