"""The crontab line for the configured `schedule`, and when it will next run.

croniter reads the expression; it also accepts forms cron itself does not
(a sixth seconds field, `L`, `W`, `#`, `H`), so those are refused here first:
a line `mbr schedule` prints must work when pasted into `crontab -e`.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from croniter import CroniterError, croniter

from mbr.config import Config
from mbr.errors import ConfigError

LOG_NAME = "mbr-run.log"

# The @-forms Vixie cron and cronie both understand (@reboot is not a schedule).
_ALIASES = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_FIELD_NAMES = ("minute", "hour", "day of month", "month", "day of week")
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_FIELD = re.compile(r"[0-9a-z*,/-]+")
_WORD = re.compile(r"[a-z]+", re.IGNORECASE)
_EXAMPLE = 'e.g. schedule = "0 7 1 * *" (07:00 on the 1st of every month)'


def check_schedule(expression: str, origin: str = "config") -> str:
    """The expression, trimmed, when cron and croniter both accept it.

    Raises ConfigError saying which field is wrong and why.
    """
    text = " ".join(expression.split())
    fields = text.split(" ") if text else []
    if len(fields) == 1 and fields[0].startswith("@"):
        if fields[0].lower() not in _ALIASES:
            raise _invalid(origin, text, f"cron knows {', '.join(_ALIASES)}; not {fields[0]}")
    elif len(fields) != 5:
        raise _invalid(
            origin,
            text,
            f"a cron schedule has 5 fields (minute hour day-of-month month day-of-week), "
            f"this one has {len(fields)}",
        )
    else:
        for index, value in enumerate(fields):
            _check_field(index, value, origin, text)
    try:
        _next_times(text, dt.datetime(2000, 1, 1), 1)
    except CroniterError as exc:
        raise _invalid(origin, text, _croniter_reason(exc)) from None
    return text


def _check_field(index: int, value: str, origin: str, text: str) -> None:
    name = _FIELD_NAMES[index]
    if not _FIELD.fullmatch(value.lower()):
        raise _invalid(
            origin, text, f"the {name} field {value!r} has characters cron does not know"
        )
    allowed = {3: _MONTH_NAMES, 4: _DAY_NAMES}.get(index, ())
    for word in _WORD.findall(value):
        if word.lower() not in allowed:
            expected = f"numbers or names such as {allowed[0]}" if allowed else "numbers"
            raise _invalid(origin, text, f"the {name} field {value!r} has {word!r}; use {expected}")


def _invalid(origin: str, text: str, reason: str) -> ConfigError:
    return ConfigError(
        f"{origin}: `schedule` {text!r} is not a valid cron schedule: {reason}", hint=_EXAMPLE
    )


def _croniter_reason(exc: CroniterError) -> str:
    message = str(exc)
    if "failed to find next date" in message:
        return "it never runs (no date matches it)"
    return message


def next_runs(expression: str, after: dt.datetime, count: int = 3) -> list[dt.datetime]:
    """The next `count` times the schedule fires at or after `after` (naive local time)."""
    # croniter's next time is strictly after its start: start a second earlier
    # so a run due exactly at `after` is listed.
    return _next_times(expression, after - dt.timedelta(seconds=1), count)


def _next_times(expression: str, start: dt.datetime, count: int) -> list[dt.datetime]:
    times = croniter(expression, start)
    return [times.get_next(dt.datetime) for _ in range(count)]


def mbr_command() -> list[str]:
    """How cron should start this mbr: the console script beside the running
    Python (a virtualenv's bin/), else the one on PATH, else `python -m mbr`."""
    beside = Path(sys.executable).parent / "mbr"
    if beside.is_file():
        return [str(beside.absolute())]
    found = shutil.which("mbr")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "mbr"]


@dataclass(frozen=True)
class ScheduledJob:
    expression: str  # the checked cron expression
    line: str  # the whole crontab line


def scheduled_job(config: Config, command: list[str] | None = None) -> ScheduledJob:
    """The crontab line for the config's schedule:
    `0 7 1 * * /abs/bin/mbr run --config /abs/mbr.toml >> /abs/mbr-run.log 2>&1`.

    Paths are absolute because cron runs jobs from $HOME with PATH=/usr/bin:/bin;
    the log goes beside the config. Raises ConfigError when there is no config
    file to point at or the schedule is invalid.
    """
    if config.path is None:
        raise ConfigError(
            "no config file found, and the scheduled run needs one",
            hint="run `mbr init` or pass --config mbr.toml",
        )
    expression = check_schedule(config.schedule, str(config.path))
    config_file = config.path.resolve()
    log_file = config_file.parent / LOG_NAME
    words = [*(command or mbr_command()), "run", "--config", str(config_file)]
    job = f"{shlex.join(words)} >> {shlex.quote(str(log_file))} 2>&1"
    # In a crontab line an unescaped % ends the command and starts its stdin.
    return ScheduledJob(expression, f"{expression} {job.replace('%', chr(92) + '%')}")
