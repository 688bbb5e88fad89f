"""SMTP delivery: the report to its recipients, reminders to those who have
not submitted.

Messages are built here and sent over one connection with smtplib:
STARTTLS or implicit TLS verified against the system's trusted certificates
(OpenSSL's SSL_CERT_FILE names another bundle, e.g. a private CA), or plain
SMTP for a relay on localhost. The password comes from the environment
variable the config names, never from the config file.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
import smtplib
import ssl
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from mbr.config import Config, RosterMember, SmtpConfig
from mbr.dates import Period
from mbr.errors import ConfigError, MbrError
from mbr.report.select import Accounting, Rejected

# A cron job must end: a server that stops answering fails the run instead
# of hanging it (and its lock) for ever.
SMTP_TIMEOUT_SECONDS = 60

REPORT_MIME_TYPES = {
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".html": ("text", "html"),
}


class DeliveryError(MbrError):
    """The mail server could not be reached, or refused the login or the sender."""


@dataclass(frozen=True)
class SendResult:
    """What the server did with one message."""

    accepted: tuple[str, ...]
    refused: Mapping[str, str]  # recipient -> the server's reason


def check_smtp(config: Config) -> SmtpConfig:
    """The [smtp] table, checked for what sending needs; ConfigError otherwise."""
    origin = str(config.path) if config.path else "config"
    if config.smtp is None:
        raise ConfigError(
            f"{origin}: mail needs an [smtp] table",
            hint='add [smtp] with host, port, security and from, e.g. host = "localhost"',
        )
    if not config.smtp.from_addr:
        raise ConfigError(
            f"{origin}: `smtp.from` is not set",
            hint='set the sender, e.g. from = "mbr@example.com"',
        )
    return config.smtp


def report_subject(config: Config, period: Period) -> str:
    title = f"{config.org} Monthly Business Review" if config.org else "Monthly Business Review"
    return f"{title} — {period.label}"


def report_body(
    period: Period, counts: Accounting, excluded: Sequence[Rejected], filename: str
) -> str:
    """Period, counts and every entry left out with its reasons, for the report mail."""
    lines = [
        f"The Monthly Business Review for {period.label} is attached ({filename}).",
        "",
        f"Entries: {counts.read} read, {counts.in_period} in the period, "
        f"{counts.included} included, {counts.excluded} left out for errors.",
    ]
    if excluded:
        lines += ["", "Left out for errors (once fixed, the next run rebuilds the report):"]
        for entry in excluded:
            lines.append(f"- {entry.location} ({entry.author or 'no author'}, id {entry.entry_id})")
            lines += [f"    {r.code} {r.message} ({r.location})" for r in entry.reasons]
    return "\n".join(lines) + "\n"


def report_message(
    smtp: SmtpConfig, report: Path, *, subject: str, body: str, to: Sequence[str]
) -> EmailMessage:
    """The report as an attachment with its own MIME type, and a short body."""
    message = _message(smtp, to, subject, body)
    maintype, subtype = REPORT_MIME_TYPES.get(
        report.suffix.lower(), ("application", "octet-stream")
    )
    params = {"charset": "utf-8"} if maintype == "text" else {}
    message.add_attachment(
        report.read_bytes(),
        maintype=maintype,
        subtype=subtype,
        filename=report.name,
        params=params,
    )
    return message


def deadline_for(period: Period, day: int) -> dt.date:
    """Day `day` of the month after the period (its last day when the month is shorter)."""
    year, month = (
        (period.end.year + 1, 1)
        if period.end.month == 12
        else (
            period.end.year,
            period.end.month + 1,
        )
    )
    return dt.date(year, month, min(max(day, 1), calendar.monthrange(year, month)[1]))


def reminder_message(
    smtp: SmtpConfig, member: RosterMember, config: Config, period: Period, deadline: dt.date
) -> EmailMessage:
    """A reminder naming what is missing (the period's entries) and the deadline."""
    due = f"{deadline.strftime('%A')} {deadline.day} {deadline.strftime('%B %Y')}"
    report = (
        f"the {config.org} Monthly Business Review"
        if config.org
        else ("the Monthly Business Review")
    )
    kinds = ", ".join(c.title.lower() for c in config.categories)
    body = (
        f"Hello {member.name},\n\n"
        f"there is no entry from you for {period.label} yet. Please add your entries "
        f"for {period.label} ({kinds}) by {due}, so they make it into {report}.\n\n"
        "If you have nothing to report this time, tell your MBR owner and ignore this mail.\n"
    )
    subject = f"Reminder: your MBR entries for {period.label} are due {due}"
    return _message(smtp, [member.email], subject, body)


def _message(smtp: SmtpConfig, to: Sequence[str], subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = smtp.from_addr
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=False)
    domain = smtp.from_addr.rpartition("@")[2] or None
    message["Message-ID"] = email.utils.make_msgid(domain=domain)
    message.set_content(body)
    return message


def send_messages(
    smtp: SmtpConfig, messages: Sequence[EmailMessage], *, env: Mapping[str, str]
) -> list[SendResult]:
    """Send every message over one connection; one SendResult per message.

    Raises DeliveryError when the server cannot be reached, the TLS handshake
    or login fails, the password variable is unset, or the connection drops.
    A recipient the server refuses is reported in that message's result.
    """
    password = _password(smtp, env)
    results: list[SendResult] = []
    try:
        with _connect(smtp) as server:
            if smtp.user:
                server.login(smtp.user, password or "")
            for message in messages:
                results.append(_send_one(server, message))
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"the mail server {_where(smtp)} refused the login for {smtp.user!r}: "
            f"{_reply(exc.smtp_code, exc.smtp_error)}",
            hint=f"check `smtp.user` and the password in ${smtp.password_env}",
        ) from None
    except smtplib.SMTPSenderRefused as exc:
        raise DeliveryError(
            f"the mail server {_where(smtp)} refused the sender {smtp.from_addr!r}: "
            f"{_reply(exc.smtp_code, exc.smtp_error)}",
            hint="set `smtp.from` to an address the server lets this user send as",
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(
            f"the mail server {_where(smtp)} has a certificate that cannot be trusted: "
            f"{exc.verify_message}",
            hint="use the server's name as `smtp.host`; for a private CA set SSL_CERT_FILE "
            "to its certificate bundle",
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(
            f"cannot send mail through {_where(smtp)} ({smtp.security}): {_describe(exc)}",
            hint="check `smtp.host`, `smtp.port` and `smtp.security` "
            "(starttls usually on 587, ssl on 465)",
        ) from None
    return results


def _password(smtp: SmtpConfig, env: Mapping[str, str]) -> str | None:
    if not smtp.user:
        return None
    if not smtp.password_env:
        raise DeliveryError(
            f"`smtp.user` is {smtp.user!r} but `smtp.password_env` names no variable "
            "holding the password",
            hint='add password_env = "MBR_SMTP_PASSWORD" to [smtp] and set that variable',
        )
    password = env.get(smtp.password_env)
    if not password:
        raise DeliveryError(
            f"the environment variable {smtp.password_env} (smtp.password_env) is not set",
            hint="cron starts jobs with an almost empty environment: set it in the crontab "
            f"line or the systemd unit, e.g. {smtp.password_env}=... mbr run",
        )
    return password


@contextmanager
def _connect(smtp: SmtpConfig) -> Iterator[smtplib.SMTP]:
    server: smtplib.SMTP
    if smtp.security == "ssl":
        server = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS, context=_tls_context()
        )
    else:
        server = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if smtp.security == "starttls":
            server.starttls(context=_tls_context())
        yield server
    finally:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def _send_one(server: smtplib.SMTP, message: EmailMessage) -> SendResult:
    recipients = [address for _, address in email.utils.getaddresses(message.get_all("To", []))]
    try:
        refused = server.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        return SendResult((), {r: _reply(*reply) for r, reply in exc.recipients.items()})
    except smtplib.SMTPDataError as exc:
        reason = _reply(exc.smtp_code, exc.smtp_error)
        return SendResult((), dict.fromkeys(recipients, reason))
    reasons = {r: _reply(*reply) for r, reply in refused.items()}
    return SendResult(tuple(r for r in recipients if r not in reasons), reasons)


def _where(smtp: SmtpConfig) -> str:
    return f"{smtp.host}:{smtp.port}"


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {message}".strip()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
