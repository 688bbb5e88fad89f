"""Mail delivery for `mbr run`, against a real SMTP server on localhost (aiosmtpd).

TLS tests use a self-signed certificate made at test time with openssl; the
client trusts it through SSL_CERT_FILE, the OpenSSL variable that names the
trusted bundle (so no extra config key is needed for a private CA).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from mbr.config import Config, RosterMember, SmtpConfig
from mbr.dates import month_period, quarter_period
from mbr.jobs.mail import (
    DeliveryError,
    deadline_for,
    reminder_message,
    report_body,
    report_message,
    send_messages,
)
from mbr.report.select import Accounting, Reason, Rejected

# The project builder and runner shared with the `mbr run` tests.
from tests.test_run_job import CONFIG, REPORT, Project, make_project

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
USER, PASSWORD = "mbr-bot", "s3cret-pass"


# --------------------------------------------------------------------------
# A real SMTP server


class Recorder:
    """aiosmtpd handler: keeps what it receives, refuses chosen recipients, and
    can hold a message in DATA (to keep a run busy while a test acts)."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.refuse: set[str] = set()
        self.hold = threading.Event()
        self.in_data = threading.Event()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(
        self, server: Any, session: Any, envelope: Envelope
    ) -> str:
        self.in_data.set()
        while self.hold.is_set():
            await asyncio.sleep(0.02)
        self.envelopes.append(envelope)
        return "250 2.0.0 accepted"

    def messages(self) -> list[EmailMessage]:
        received = []
        for envelope in self.envelopes:
            assert isinstance(envelope.content, bytes)
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            received.append(parsed)
        return received


@dataclass
class Server:
    port: int
    security: str
    recorder: Recorder
    host: str = "127.0.0.1"

    def smtp(self, **changes: Any) -> SmtpConfig:
        settings: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "security": self.security,
            "from_addr": "mbr@example.com",
            "to": ("lead@example.com", "cfo@example.com"),
        }
        settings.update(changes)
        return SmtpConfig(**settings)


@dataclass(frozen=True)
class Tls:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return Tls(cert, key)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd replies 535


StartServer = Callable[..., Server]


