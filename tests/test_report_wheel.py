"""The packaged templates and reference.docx work from an installed wheel.

Builds the wheel from a copy of the source (nothing is written into the
repository), installs it into a fresh virtualenv without its dependencies —
those are borrowed from the environment running the tests, by path, so no
network is needed — and compiles a report with each built-in template there.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import docx

REPO = Path(__file__).resolve().parent.parent
ENTRIES = """\
- date: 2024-11-05
  author: Dana Reyes
  team: Enterprise East
  category: win
  customer: Acme Corp
  summary: >-
    Closed a three-year agreement worth $4.2M after a 6-week proof of concept that cut
    query latency by 45% across 12 regional warehouses for the retail analytics team.
"""


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def _build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(
        REPO / "mbr", source / "mbr", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    dist = tmp_path / "dist"
    # Without build isolation when setuptools is at hand (fast, offline); a
    # fresh environment without it builds in isolation from PyPI.
    isolation = ["--no-build-isolation"] if _can_build_here() else []
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-w", dist, source)
    (wheel,) = dist.glob("mbr-*.whl")
    return wheel


def _can_build_here() -> bool:
    """setuptools >= 61 (pyproject metadata) with bdist_wheel: its own from 70.1, else `wheel`."""
    if importlib.util.find_spec("setuptools") is None:
        return False
    from importlib.metadata import version

    major, minor = (int(part) for part in version("setuptools").split(".")[:2])
    if (major, minor) >= (70, 1):
        return True
    return major >= 61 and importlib.util.find_spec("wheel") is not None


def _venv_with(wheel: Path, tmp_path: Path) -> Path:
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel)
    # Dependencies come from this environment. A path line in a .pth file adds
    # the directory only; the .pth files in it (such as an editable install
    # of mbr itself) are not run, so `mbr` can only come from the wheel.
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = Path(_run(python, "-c", where).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "zz_test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return venv


def test_wheel_compiles_with_packaged_templates(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    venv = _venv_with(wheel, tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    (work / "entries.yaml").write_text(ENTRIES, encoding="utf-8")
    located = _run(venv / "bin" / "python", "-I", "-c", "import mbr; print(mbr.__file__)", cwd=work)
    assert located.stdout.strip().startswith(str(venv))
    mbr = venv / "bin" / "mbr"
    for template, output in (("narrative", "n.docx"), ("2x2", "g.docx"), ("narrative", "n.html")):
        result = _run(
            mbr,
            "compile",
            "entries.yaml",
            "--period",
            "2024-11",
            "--template",
            template,
            "-o",
            output,
            cwd=work,
        )
        assert result.stderr.splitlines()[-1] == "read 1 · in period 1 · included 1 · excluded 0"
    document = docx.Document(str(work / "n.docx"))
    assert document.paragraphs[0].text == "Monthly Business Review — November 2024"
    assert document.styles["Lead-in"].font.bold is True
    assert "Acme Corp." in (work / "n.html").read_text(encoding="utf-8")
