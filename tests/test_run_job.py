"""`mbr run` end to end: the real console script in a subprocess, as cron runs it.

Report and manifest, idempotence (unchanged inputs do nothing), rebuilds,
the lock between overlapping runs, cron's empty environment, and the exit
codes. Mail delivery and reminders are in test_run_mail.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner

from mbr import __version__
from mbr.cli import cli
from mbr.config import Config, load_config
from mbr.dates import month_period
from mbr.errors import ConfigError
from mbr.jobs.paths import report_path
from mbr.jobs.schedule import scheduled_job

MBR = str(Path(sys.executable).parent / "mbr")  # the console script cron would start
STAMPED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ mbr run: .*")
REPORT = "reports/field-engineering-emea-mbr-2026-10.docx"
MANIFEST = REPORT + ".manifest.json"


def summary(customer: str, figure: str) -> str:
    return (
        f"{customer} moved its booking database to Amazon Aurora PostgreSQL on 4 October. "
        f"Database licence and support costs fall by {figure} a year. Search response time "
        "improved from 1.4 seconds to 0.6 seconds at the same load. The migration took "
        "11 weeks, 3 weeks less than planned, and needed no downtime."
    )


def entry(date: str, author: str, customer: str, text: str) -> str:
    return textwrap.dedent(
        f"""\
        date: {date}
        author: {author}
        team: Enterprise East
        category: win
        customer: {customer}
        summary: >-
          {text}
        """
    )


@dataclass
class Project:
    """An mbr project in a temporary directory, and a way to run `mbr run` on it."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def config(self) -> Path:
        return self.root / "mbr.toml"

    @property
    def report(self) -> Path:
        return self.root / REPORT

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def manifest(self) -> dict[str, Any]:
        data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        assert isinstance(data, dict)
        return data

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def start(self, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [MBR, "run", "--config", str(self.config), "--today", "2026-11-01", *args],
            cwd=self.root.parent,  # not the project: paths must come from the config
            env={**self.env, **(extra_env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str, extra_env: dict[str, str] | None = None) -> Done:
        process = self.start(*args, extra_env=extra_env)
        stdout, stderr = process.communicate(timeout=60)
        return Done(process.returncode, stdout, stderr)


@dataclass(frozen=True)
class Done:
    code: int
    stdout: str
    stderr: str

    @property
    def messages(self) -> list[str]:
        """The log lines without their time stamps; every line must be stamped."""
        lines = self.stderr.splitlines()
        for line in lines:
            assert STAMPED.fullmatch(line), f"not a stamped log line: {line!r}"
        return [line.split(" mbr run: ", 1)[1] for line in lines]


CONFIG = """\
org = "Field Engineering EMEA"
sources = ["entries"]
output = "reports/{org}-mbr-{period}.docx"
"""


def make_project(root: Path, config: str = CONFIG) -> Project:
    """Two clean October entries, one with an error (excluded), one from September."""
    root.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("MBR_DEBUG", "SSL_CERT_FILE")}
    project = Project(root, env)
    project.write("mbr.toml", config)
    project.write(
        "entries/a-priya.yaml",
        entry("2026-10-07", "Priya Raman", "Margie's Travel", summary("Margie's Travel", "$540k")),
    )
    project.write(
        "entries/b-daniel.yaml",
        entry("2026-10-14", "Daniel Okafor", "Coho Winery", summary("Coho Winery", "$96k")),
    )
    project.write(
        "entries/c-rui.yaml",
        entry("2026-10-20", "Rui Costa", "Wingtip Toys", summary("Wingtip Toys", "TBD")),
    )
    project.write(
        "entries/d-old.yaml",
        entry("2026-09-15", "Rui Costa", "Relecloud", summary("Relecloud", "$10k")),
    )
    return project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "project")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------
# Report and manifest


