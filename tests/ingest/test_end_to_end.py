"""Ingestion with the real report parser: mbox, Maildir, files, other wrappings, exactly once."""

from __future__ import annotations

import gzip
import json
import mailbox
import signal
import subprocess
import time
from pathlib import Path

from click.testing import CliRunner

from mailwarden.cli import cli
from mailwarden.ingest.demo import ingest_demo_reports
from mailwarden.ingest.samples import aggregate_xml, generate_mailbox
from mailwarden.store import IngestCounts, open_store
from tests.ingest.helpers import DAY, MAILWARDEN, report_mails, write_files, write_mbox


def _ingest(*args: str) -> dict[str, int]:
    result = CliRunner().invoke(cli, ["ingest", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_mbox_then_rerun(tmp_path: Path) -> None:
    """An mbox of report mails is stored once; the rerun counts only duplicates."""
    box = write_mbox(tmp_path / "reports.mbox", report_mails(6))
    db = str(tmp_path / "s.db")
    assert _ingest(str(box), "--db", db) == {"reports_new": 8, "duplicates": 0, "quarantined": 1}
    assert _ingest(str(box), "--db", db) == {"reports_new": 0, "duplicates": 9, "quarantined": 0}
    stats = json.loads(CliRunner().invoke(cli, ["db", "stats", "--db", db, "--json"]).output)
    assert (stats["aggregate_reports"], stats["failure_reports"], stats["tls_reports"]) == (6, 1, 1)
    assert stats["quarantined"] == 1


def test_maildir_and_files_hold_the_same_reports(tmp_path: Path) -> None:
    """The same reports from a Maildir after files are all duplicates."""
    mails = report_mails(4)
    box = mailbox.Maildir(tmp_path / "Maildir")
    for data in mails:
        box.add(data)
    db = str(tmp_path / "s.db")
    assert _ingest(str(write_files(tmp_path / "files", mails)), "--db", db)["reports_new"] == 6
    assert _ingest(str(tmp_path / "Maildir"), "--db", db) == {
        "reports_new": 0,
        "duplicates": 7,
        "quarantined": 0,
    }


def test_same_report_in_another_wrapping(tmp_path: Path) -> None:
    """A report ingested from a mail is a duplicate as a bare .xml.gz file."""
    [mail] = generate_mailbox(1, records=(3, 3))
    (tmp_path / "a.eml").write_bytes(mail)
    db = str(tmp_path / "s.db")
    assert _ingest(str(tmp_path / "a.eml"), "--db", db)["reports_new"] == 1
    report_id = mail.split(b"Report-ID: <", 1)[1].split(b">", 1)[0].decode()
    # rebuild the same report: same reporter, id, domain and day, as a bare gzip file
    xml = aggregate_xml(
        "google.com", "noreply-dmarc-support@google.com", report_id, "example.com", DAY, []
    )
    (tmp_path / "b.xml.gz").write_bytes(gzip.compress(xml))
    assert _ingest(str(tmp_path / "b.xml.gz"), "--db", db) == {
        "reports_new": 0,
        "duplicates": 1,
        "quarantined": 0,
    }


def test_watch_ingests_new_files_until_interrupted(tmp_path: Path) -> None:
    """ingest --watch stores files dropped later and prints the summary on Ctrl-C."""
    folder = tmp_path / "drop"
    folder.mkdir()
    db = tmp_path / "s.db"
    command = [*MAILWARDEN, "ingest", str(folder), "--watch", "--interval", "0.2"]
    process = subprocess.Popen(
        [*command, "--db", str(db), "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        mails = report_mails(2)
        for number, data in enumerate(mails[:2]):
            (folder / f"{number}.eml").write_bytes(data)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _reports(db) < 2:
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert json.loads(out) == {"reports_new": 2, "duplicates": 0, "quarantined": 0}


def _reports(db: Path) -> int:
    if not db.exists():
        return 0
    store = open_store(str(db))
    try:
        return store.stats().total.aggregate_reports
    finally:
        store.close()


def test_demo_ingests_bundled_reports() -> None:
    """The demo stores each bundled sample report once and finds them all again as duplicates."""
    counts, stored = ingest_demo_reports()
    assert counts == IngestCounts(reports_new=11, duplicates=11, quarantined=0)
    assert (stored.total.aggregate_reports, stored.total.failure_reports) == (9, 1)
    assert stored.total.tls_reports == 1
    assert [name for name, _ in stored.domains] == ["example.com", "example.net", "example.org"]


def test_demo_command_shows_reports() -> None:
    """mailwarden demo --json --no-serve gives each domain its report figures."""
    result = CliRunner().invoke(cli, ["demo", "--json", "--no-serve"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [row["domain"] for row in rows] == ["example.com", "example.net", "example.org"]
    assert all(row["reports"]["messages"] > 0 for row in rows)
