"""Modules a command will need, imported where the main thread would wait (mbr.idle)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mbr import idle
from mbr.intake import xlsx_calamine
from tests.fixtures.workbooks import make_xlsx


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Three modules that note their import in `imported`; the middle one fails."""
    imported: list[str] = []
    monkeypatch.setattr(sys, "imported_by_idle_test", imported, raising=False)
    for name, body in (
        ("idle_first", "import sys; sys.imported_by_idle_test.append('first')"),
        ("idle_broken", "raise RuntimeError('broken on import')"),
        ("idle_second", "import sys; sys.imported_by_idle_test.append('second')"),
    ):
        (tmp_path / f"{name}.py").write_text(body + "\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(idle, "_pending", [])
    yield imported
    for name in ("idle_first", "idle_broken", "idle_second"):
        sys.modules.pop(name, None)


def test_pending_modules_are_imported_in_order_once(modules: list[str]) -> None:
    idle.import_later("idle_first", "idle_broken", "idle_second")
    assert modules == []  # nothing until asked
    idle.import_pending()
    assert modules == ["first", "second"]  # the broken one is left to its real import
    idle.import_pending()
    assert modules == ["first", "second"]
    with pytest.raises(RuntimeError, match="broken on import"):
        __import__("idle_broken")


def test_a_module_imported_or_listed_already_is_not_listed_again(modules: list[str]) -> None:
    idle.import_later("idle_first", "idle_first", "sys")
    assert idle._pending == ["idle_first"]
    idle.import_pending()
    idle.import_later("idle_first")
    assert idle._pending == []


def test_calamine_rows_import_the_pending_modules_while_the_parse_runs(
    modules: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsing = threading.Event()
    release = threading.Event()
    parse = xlsx_calamine.CalamineSheet._parse

    def slow_parse(self: xlsx_calamine.CalamineSheet, wanted: str | None) -> None:
        parsing.set()
        release.wait(10)
        parse(self, wanted)

    monkeypatch.setattr(xlsx_calamine.CalamineSheet, "_parse", slow_parse)
    data = make_xlsx(tmp_path, [["Date", "Author"], ["2024-03-05", "Ann"]]).read_bytes()
    sheet = xlsx_calamine.CalamineSheet(data, None)
    parsing.wait(10)
    idle.import_later("idle_first")
    seen: list[str] = []
    real = idle.import_pending

    def pending_then_release() -> None:
        real()
        seen.extend(modules)  # imported before the wait for calamine
        release.set()

    monkeypatch.setattr(idle, "import_pending", pending_then_release)
    found = sheet.rows("Entries")
    assert seen == ["first"]
    assert found is not None
