"""The unattended run: build the period's report when its inputs changed,
write the manifest, mail the report; or mail reminders.

Library code: it reports progress through the `log` callback it is given
and returns what it did; the CLI decides how that is shown and which exit
code it means.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mbr import __version__
from mbr.atomic import atomic_write
from mbr.config import Config, RosterMember, SmtpConfig
from mbr.dates import Period
from mbr.errors import InputError, MbrError
from mbr.jobs.lock import hold_lock
from mbr.jobs.mail import (
    DeliveryError,
    check_smtp,
    deadline_for,
    reminder_message,
    report_body,
    report_message,
    report_subject,
    send_messages,
)
from mbr.jobs.manifest import (
    FAILED,
    NOT_CONFIGURED,
    PENDING,
    SENT,
    Delivery,
    FileHash,
    Fingerprint,
    Manifest,
    ManifestUnreadable,
    hash_files,
    load_manifest,
    manifest_json,
    sha256_file,
    utc_timestamp,
)
from mbr.jobs.paths import lock_path, manifest_path, report_path
from mbr.model import Diagnostic
from mbr.pipeline import Collected, collect
from mbr.report import BUILTIN_TEMPLATES, CompileOptions, compile_report
from mbr.roster import missing_members, roster_for

Log = Callable[[str], None]

# What a run did.
BUILT = "built"
UP_TO_DATE = "up-to-date"
REDELIVERED = "redelivered"  # unchanged report, mailed again after a failed delivery


class SourcesUnreadable(MbrError):
    """A source could not be read (MBR000): no report, so no spreadsheet
    vanishes from it unnoticed (exit 1, as `mbr compile`)."""

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic], *, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.diagnostics = list(diagnostics)


@dataclass(frozen=True)
class RunOutcome:
    action: str  # BUILT | UP_TO_DATE | REDELIVERED
    report: Path
    manifest: Manifest

    @property
    def delivery_failed(self) -> bool:
        return self.manifest.delivery.status == FAILED


@dataclass(frozen=True)
class ReminderOutcome:
    period: Period
    deadline: dt.date
    missing: tuple[RosterMember, ...]  # roster members with no entry in the period
    reminded: tuple[RosterMember, ...]  # the server accepted their reminder
    without_email: tuple[RosterMember, ...]  # missing, but no address to write to
    refused: Mapping[str, str]  # address -> the server's reason

    @property
    def failed(self) -> bool:
        return bool(self.refused)


def run_report(
    config: Config,
    *,
    period: Period,
    today: dt.date,
    force: bool = False,
    env: Mapping[str, str] | None = None,
    log: Log = lambda _: None,
) -> RunOutcome:
    """Build the period's report and manifest if anything changed, and mail it.

    Holds the report's lock throughout (RunLocked at once if another run holds
    it). Raises SourcesUnreadable when a source cannot be read, MbrError
    subclasses for config and input problems. A failed delivery does not
    raise: it is recorded in the manifest (outcome.delivery_failed) and the
    next run sends the unchanged report again.
    """
    env = os.environ if env is None else env
    # The report is mailed when [smtp] lists recipients (`to`); an [smtp] table
    # without them serves reminders only.
    smtp = check_smtp(config) if config.smtp and config.smtp.to else None
    report = report_path(config, period)
    with hold_lock(lock_path(report)):
        started = utc_timestamp()
        previous = _previous_manifest(report, log)
        # The report and its manifest list errors alone (as compile without --draft).
        collected = collect((), config, today=today, period=period, errors_only=True)
        fingerprint = Fingerprint(__version__, period.slug, _inputs(config, collected))
        if not force and previous is not None and _unchanged(previous, fingerprint, report):
            if smtp is None or previous.delivery.status == SENT:
                log(
                    f"{_name(report, config)} is up to date: inputs unchanged since "
                    f"{previous.finished} (use --force to rebuild)"
                )
                return RunOutcome(UP_TO_DATE, report, previous)
            log(
                f"{_name(report, config)} is unchanged; mailing it again "
                f"(last delivery: {previous.delivery.status})"
            )
            manifest = _deliver(smtp, config, report, previous, env, log)
            return RunOutcome(REDELIVERED, report, manifest)
        if force and previous is not None:
            log("--force: rebuilding")
        manifest = _build(config, collected, period, fingerprint, report, started, smtp, log)
        if smtp is not None:
            manifest = _deliver(smtp, config, report, manifest, env, log)
        return RunOutcome(BUILT, report, manifest)


def _previous_manifest(report: Path, log: Log) -> Manifest | None:
    try:
        return load_manifest(manifest_path(report))
    except ManifestUnreadable as exc:
        log(f"warning: {exc.message}; rebuilding")
        return None


def _inputs(config: Config, collected: Collected) -> tuple[FileHash, ...]:
    """Every file the report depends on: config, sources, template, reference .docx."""
    files: list[tuple[str, Path]] = []
    if config.path is not None:
        files.append(("config", config.path))
    files += [("source", path) for path in collected.files]
    template = config.root / config.template
    if config.template not in BUILTIN_TEMPLATES and template.is_file():
        files.append(("template", template))
    if config.reference_docx is not None and config.reference_docx.is_file():
        files.append(("reference_docx", config.reference_docx))
    return hash_files(files, config.root)


def _unchanged(previous: Manifest, fingerprint: Fingerprint, report: Path) -> bool:
    if not previous.fingerprint.same_as(fingerprint) or not report.is_file():
        return False
    # The report itself must be the one the manifest describes: a report
    # deleted, or edited by hand, is rebuilt.
    return sha256_file(report) == previous.output.sha256


def _build(
    config: Config,
    collected: Collected,
    period: Period,
    fingerprint: Fingerprint,
    report: Path,
    started: str,
    smtp: SmtpConfig | None,
    log: Log,
) -> Manifest:
    result = compile_report(collected, config, CompileOptions(output=report))
    if not result.written:
        raise SourcesUnreadable(
            f"{len(result.blocking)} source(s) could not be read; no report written",
            result.blocking,
            hint="fix or remove the files named above; the next run builds the report",
        )
    for note in result.notes:
        log(f"note: {note}")
    for rejected in result.excluded:
        log(
            f"excluded {rejected.location} ({', '.join(rejected.codes)}): "
            + "; ".join(r.message for r in rejected.reasons)
        )
    log(f"wrote {_name(report, config)} ({result.accounting.line})")
    manifest = Manifest(
        version=fingerprint.version,
        period=period,
        started=started,
        finished=utc_timestamp(),
        inputs=fingerprint.inputs,
        counts=result.accounting,
        excluded=result.excluded,
        output=FileHash.of("report", report, config.root),
        delivery=Delivery(PENDING, smtp.to) if smtp else Delivery(NOT_CONFIGURED),
    )
    _write_manifest(report, manifest)
    return manifest


def _deliver(
    smtp: SmtpConfig,
    config: Config,
    report: Path,
    manifest: Manifest,
    env: Mapping[str, str],
    log: Log,
) -> Manifest:
    """Mail the report to the recipients who do not have it yet; record the result."""
    to = manifest.delivery.pending or smtp.to
    message = report_message(
        smtp,
        report,
        subject=report_subject(config, manifest.period),
        body=report_body(manifest.period, manifest.counts, manifest.excluded, report.name),
        to=to,
    )
    delivered = manifest.delivery.delivered
    try:
        [result] = send_messages(smtp, [message], env=env)
    except DeliveryError as exc:
        delivery = Delivery(FAILED, smtp.to, delivered, utc_timestamp(), str(exc))
        log(f"error: mail not sent: {exc}")
    else:
        delivered = (*delivered, *result.accepted)
        if result.refused:
            error = "; ".join(f"{r}: {why}" for r, why in result.refused.items())
            delivery = Delivery(FAILED, smtp.to, delivered, utc_timestamp(), f"refused {error}")
            log(f"error: the mail server refused {error}")
        else:
            delivery = Delivery(SENT, smtp.to, delivered, utc_timestamp())
        if result.accepted:
            log(f"mailed the report to {', '.join(result.accepted)}")
    updated = manifest.with_delivery(delivery)
    _write_manifest(report, updated)
    return updated


def _write_manifest(report: Path, manifest: Manifest) -> None:
    with atomic_write(manifest_path(report), "w") as handle:
        handle.write(manifest_json(manifest))


def _name(path: Path, config: Config) -> str:
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return str(path)


def send_reminders(
    config: Config,
    *,
    period: Period,
    today: dt.date,
    env: Mapping[str, str] | None = None,
    log: Log = lambda _: None,
) -> ReminderOutcome:
    """Mail each roster member with no entry in the period what is missing and
    the deadline (config.deadline_day of the month after the period).

    Holds the report's lock, so two reminder runs never send twice at once.
    Raises SourcesUnreadable when a source cannot be read: people whose
    entries sit in that file would be reminded of what they did submit.
    """
    env = os.environ if env is None else env
    smtp = check_smtp(config)
    roster = roster_for(config)
    with hold_lock(lock_path(report_path(config, period))):
        try:
            # Who submitted is all that counts here: the warnings' rules need not run.
            collected = collect((), config, today=today, period=period, errors_only=True)
        except InputError:
            # Early in the month nobody may have written anything yet.
            log("no entries in any source yet: every roster member is missing")
            entries = []
        else:
            if collected.unreadable:
                raise SourcesUnreadable(
                    f"{len(collected.unreadable)} source(s) could not be read; no reminders sent",
                    collected.unreadable,
                    hint="fix or remove the files named above, then run again",
                )
            # Entries dated in the period are what counts as having submitted.
            entries = collected.in_period
        missing = missing_members(roster, entries, period)
        deadline = deadline_for(period, config.deadline_day)
        addressed = [m for m in missing if m.email]
        without_email = tuple(m for m in missing if not m.email)
        messages = [reminder_message(smtp, m, config, period, deadline) for m in addressed]
        results = send_messages(smtp, messages, env=env) if messages else []
    refused: dict[str, str] = {}
    reminded: list[RosterMember] = []
    for member, result in zip(addressed, results, strict=True):
        if result.accepted:
            reminded.append(member)
        refused.update(result.refused)
    return ReminderOutcome(
        period, deadline, tuple(missing), tuple(reminded), without_email, refused
    )