@pytest.fixture
def smtp_server(tls: Tls) -> Iterator[StartServer]:
    """Start a server: security none | starttls | ssl, optionally requiring a login."""
    controllers: list[Controller] = []

    def start(security: str = "none", *, auth: bool = False, port: int | None = None) -> Server:
        recorder = Recorder()
        options: dict[str, Any] = {}
        if auth:
            options.update(authenticator=_authenticate, auth_required=True)
        if security == "starttls":
            options.update(tls_context=tls.server_context(), require_starttls=True)
        elif security == "ssl":
            options.update(ssl_context=tls.server_context(), auth_require_tls=False)
        server = Server(port or free_port(), security, recorder)
        controller = Controller(recorder, hostname="127.0.0.1", port=server.port, **options)
        controller.start()
        controllers.append(controller)
        return server

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def trust(tls: Tls, monkeypatch: pytest.MonkeyPatch) -> Tls:
    """Make ssl.create_default_context() trust the test certificate."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.cert))
    return tls


def attachment(message: EmailMessage) -> tuple[str, str | None, bytes]:
    [part] = list(message.iter_attachments())
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return part.get_content_type(), part.get_filename(), payload


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "field-engineering-emea-mbr-2026-10.docx"
    path.write_bytes(b"PK\x03\x04 not really a docx, but bytes are bytes \x00\xff")
    return path


def message_for(smtp: SmtpConfig, report: Path) -> EmailMessage:
    return report_message(
        smtp, report, subject="MBR — October 2026", body="See attached.", to=smtp.to
    )


# --------------------------------------------------------------------------
# Sending


def test_plain_smtp_delivers_the_report_as_an_attachment(
    smtp_server: StartServer, report: Path
) -> None:
    server = smtp_server("none")
    smtp = server.smtp()
    [result] = send_messages(smtp, [message_for(smtp, report)], env={})
    assert result.accepted == ("lead@example.com", "cfo@example.com")
    assert result.refused == {}
    [envelope] = server.recorder.envelopes
    assert envelope.mail_from == "mbr@example.com"
    assert envelope.rcpt_tos == ["lead@example.com", "cfo@example.com"]
    [received] = server.recorder.messages()
    assert received["Subject"] == "MBR — October 2026"
    assert received["From"] == "mbr@example.com"
    body = received.get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == "See attached.\n"
    assert attachment(received) == (DOCX_TYPE, report.name, report.read_bytes())


def test_starttls_with_login_takes_the_password_from_the_named_variable(
    smtp_server: StartServer, trust: Tls, report: Path
) -> None:
    server = smtp_server("starttls", auth=True)
    smtp = server.smtp(host="localhost", user=USER, password_env="MBR_TEST_PASSWORD")
    [result] = send_messages(smtp, [message_for(smtp, report)], env={"MBR_TEST_PASSWORD": PASSWORD})
    assert result.accepted == ("lead@example.com", "cfo@example.com")
    assert attachment(server.recorder.messages()[0])[2] == report.read_bytes()


# Over implicit TLS aiosmtpd cannot tell the session is encrypted, and warns.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_with_login(smtp_server: StartServer, trust: Tls, report: Path) -> None:
    server = smtp_server("ssl", auth=True)
    smtp = server.smtp(user=USER, password_env="MBR_TEST_PASSWORD")
    [result] = send_messages(smtp, [message_for(smtp, report)], env={"MBR_TEST_PASSWORD": PASSWORD})
    assert result.accepted
    assert len(server.recorder.envelopes) == 1


def test_an_untrusted_certificate_is_refused(
    smtp_server: StartServer, tls: Tls, report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(report))  # trusts nothing
    server = smtp_server("starttls")
    smtp = server.smtp()
    with pytest.raises(DeliveryError) as caught:
        send_messages(smtp, [message_for(smtp, report)], env={})
    assert f"the mail server 127.0.0.1:{server.port} has a certificate that cannot be trusted" in (
        str(caught.value)
    )
    assert "SSL_CERT_FILE" in str(caught.value)
    assert server.recorder.envelopes == []


def test_a_wrong_password_is_a_delivery_error(
    smtp_server: StartServer, trust: Tls, report: Path
) -> None:
    server = smtp_server("starttls", auth=True)
    smtp = server.smtp(user=USER, password_env="MBR_TEST_PASSWORD")
    with pytest.raises(DeliveryError, match=f"refused the login for '{USER}': 535"):
        send_messages(smtp, [message_for(smtp, report)], env={"MBR_TEST_PASSWORD": "wrong"})


def test_an_unset_password_variable_is_named(smtp_server: StartServer, report: Path) -> None:
    smtp = smtp_server("none").smtp(user=USER, password_env="MBR_TEST_PASSWORD")
    with pytest.raises(DeliveryError) as caught:
        send_messages(smtp, [message_for(smtp, report)], env={})
    assert "the environment variable MBR_TEST_PASSWORD (smtp.password_env) is not set" in str(
        caught.value
    )
    assert "cron starts jobs with an almost empty environment" in str(caught.value)


def test_a_user_without_password_env_is_a_delivery_error(report: Path) -> None:
    smtp = SmtpConfig(host="127.0.0.1", port=free_port(), user=USER, from_addr="a@example.com")
    with pytest.raises(DeliveryError, match=r"`smtp\.password_env` names no variable"):
        send_messages(smtp, [message_for(smtp, report)], env={})


def test_nobody_listening_is_a_delivery_error(report: Path) -> None:
    port = free_port()
    smtp = SmtpConfig(host="127.0.0.1", port=port, security="none", from_addr="a@example.com")
    with pytest.raises(DeliveryError) as caught:
        send_messages(smtp, [message_for(smtp, report)], env={})
    assert f"cannot send mail through 127.0.0.1:{port} (none): Connection refused" in str(
        caught.value
    )


def test_starttls_against_a_server_without_it_is_a_delivery_error(
    smtp_server: StartServer, report: Path
) -> None:
    server = smtp_server("none")
    smtp = server.smtp(security="starttls")
    with pytest.raises(DeliveryError, match="STARTTLS extension not supported by server"):
        send_messages(smtp, [message_for(smtp, report)], env={})
    assert server.recorder.envelopes == []


def test_a_refused_recipient_is_reported_and_the_others_still_get_it(
    smtp_server: StartServer, report: Path
) -> None:
    server = smtp_server("none")
    server.recorder.refuse.add("cfo@example.com")
    smtp = server.smtp()
    [result] = send_messages(smtp, [message_for(smtp, report)], env={})
    assert result.accepted == ("lead@example.com",)
    assert result.refused == {"cfo@example.com": "550 5.1.1 no such mailbox here"}
    assert server.recorder.envelopes[0].rcpt_tos == ["lead@example.com"]


# --------------------------------------------------------------------------
# Messages


def test_an_html_report_goes_as_text_html(tmp_path: Path) -> None:
    report = tmp_path / "mbr-2026-10.html"
    report.write_text("<html><body>Café</body></html>\n", encoding="utf-8")
    smtp = SmtpConfig(from_addr="mbr@example.com", to=("lead@example.com",))
    message = report_message(smtp, report, subject="s", body="b", to=smtp.to)
    assert attachment(message) == ("text/html", report.name, report.read_bytes())


def test_the_body_states_period_counts_and_every_exclusion() -> None:
    rejected = Rejected(
        entry_id="e1f2",
        location="entries/acme.yaml:1:1",
        author="Ana Silva",
        team="Enterprise East",
        category="win",
        reasons=(
            Reason("MBR101", "summary has 143 words; the limit is 120", "entries/acme.yaml:5:3"),
        ),
    )
    body = report_body(
        month_period(2026, 10), Accounting(14, 12, 11, 1), [rejected], "mbr-2026-10.docx"
    )
    assert body == (
        "The Monthly Business Review for October 2026 is attached (mbr-2026-10.docx).\n"
        "\n"
        "Entries: 14 read, 12 in the period, 11 included, 1 left out for errors.\n"
        "\n"
        "Left out for errors (once fixed, the next run rebuilds the report):\n"
        "- entries/acme.yaml:1:1 (Ana Silva, id e1f2)\n"
        "    MBR101 summary has 143 words; the limit is 120 (entries/acme.yaml:5:3)\n"
    )


@pytest.mark.parametrize(
    ("period", "day", "deadline"),
    [
        (month_period(2026, 10), 3, dt.date(2026, 11, 3)),
        (month_period(2026, 12), 3, dt.date(2027, 1, 3)),
        (month_period(2027, 1), 31, dt.date(2027, 2, 28)),
        (quarter_period(2026, 3), 5, dt.date(2026, 10, 5)),
    ],
)
def test_the_deadline_is_that_day_of_the_month_after_the_period(
    period: Any, day: int, deadline: dt.date
) -> None:
    assert deadline_for(period, day) == deadline


def test_a_reminder_names_the_period_and_the_deadline() -> None:
    smtp = SmtpConfig(from_addr="mbr@example.com")
    member = RosterMember("Tomasz Nowak", "tomasz.nowak@example.com", "Enterprise East")
    config = Config(org="Field Engineering EMEA")
    message = reminder_message(smtp, member, config, month_period(2026, 10), dt.date(2026, 11, 3))
    assert message["To"] == "tomasz.nowak@example.com"
    assert message["Subject"] == (
        "Reminder: your MBR entries for October 2026 are due Tuesday 3 November 2026"
    )
    body = message.get_content()
    assert body.startswith("Hello Tomasz Nowak,\n")
    assert "no entry from you for October 2026" in body
    assert "by Tuesday 3 November 2026" in body
    assert "the Field Engineering EMEA Monthly Business Review" in body


# --------------------------------------------------------------------------
# `mbr run` with mail: the real console script in a subprocess


def smtp_table(server: Server, *extra: str) -> str:
    return "\n".join(
        [
            "[smtp]",
            f'host = "{server.host}"',
            f"port = {server.port}",
            f'security = "{server.security}"',
            'from = "mbr@example.com"',
            'to = ["lead@example.com", "cfo@example.com"]',
            *extra,
            "",
        ]
    )


def project_with_mail(tmp_path: Path, server: Server, *extra: str) -> Project:
    return make_project(tmp_path / "project", CONFIG + smtp_table(server, *extra))


def test_run_mails_the_report_it_wrote(tmp_path: Path, smtp_server: StartServer) -> None:
    server = smtp_server("none")
    project = project_with_mail(tmp_path, server)
    done = project.run()
    assert done.code == 0, done.stderr
    [received] = server.recorder.messages()
    assert server.recorder.envelopes[0].rcpt_tos == ["lead@example.com", "cfo@example.com"]
    assert received["Subject"] == "Field Engineering EMEA Monthly Business Review — October 2026"
    assert attachment(received) == (DOCX_TYPE, project.report.name, project.report.read_bytes())
    body = received.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Entries: 4 read, 3 in the period, 2 included, 1 left out for errors." in text
    assert "- entries/c-rui.yaml" in text and "MBR110" in text
    delivery = project.manifest()["delivery"]
    assert isinstance(delivery, dict)
    assert delivery["status"] == "sent"
    assert delivery["delivered"] == ["lead@example.com", "cfo@example.com"]
    assert "mailed the report to lead@example.com, cfo@example.com" in done.messages
    # Up to date and already delivered: nothing is sent twice.
    assert project.run().code == 0
    assert len(server.recorder.envelopes) == 1


def test_a_failed_delivery_keeps_the_report_and_the_next_run_only_sends(
    tmp_path: Path, smtp_server: StartServer
) -> None:
    port = free_port()  # nobody listens there yet
    project = project_with_mail(tmp_path, Server(port, "none", Recorder()))
    done = project.run()
    assert done.code == 69
    assert project.report.is_file()
    delivery = project.manifest()["delivery"]
    assert isinstance(delivery, dict)
    assert delivery["status"] == "failed"
    assert f"cannot send mail through 127.0.0.1:{port} (none): Connection refused" in str(
        delivery["error"]
    )
    assert any(
        m.startswith("error: mail not sent: cannot send mail through") for m in done.messages
    )
    assert (
        "error: the report is written but was not mailed to everyone; "
        "the next run mails it without rebuilding"
    ) in done.messages
    built = project.manifest()["finished"], project.report.stat().st_mtime_ns

    server = smtp_server("none", port=port)
    done = project.run()
    assert done.code == 0, done.stderr
    assert f"{REPORT} is unchanged; mailing it again (last delivery: failed)" in done.messages
    assert (project.manifest()["finished"], project.report.stat().st_mtime_ns) == built
    assert attachment(server.recorder.messages()[0])[2] == project.report.read_bytes()
    assert project.manifest()["delivery"]["status"] == "sent"


def test_a_recipient_refused_is_retried_alone(tmp_path: Path, smtp_server: StartServer) -> None:
    server = smtp_server("none")
    server.recorder.refuse.add("cfo@example.com")
    project = project_with_mail(tmp_path, server)
    done = project.run()
    assert done.code == 69
    assert "error: the mail server refused cfo@example.com: 550 5.1.1 no such mailbox here" in (
        done.messages
    )
    server.recorder.refuse.clear()
    assert project.run().code == 0
    assert [e.rcpt_tos for e in server.recorder.envelopes] == [
        ["lead@example.com"],
        ["cfo@example.com"],
    ]


def test_starttls_login_with_the_password_from_the_environment(
    tmp_path: Path, smtp_server: StartServer, tls: Tls
) -> None:
    server = smtp_server("starttls", auth=True)
    project = project_with_mail(
        tmp_path, server, f'user = "{USER}"', 'password_env = "MBR_TEST_SMTP_PASSWORD"'
    )
    secret = {"SSL_CERT_FILE": str(tls.cert), "MBR_TEST_SMTP_PASSWORD": PASSWORD}
    done = project.run(extra_env=secret)
    assert done.code == 0, done.stderr
    assert attachment(server.recorder.messages()[0])[2] == project.report.read_bytes()
    assert PASSWORD not in project.manifest_path.read_text() + done.stderr


def test_overlapping_runs_one_works_the_other_exits_75(
    tmp_path: Path, smtp_server: StartServer
) -> None:
    server = smtp_server("none")
    project = project_with_mail(tmp_path, server)
    server.recorder.hold.set()  # the first run stays in DATA, holding the lock
    first = project.start()
    try:
        assert server.recorder.in_data.wait(60)
        started = time.monotonic()
        second = project.run("--force")
        assert time.monotonic() - started < 10
        assert second.code == 75
        assert any(
            m.startswith(f"error: another mbr run (pid {first.pid}) is working on this report")
            for m in second.messages
        )
        assert any(
            "= help: it will finish on its own; try again later" in m for m in second.messages
        )
    finally:
        server.recorder.hold.clear()
    _, stderr = first.communicate(timeout=60)
    assert first.returncode == 0, stderr
    assert len(server.recorder.envelopes) == 1


def test_a_run_killed_while_holding_the_lock_does_not_block_the_next(
    tmp_path: Path, smtp_server: StartServer
) -> None:
    server = smtp_server("none")
    project = project_with_mail(tmp_path, server)
    server.recorder.hold.set()
    first = project.start()
    assert server.recorder.in_data.wait(60)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=60)
    server.recorder.hold.clear()
    assert project.manifest()["delivery"]["status"] == "pending"
    done = project.run()
    assert done.code == 0, done.stderr
    assert f"{REPORT} is unchanged; mailing it again (last delivery: pending)" in done.messages
    assert project.manifest()["delivery"]["status"] == "sent"


# --------------------------------------------------------------------------
# Reminders


ROSTER = """\
roster = [
  {name = "Priya Raman", email = "priya.raman@example.com", team = "Enterprise East"},
  {name = "Tomasz Nowak", email = "tomasz.nowak@example.com", team = "Enterprise East"},
  {name = "Leila Haddad", email = "leila.haddad@example.com", team = "Enterprise East"},
  {name = "Sam Nomail", team = "Enterprise West"},
]
deadline_day = 5
"""


def test_remind_mails_each_member_without_an_entry_what_is_missing_and_the_deadline(
    tmp_path: Path, smtp_server: StartServer
) -> None:
    server = smtp_server("none")
    project = make_project(tmp_path / "project", CONFIG + ROSTER + smtp_table(server))
    done = project.run("--remind")
    assert done.code == 0, done.stderr
    assert [e.rcpt_tos for e in server.recorder.envelopes] == [
        ["tomasz.nowak@example.com"],
        ["leila.haddad@example.com"],
    ]
    # Python's parser keeps the space of a header folded right after "Subject:".
    subjects = [str(m["Subject"]).strip() for m in server.recorder.messages()]
    assert (
        subjects
        == ["Reminder: your MBR entries for October 2026 are due Thursday 5 November 2026"] * 2
    )
    assert done.messages[-4:] == [
        "warning: Sam Nomail has no entry for October 2026 and no email address in the "
        "roster: not reminded",
        "reminded Tomasz Nowak <tomasz.nowak@example.com>",
        "reminded Leila Haddad <leila.haddad@example.com>",
        "2 of 3 roster members without an entry reminded; deadline 2026-11-05",
    ]
    assert not project.report.exists()  # reminding does not build the report


def test_remind_with_no_entries_yet_reminds_everyone(
    tmp_path: Path, smtp_server: StartServer
) -> None:
    server = smtp_server("none")
    project = make_project(tmp_path / "project", CONFIG + ROSTER + smtp_table(server))
    for path in (project.root / "entries").iterdir():
        path.unlink()
    done = project.run("--remind", "--period", "2026-11")
    assert done.code == 0, done.stderr
    assert "no entries in any source yet: every roster member is missing" in done.messages
    assert len(server.recorder.envelopes) == 3


def test_remind_refused_address_exits_69(tmp_path: Path, smtp_server: StartServer) -> None:
    server = smtp_server("none")
    server.recorder.refuse.add("leila.haddad@example.com")
    project = make_project(tmp_path / "project", CONFIG + ROSTER + smtp_table(server))
    done = project.run("--remind")
    assert done.code == 69
    assert (
        "error: the mail server refused leila.haddad@example.com: 550 5.1.1 no such mailbox here"
        in done.messages
    )
    assert [e.rcpt_tos for e in server.recorder.envelopes] == [["tomasz.nowak@example.com"]]


def test_remind_without_smtp_is_a_config_error(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", CONFIG + ROSTER)
    done = project.run("--remind")
    assert done.code == 2
    assert f"error: {project.config}: mail needs an [smtp] table" in done.messages