def test_writes_the_report_and_a_manifest_for_last_month(project: Project) -> None:
    assert not (project.root / "reports").exists()
    done = project.run()
    assert done.code == 0, done.stderr
    assert done.stdout == ""
    assert project.report.is_file()
    manifest = project.manifest()
    assert manifest["tool"] == "mbr"
    assert manifest["version"] == __version__
    assert manifest["period"] == {
        "slug": "2026-10",
        "label": "October 2026",
        "kind": "month",
        "start": "2026-10-01",
        "end": "2026-10-31",
    }
    for moment in (manifest["started"], manifest["finished"]):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(moment))
    assert manifest["inputs"] == [
        {
            "role": "config",
            "path": "mbr.toml",
            "sha256": sha256(project.config),
            "bytes": project.config.stat().st_size,
        },
        *(
            {
                "role": "source",
                "path": f"entries/{name}",
                "sha256": sha256(project.root / "entries" / name),
                "bytes": (project.root / "entries" / name).stat().st_size,
            }
            for name in ("a-priya.yaml", "b-daniel.yaml", "c-rui.yaml", "d-old.yaml")
        ),
    ]
    assert manifest["counts"] == {"read": 4, "in_period": 3, "included": 2, "excluded": 1}
    [excluded] = manifest["excluded"]
    assert excluded["location"].startswith("entries/c-rui.yaml")
    assert excluded["author"] == "Rui Costa"
    assert "MBR110" in [reason["code"] for reason in excluded["reasons"]]
    assert manifest["output"] == {
        "role": "report",
        "path": REPORT,
        "sha256": sha256(project.report),
        "bytes": project.report.stat().st_size,
    }
    assert manifest["delivery"] == {
        "status": "not-configured",
        "to": [],
        "delivered": [],
        "at": None,
        "error": None,
    }
    messages = done.messages
    assert messages[0] == f"October 2026: started (config {project.config})"
    assert any(m.startswith("excluded entries/c-rui.yaml") and "MBR110" in m for m in messages)
    assert f"wrote {REPORT} (read 4 · in period 3 · included 2 · excluded 1)" in messages


def test_a_second_run_with_unchanged_inputs_does_nothing(project: Project) -> None:
    assert project.run().code == 0
    report, manifest = project.report.stat().st_mtime_ns, project.manifest_path.read_bytes()
    done = project.run()
    assert done.code == 0
    [*_, last] = done.messages
    assert last.startswith(f"{REPORT} is up to date: inputs unchanged since ")
    assert last.endswith("(use --force to rebuild)")
    assert project.report.stat().st_mtime_ns == report
    assert project.manifest_path.read_bytes() == manifest


def test_a_changed_input_rebuilds(project: Project) -> None:
    assert project.run().code == 0
    before = project.manifest()
    project.write(
        "entries/b-daniel.yaml",
        entry("2026-10-14", "Daniel Okafor", "Coho Winery", summary("Coho Winery", "$97k")),
    )
    done = project.run()
    assert done.code == 0
    assert any(m.startswith(f"wrote {REPORT}") for m in done.messages)
    after = project.manifest()
    assert after["inputs"] != before["inputs"]
    assert after["output"] != before["output"]


def test_a_new_source_file_rebuilds(project: Project) -> None:
    assert project.run().code == 0
    project.write(
        "entries/e-new.yaml",
        entry("2026-10-21", "Leila Haddad", "Relecloud", summary("Relecloud", "$12k")),
    )
    done = project.run()
    assert any(
        m.startswith(f"wrote {REPORT} (read 5 · in period 4 · included 3") for m in done.messages
    )


def test_a_changed_config_rebuilds(project: Project) -> None:
    assert project.run().code == 0
    project.write("mbr.toml", CONFIG + 'classification = "Confidential"\n')
    assert any(m.startswith("wrote ") for m in project.run().messages)


def test_a_removed_source_file_rebuilds(project: Project) -> None:
    assert project.run().code == 0
    (project.root / "entries" / "b-daniel.yaml").unlink()
    done = project.run()
    assert f"wrote {REPORT} (read 3 · in period 2 · included 1 · excluded 1)" in done.messages


