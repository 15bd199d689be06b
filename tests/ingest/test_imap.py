"""The IMAP source against a real Dovecot started on loopback with a test mailbox."""

from __future__ import annotations

import json
import ssl
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailwarden.cli import cli
from mailwarden.errors import ConfigError
from mailwarden.ingest import Ingestor, Outcome, RawInput
from mailwarden.ingest.imap import ImapSource, imap_password, parse_imap_url
from mailwarden.store import open_store
from tests.ingest.fakes import fake_mail, fake_message, fake_parse
from tests.ingest.helpers import folder_size, imap_client
from tests.servers import Dovecot

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _fake_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI parses with the test stand-in parser."""
    monkeypatch.setattr("mailwarden.cli.ingest_cmd.default_parser", lambda: fake_parse)


def _append(server: Dovecot, *bodies: bytes, folder: str = "INBOX") -> None:
    client = imap_client(server)
    for number, body in enumerate(bodies):
        client.append(folder, fake_mail(body, f"Report {number}"))
    client.logout()


def _ingest(server: Dovecot, db: Path, url: str, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            "--imap",
            url,
            "--ca-file",
            str(server.ca_file),
            "--db",
            str(db),
            "--json",
            *extra,
        ],
        env={"MAILWARDEN_IMAP_PASSWORD": server.password},
    )
    return result.exit_code, result.output


def test_imaps_ingest_moves_after_commit(dovecot: Dovecot, tmp_path: Path) -> None:
    """Over imaps://, good mail goes to Archive and bad mail to Invalid; a rerun adds nothing."""
    _append(dovecot, fake_message("r1"), fake_message("r2", "r3"), b"not a report\n")
    url = f"imaps://{dovecot.user}@127.0.0.1:{dovecot.tls_port}/INBOX"
    code, out = _ingest(dovecot, tmp_path / "s.db", url)
    assert code == 0, out
    assert json.loads(out) == {"reports_new": 3, "duplicates": 0, "quarantined": 1}
    assert (
        folder_size(dovecot, "INBOX"),
        folder_size(dovecot, "Archive"),
        folder_size(dovecot, "Invalid"),
    ) == (
        0,
        2,
        1,
    )
    code, out = _ingest(dovecot, tmp_path / "s.db", url)
    assert json.loads(out) == {"reports_new": 0, "duplicates": 0, "quarantined": 0}


def test_starttls_in_small_batches(dovecot: Dovecot, tmp_path: Path) -> None:
    """imap:// upgrades with STARTTLS and fetches in batches until the folder is empty."""
    _append(dovecot, *(fake_message(f"r{i}") for i in range(7)))
    url = f"imap://{dovecot.user}@127.0.0.1:{dovecot.port}/INBOX"
    code, out = _ingest(dovecot, tmp_path / "s.db", url, "--batch-size", "3")
    assert code == 0, out
    assert json.loads(out)["reports_new"] == 7
    assert folder_size(dovecot, "Archive") == 7


def test_crash_before_move_is_counted_duplicate(dovecot: Dovecot, tmp_path: Path) -> None:
    """A stop after a commit but before the move leaves the mail; the rerun stores nothing twice."""
    _append(dovecot, fake_message("r1"), fake_message("r2"))
    store = open_store(str(tmp_path / "s.db"))
    ingestor = Ingestor(store, fake_parse)
    target = parse_imap_url(f"imaps://{dovecot.user}@127.0.0.1:{dovecot.tls_port}/INBOX")
    context = ssl.create_default_context(cafile=str(dovecot.ca_file))

    def crash_after_second(item: RawInput) -> Outcome:
        outcome = ingestor.process(item)
        if "r2" in item.data.decode():
            raise KeyboardInterrupt
        return outcome

    source = ImapSource(target, dovecot.password, ssl_context=context)
    with pytest.raises(KeyboardInterrupt):
        source.run_once(crash_after_second)
    source.close()
    assert folder_size(dovecot, "INBOX") == 2
    again = ImapSource(target, dovecot.password, ssl_context=context)
    counts = again.run_once(ingestor.process)
    again.close()
    assert (counts.reports_new, counts.duplicates) == (0, 2)
    assert store.stats().total.aggregate_reports == 2
    assert folder_size(dovecot, "INBOX") == 0
    store.close()


