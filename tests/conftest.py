"""Shared test helpers: running the real CLI, the office-suite marker, the log generator."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `office` need LibreOffice and pdftotext.

    Where they are missing the tests are skipped, except under
    MBR_REQUIRE_OFFICE=1 (set by .ci/run), where a skip would hide a broken set-up.
    """
    if shutil.which("soffice") and shutil.which("pdftotext"):
        return
    if os.environ.get("MBR_REQUIRE_OFFICE"):
        raise pytest.UsageError("MBR_REQUIRE_OFFICE is set but soffice/pdftotext are missing")
    skip = pytest.mark.skip(reason="LibreOffice (soffice) or pdftotext not installed")
    for item in items:
        if "office" in item.keywords:
            item.add_marker(skip)


RunMbr = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_mbr(tmp_path: Path) -> RunMbr:
    """Run the real `mbr` in a subprocess, in tmp_path unless cwd is given."""

    def run(
        *args: str, cwd: Path | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "MBR_DEBUG"}
        return subprocess.run(
            [sys.executable, "-m", "mbr", *args],
            cwd=cwd or tmp_path,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )

    return run


@pytest.fixture(scope="session")
def generate() -> Iterator[ModuleType]:
    """benchmarks/generate.py: the seeded generator of realistic logs."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        yield importlib.import_module("generate")
    finally:
        sys.path.remove(str(REPO / "benchmarks"))


@pytest.fixture(scope="session")
def generated_log(generate: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated 2,000-entry log as .xlsx, and the same rows beside it as .csv."""
    path = tmp_path_factory.mktemp("log") / "log-2000.xlsx"
    generate.write_xlsx(path, 2000, seed=7)
    generate.write_csv(path.with_suffix(".csv"), 2000, seed=7)
    return path