def test_the_reference_docx_is_an_input(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", CONFIG + 'reference_docx = "brand.docx"\n')
    brand = docx.Document()
    brand.save(str(project.root / "brand.docx"))
    done = project.run()
    assert done.code == 0, done.stderr
    [reference] = [i for i in project.manifest()["inputs"] if i["role"] == "reference_docx"]
    assert reference["path"] == "brand.docx"
    assert reference["sha256"] == sha256(project.root / "brand.docx")
    brand.core_properties.title = "Brand v2"
    brand.save(str(project.root / "brand.docx"))
    assert any(m.startswith("wrote ") for m in project.run().messages)


def test_force_rebuilds_unchanged_inputs(project: Project) -> None:
    assert project.run().code == 0
    done = project.run("--force")
    assert done.code == 0
    assert "--force: rebuilding" in done.messages
    assert any(m.startswith(f"wrote {REPORT}") for m in done.messages)


def test_a_deleted_or_edited_report_is_rebuilt(project: Project) -> None:
    assert project.run().code == 0
    original = project.report.read_bytes()
    project.report.write_bytes(b"edited by hand")
    done = project.run()
    assert any(m.startswith("wrote ") for m in done.messages)
    project.report.unlink()
    assert any(m.startswith("wrote ") for m in project.run().messages)
    assert project.report.read_bytes()[:2] == original[:2] == b"PK"


def test_an_unreadable_manifest_means_a_rebuild(project: Project) -> None:
    assert project.run().code == 0
    project.manifest_path.write_text("{not json", encoding="utf-8")
    done = project.run()
    assert done.code == 0
    assert any(
        m.startswith(f"warning: {project.manifest_path}: not a manifest mbr can read")
        for m in done.messages
    )
    assert project.manifest()["counts"] == {"read": 4, "in_period": 3, "included": 2, "excluded": 1}


def test_period_option_and_output_pattern_with_year_and_month(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        CONFIG.replace("reports/{org}-mbr-{period}.docx", "out/{year}/{month}/mbr.html"),
    )
    done = project.run("--period", "Sep 2026")
    assert done.code == 0, done.stderr
    report = project.root / "out" / "2026" / "09" / "mbr.html"
    assert report.is_file()
    manifest = json.loads((report.parent / "mbr.html.manifest.json").read_text())
    assert manifest["counts"] == {"read": 4, "in_period": 1, "included": 1, "excluded": 0}
    assert manifest["period"]["slug"] == "2026-09"


def test_an_unreadable_source_stops_the_run_with_exit_1(project: Project) -> None:
    project.write("entries/broken.yaml", "date: [unclosed\n")
    done = project.run()
    assert done.code == 1
    assert not project.report.exists()
    messages = done.messages
    assert any(m.startswith("entries/broken.yaml:") and "MBR000" in m for m in messages)
    assert "error: 1 source(s) could not be read; no report written" in messages


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (CONFIG.replace("{period}", "{quarter}"), "`output` uses an unknown placeholder {quarter}"),
        (CONFIG.replace(".docx", ".pdf"), "`output` must end in .docx or .html"),
        (CONFIG + "colour = 1\n", "unknown key `colour`"),
    ],
)
def test_config_errors_exit_2_with_a_stamped_message(
    tmp_path: Path, config: str, message: str
) -> None:
    project = make_project(tmp_path / "p", config)
    done = project.run()
    assert done.code == 2
    assert any(m.startswith("error: ") and message in m for m in done.messages)
    assert "Traceback" not in done.stderr


def test_an_output_directory_that_cannot_be_made_exits_2(tmp_path: Path) -> None:
    config = CONFIG.replace("reports/{org}", "mbr.toml/{org}")  # a file where a directory goes
    project = make_project(tmp_path / "p", config)
    done = project.run()
    assert done.code == 2
    [error, help_line] = done.messages[-2:]
    assert error == f"error: cannot create or write {project.root / 'mbr.toml'}: File exists"
    assert help_line == "  = help: check the `output` path in the config and its permissions"