def test_stream_moves_each_batch_after_its_sync(dovecot: Dovecot, tmp_path: Path) -> None:
    """With a stream handler, inputs flow across batches, and a batch is moved only after the
    sync that follows its last commit (a bad mail goes to Invalid the same way)."""
    _append(dovecot, *(fake_message(f"r{i}") for i in range(4)), b"not a report\n")
    store = open_store(str(tmp_path / "s.db"))
    ingestor = Ingestor(store, fake_parse)
    target = parse_imap_url(f"imaps://{dovecot.user}@127.0.0.1:{dovecot.tls_port}/INBOX")
    context = ssl.create_default_context(cafile=str(dovecot.ca_file))
    source = ImapSource(target, dovecot.password, ssl_context=context, batch_size=2)
    seen: list[tuple[int, int]] = []

    def sync() -> None:
        store.sync()
        seen.append((store.stats().total.aggregate_reports, folder_size(dovecot, "Archive")))

    counts = source.run_once(ingestor.process, many=ingestor.process_many, sync=sync)
    source.close()
    assert (counts.reports_new, counts.quarantined) == (4, 1)
    assert seen == [(2, 0), (4, 2), (4, 4)]
    assert (folder_size(dovecot, "Archive"), folder_size(dovecot, "Invalid")) == (4, 1)
    store.close()


@pytest.mark.parametrize("use_idle", [True, False], ids=["idle", "poll"])
def test_watch_picks_up_new_mail(dovecot: Dovecot, tmp_path: Path, use_idle: bool) -> None:
    """Watching the folder (IDLE, or polling) ingests mail that arrives later."""
    store = open_store(str(tmp_path / "s.db"))
    ingestor = Ingestor(store, fake_parse)
    target = parse_imap_url(f"imaps://{dovecot.user}@127.0.0.1:{dovecot.tls_port}/INBOX")
    source = ImapSource(
        target,
        dovecot.password,
        ssl_context=ssl.create_default_context(cafile=str(dovecot.ca_file)),
    )
    stop = threading.Event()
    thread = threading.Thread(
        target=source.watch,
        args=(ingestor.process, stop),
        kwargs={"idle_timeout": 0.3, "poll_interval": 0.2, "use_idle": use_idle},
    )
    thread.start()
    try:
        time.sleep(0.5)
        _append(dovecot, fake_message("late"))
        deadline = time.monotonic() + 15
        while store.stats().total.aggregate_reports == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(10)
        source.close()
    assert store.stats().total.aggregate_reports == 1
    store.close()


def test_wrong_password_exit_2(dovecot: Dovecot, tmp_path: Path) -> None:
    """A refused login is a configuration error (exit 2) naming the user."""
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            "--imap",
            f"imaps://{dovecot.user}@127.0.0.1:{dovecot.tls_port}/INBOX",
            "--ca-file",
            str(dovecot.ca_file),
            "--db",
            str(tmp_path / "s.db"),
        ],
        env={"MAILWARDEN_IMAP_PASSWORD": "wrong"},
    )
    assert result.exit_code == 2
    assert f"IMAP login as {dovecot.user} refused" in result.output


def test_untrusted_certificate_exit_3(dovecot: Dovecot, tmp_path: Path) -> None:
    """Without the test CA the TLS handshake fails: exit 3, no traceback."""
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            "--imap",
            f"imaps://{dovecot.user}@127.0.0.1:{dovecot.tls_port}/INBOX",
            "--db",
            str(tmp_path / "s.db"),
        ],
        env={"MAILWARDEN_IMAP_PASSWORD": dovecot.password},
    )
    assert result.exit_code == 3
    assert "certificate" in result.output.lower()


def test_url_and_password_rules(tmp_path: Path) -> None:
    """URLs carry no password; the password comes from a file or an environment variable."""
    target = parse_imap_url("imaps://dmarc%40example.com@mail.example.com/Reports/DMARC")
    assert (target.user, target.port, target.folder) == ("dmarc@example.com", 993, "Reports/DMARC")
    assert parse_imap_url("imap://u@127.0.0.1").loopback is True
    with pytest.raises(ConfigError, match="never put the IMAP password"):
        parse_imap_url("imaps://u:pw@host/INBOX")
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    assert imap_password(None, secret) == "from-file"
    assert imap_password("MY_PW", None, {"MY_PW": "from-env"}) == "from-env"
    with pytest.raises(ConfigError, match="MAILWARDEN_IMAP_PASSWORD"):
        imap_password(None, None, {})


@pytest.mark.parametrize("url", ["imap://u@[::1/INBOX", "imaps://u@[v1.x/INBOX"])
def test_malformed_imap_url_is_a_config_error(url: str) -> None:
    """An --imap URL that urllib cannot split (bad IPv6 bracket) raises ConfigError."""
    with pytest.raises(ConfigError, match="malformed URL"):
        parse_imap_url(url)


def test_password_file_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    """A --password-file that is not UTF-8 raises ConfigError naming it."""
    secret = tmp_path / "pw"
    secret.write_bytes(b"\xff\xfepassword\n")
    with pytest.raises(ConfigError, match=": not UTF-8 text"):
        imap_password(None, secret)
    with pytest.raises(ConfigError, match="/dev/zero: not a regular file"):
        imap_password(None, Path("/dev/zero"))
    secret.write_bytes(b"x" * (65 << 10))
    with pytest.raises(ConfigError, match="larger than"):
        imap_password(None, secret)
