"""`mbr schedule`: a crontab line that works when pasted, and the next run times."""

from __future__ import annotations

import datetime as dt
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mbr.cli import cli
from mbr.config import load_config
from mbr.errors import ConfigError
from mbr.jobs.schedule import check_schedule, mbr_command, next_runs, scheduled_job


def write_config(directory: Path, text: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "mbr.toml"
    path.write_text('org = "Field Engineering EMEA"\nsources = ["entries"]\n' + text)
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_prints_the_crontab_line_with_absolute_paths_and_the_next_three_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path / "conf", 'schedule = "0 7 1 * *"\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("schedule", "--config", "conf/mbr.toml", "--today", "2026-11-15")
    assert code == 0, err
    lines = out.splitlines()
    job = [line for line in lines if not line.startswith("#")]
    assert len(job) == 1
    executable = shlex.join(mbr_command())
    assert job[0] == (
        f"0 7 1 * * {executable} run --config {config.resolve()} "
        f">> {config.resolve().parent / 'mbr-run.log'} 2>&1"
    )
    assert Path(mbr_command()[0]).is_absolute()
    assert lines[-3:] == [
        "#   2026-12-01 07:00 Tue",
        "#   2027-01-01 07:00 Fri",
        "#   2027-02-01 07:00 Mon",
    ]


def test_the_command_is_the_console_script_beside_the_running_python() -> None:
    beside = Path(sys.executable).parent / "mbr"
    assert beside.is_file(), "the tests run from a virtualenv with mbr installed"
    assert mbr_command() == [str(beside.absolute())]


def test_a_run_due_at_the_start_of_today_is_listed() -> None:
    start = dt.datetime(2026, 12, 1, 7, 0)
    assert next_runs("0 7 1 * *", start, 2) == [
        dt.datetime(2026, 12, 1, 7, 0),
        dt.datetime(2027, 1, 1, 7, 0),
    ]


def test_default_schedule_is_used_when_the_config_has_none(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    code, out, _ = invoke("schedule", "--config", str(config), "--today", "2026-01-02")
    assert code == 0
    assert "\n0 7 1 * * " in out
    assert "#   2026-02-01 07:00 Sun" in out


def test_paths_with_spaces_and_percent_signs_survive_cron(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path / "MBR 100% done"))
    line = scheduled_job(config, command=["/opt/my tools/mbr"]).line
    # cron would cut the command at an unescaped %, and the shell split it at spaces.
    assert "'/opt/my tools/mbr' run --config '" in line
    assert "MBR 100\\% done/mbr.toml'" in line
    assert "%" not in line.replace("\\%", "")


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("0 7 1 *", "has 5 fields (minute hour day-of-month month day-of-week), this one has 4"),
        ("0 7 1 * * 30", "this one has 6"),
        ("61 7 1 * *", "out of range"),
        ("0 7 31 2 *", "it never runs"),
        ("0 7 L * *", "the day of month field 'L' has 'L'; use numbers"),
        ("0 7 1 foo *", "the month field 'foo' has 'foo'; use numbers or names such as jan"),
        ("0 7 1 * 1#2", "has characters cron does not know"),
        ("@reboot", "cron knows @yearly"),
        ("", "this one has 0"),
    ],
)
def test_invalid_schedule_exits_2_with_the_reason(
    tmp_path: Path, expression: str, reason: str
) -> None:
    config = write_config(tmp_path, f'schedule = "{expression}"\n')
    code, out, err = invoke("schedule", "--config", str(config))
    assert code == 2
    assert out == ""
    assert f"{config}: `schedule` {expression!r} is not a valid cron schedule" in err
    assert reason in err
    assert '= help: e.g. schedule = "0 7 1 * *"' in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "expression", ["@monthly", "0 7 1 * *", "*/15 6-18 1,15 jan-jun mon-fri", "  0  7 1 * *  "]
)
def test_valid_schedules_are_accepted(expression: str) -> None:
    assert check_schedule(expression) == " ".join(expression.split())


def test_without_a_config_file_there_is_nothing_to_schedule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("schedule")
    assert code == 2
    assert "no config file found, and the scheduled run needs one" in err


def test_scheduled_job_needs_a_config_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs one"):
        scheduled_job(load_config(start=tmp_path))


def test_the_command_in_the_line_starts_mbr_in_crons_empty_environment(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    words = shlex.split(scheduled_job(config).line.split(" ", 5)[5])
    assert words[1:4] == ["run", "--config", str(config.path)]
    done = subprocess.run(
        [words[0], "--version"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("mbr, version ")