def test_help_shows_the_spec_options() -> None:
    output = CliRunner().invoke(cli, ["run", "--help"]).output
    for option in ("--period", "--today", "--force", "--remind", "--config"):
        assert option in output
    assert "75" in output and "69" in output


def test_a_bad_period_exits_2(project: Project) -> None:
    done = project.run("--period", "Octember")
    assert done.code == 2
    assert "error: cannot read the period 'Octember'" in done.messages


# --------------------------------------------------------------------------
# The lock


LOCK_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.pwrite(fd, f"{os.getpid()}\\n".encode(), 0)
print("locked", flush=True)
time.sleep(60)
"""


def test_a_run_while_another_holds_the_lock_exits_75_at_once(project: Project) -> None:
    lock = project.root / (REPORT + ".lock")
    lock.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(lock)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        started = time.monotonic()
        done = project.run()
        assert time.monotonic() - started < 10  # promptly: it never waits for the lock
        assert done.code == 75
        assert (
            f"error: another mbr run (pid {holder.pid}) is working on this report (lock {lock})"
            in done.messages
        )
        assert not project.report.exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # The kernel dropped the dead holder's lock: the next run works.
    done = project.run()
    assert done.code == 0, done.stderr


# --------------------------------------------------------------------------
# As cron runs it


def test_runs_from_cron_with_an_empty_environment_and_no_terminal(project: Project) -> None:
    home = project.root.parent / "home"
    home.mkdir()
    done = subprocess.run(
        [
            "env",
            "-i",
            "PATH=/usr/bin:/bin",
            f"HOME={home}",
            MBR,
            "run",
            "--config",
            str(project.config),
            "--today",
            "2026-11-01",
        ],
        cwd=home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "\x1b" not in done.stderr  # no colour codes in a log file
    assert Done(0, "", done.stderr).messages[0].startswith("October 2026: started")
    assert project.report.is_file()


def test_the_line_mbr_schedule_prints_runs_under_cron(project: Project) -> None:
    """The crontab line's command, run by /bin/sh with cron's environment."""
    line = scheduled_job(load_config(project.config)).line
    command = line.split(" ", 5)[5]
    home = project.root.parent / "home"
    home.mkdir()
    done = subprocess.run(
        ["env", "-i", "PATH=/usr/bin:/bin", f"HOME={home}", "/bin/sh", "-c", command],
        cwd=home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0
    log = (project.root / "mbr-run.log").read_text(encoding="utf-8")
    messages = Done(0, "", log).messages
    # Without --today, last month relative to the real date.
    assert messages[0].endswith(f": started (config {project.config})")
    assert any(m.startswith("wrote reports/field-engineering-emea-mbr-") for m in messages)


# --------------------------------------------------------------------------
# The output pattern


@pytest.mark.parametrize(
    ("org", "output", "expected"),
    [
        (
            "Field Engineering EMEA",
            "reports/{org}-mbr-{period}.docx",
            "reports/field-engineering-emea-mbr-2026-10.docx",
        ),
        ("", "reports/{org}-mbr-{period}.docx", "reports/mbr-2026-10.docx"),
        ("Ventes & Marché (FR)", "{year}/{month}/{org}.html", "2026/10/ventes-marche-fr.html"),
    ],
)
def test_report_path_fills_in_the_pattern(
    org: str, output: str, expected: str, tmp_path: Path
) -> None:
    config = Config(root=tmp_path, org=org, output=output)
    assert report_path(config, month_period(2026, 10)) == tmp_path / expected


def test_a_broken_pattern_is_a_config_error(tmp_path: Path) -> None:
    config = Config(root=tmp_path, output="reports/{org-{period}.docx")
    with pytest.raises(ConfigError, match="`output` is not a valid pattern"):
        report_path(config, month_period(2026, 10))
