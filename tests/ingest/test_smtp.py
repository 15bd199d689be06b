"""The SMTP receiver: only report addresses, durable spool before 250, size limit, ingestion."""

from __future__ import annotations

import json
import signal
import smtplib
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailwarden.cli import cli
from mailwarden.cli.receive_cmd import parse_listen
from mailwarden.errors import ConfigError
from mailwarden.ingest import Ingestor
from mailwarden.ingest.smtp import ReportAddresses, ReportReceiver
from mailwarden.ingest.spool import Spool
from mailwarden.store import SqlReportStore, open_store
from tests.ingest.fakes import fake_mail, fake_message, fake_parse
from tests.ingest.helpers import MAILWARDEN, report_mails
from tests.servers import free_port, wait_for_port

ACCEPT = ReportAddresses.build(["reports@example.org"], ["example.com"])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlReportStore]:
    """A fresh SQLite store."""
    opened = open_store(str(tmp_path / "s.db"))
    yield opened
    opened.close()


def _wait(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.05)


def _receiver(
    store: SqlReportStore, spool: Spool, parse: object = fake_parse
) -> tuple[ReportReceiver, int]:
    receiver = ReportReceiver(Ingestor(store, parse), spool, ACCEPT, max_size=64 * 1024)  # type: ignore[arg-type]
    port = free_port()
    receiver.start("127.0.0.1", port)
    return receiver, port


def test_addresses() -> None:
    """Default local parts at the domains, +tags, and explicit addresses are accepted; no others."""
    assert ACCEPT.accepts("dmarc@example.com")
    assert ACCEPT.accepts("<RUA+google@Example.COM>")
    assert ACCEPT.accepts("reports@example.org")
    assert not ACCEPT.accepts("postmaster@example.com")
    assert not ACCEPT.accepts("dmarc@example.org")


def test_receives_and_ingests(store: SqlReportStore, tmp_path: Path) -> None:
    """Mail sent with smtplib to a report address is stored; the spool is emptied."""
    spool = Spool(tmp_path / "spool")
    receiver, port = _receiver(store, spool)
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail(
                "noreply@example.net", ["dmarc@example.com"], fake_mail(fake_message("r1", "r2"))
            )
        _wait(lambda: store.stats().total.aggregate_reports == 2)
    finally:
        receiver.stop()
    assert store.stats().total.aggregate_reports == 2
    assert list(spool.pending()) == []
    assert receiver.total.reports_new == 2


def test_other_recipients_refused(store: SqlReportStore, tmp_path: Path) -> None:
    """A recipient that is not a report address is refused with 550."""
    receiver, port = _receiver(store, Spool(tmp_path / "spool"))
    try:
        with (
            smtplib.SMTP("127.0.0.1", port) as client,
            pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
        ):
            client.sendmail("a@example.net", ["postmaster@example.com"], b"Subject: x\r\n\r\nx\r\n")
    finally:
        receiver.stop()
    assert refused.value.recipients["postmaster@example.com"][0] == 550


def test_size_limit(store: SqlReportStore, tmp_path: Path) -> None:
    """A message over the size limit is refused with 552, declared or not, and not spooled."""
    spool = Spool(tmp_path / "spool")
    receiver, port = _receiver(store, spool)
    big = b"Subject: big\r\n\r\n" + (b"x" * 70 + b"\r\n") * 1500
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            with pytest.raises(smtplib.SMTPSenderRefused) as declared:
                client.sendmail("a@example.net", ["rua@example.com"], big)
            client.ehlo()
            client.mail("a@example.net")
            client.rcpt("rua@example.com")
            code, _ = client.data(big)
    finally:
        receiver.stop()
    assert (declared.value.smtp_code, code) == (552, 552)
    assert list(spool.pending()) == []


def test_on_disk_before_250(store: SqlReportStore, tmp_path: Path) -> None:
    """When the server answers 250 the message is already in the spool, before ingestion ends."""
    spool = Spool(tmp_path / "spool")
    release = threading.Event()

    def slow_parse(data: bytes) -> object:
        release.wait(10)
        return fake_parse(data)

    receiver, port = _receiver(store, spool, slow_parse)
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("a@example.net", ["dmarc@example.com"], fake_mail(fake_message("r1")))
        [spooled] = list(spool.pending())
        assert b"r1" in spooled.read_bytes()
        release.set()
        _wait(lambda: not list(spool.pending()))
    finally:
        release.set()
        receiver.stop()
    assert store.stats().total.aggregate_reports == 1


def test_leftover_spool_ingested_on_start(store: SqlReportStore, tmp_path: Path) -> None:
    """Mail a crashed receiver had accepted but not stored is stored when it starts again."""
    spool = Spool(tmp_path / "spool")
    spool.write(fake_mail(fake_message("left")))
    receiver, _ = _receiver(store, spool)
    _wait(lambda: not list(spool.pending()))
    receiver.stop()
    assert store.stats().total.aggregate_reports == 1


def test_listen_values() -> None:
    """--listen takes HOST:PORT and [IPv6]:PORT."""
    assert parse_listen("127.0.0.1:2525") == ("127.0.0.1", 2525)
    assert parse_listen("[::1]:25") == ("::1", 25)
    with pytest.raises(ConfigError):
        parse_listen("127.0.0.1")


def test_receive_needs_an_address(tmp_path: Path) -> None:
    """receive without --domain or --address is bad usage (exit 2)."""
    result = CliRunner().invoke(cli, ["receive", "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 2
    assert "--domain" in result.output


def test_receive_command_end_to_end(tmp_path: Path) -> None:
    """mailwarden receive stores report mail sent with smtplib and prints the summary on Ctrl-C."""
    port = free_port()
    db = tmp_path / "s.db"
    command = [*MAILWARDEN, "receive", "--listen", f"127.0.0.1:{port}", "--domain", "example.com"]
    command += ["--spool", str(tmp_path / "spool"), "--db", str(db), "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_port(port)
        with smtplib.SMTP("127.0.0.1", port) as client:
            for data in report_mails(2)[:3]:
                wire = data.replace(b"\n", b"\r\n")  # SMTP lines end in CRLF
                client.sendmail("noreply@example.net", ["dmarc@example.com"], wire)
        store = open_store(str(db))
        _wait(lambda: store.stats().total.aggregate_reports == 2)
        store.close()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert json.loads(out) == {"reports_new": 3, "duplicates": 0, "quarantined": 0}


def test_receive_unencodable_listen_host_is_an_error(tmp_path: Path) -> None:
    """A --listen host with a label over 63 characters exits 3 naming it, no traceback."""
    host = "a" * 300
    result = CliRunner().invoke(
        cli,
        ["receive", "--listen", f"{host}:2525", "--domain", "example.com",
         "--db", str(tmp_path / "s.db"), "--spool", str(tmp_path / "spool")],
    )  # fmt: skip
    assert result.exit_code == 3, result.output
    assert f"cannot listen on {host}:2525" in result.output
