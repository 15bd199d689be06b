"""Helpers for end-to-end ingest tests: generated report mail on disk, store snapshots."""

from __future__ import annotations

import datetime as dt
import mailbox
import os
import ssl
import sys
from pathlib import Path
from typing import Any

from imapclient import IMAPClient
from sqlalchemy import select

from mailwarden.ingest.samples import failure_mail, generate_mailbox, tls_mail
from mailwarden.store import SqlReportStore
from mailwarden.store.schema import (
    aggregate_records,
    aggregate_reports,
    failure_reports,
    quarantine,
    tls_reports,
)
from tests.servers import Dovecot

__all__ = [
    "MAILWARDEN",
    "env_with_password",
    "folder_size",
    "imap_client",
    "report_mails",
    "snapshot",
    "write_files",
    "write_mbox",
]

#: Runs the command line in a subprocess (with this interpreter and environment).
MAILWARDEN = [sys.executable, "-c", "from mailwarden.cli import main; main()"]
DAY = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def report_mails(aggregate: int, records: tuple[int, int] = (2, 6)) -> list[bytes]:
    """Return ``aggregate`` aggregate report mails, a TLS report, a failure report, a bad mail."""
    mails = list(generate_mailbox(aggregate, records=records))
    mails.append(tls_mail("tls-1", "example.com", DAY, 3))
    mails.append(failure_mail("example.com", DAY, "203.0.113.5", 1))
    mails.append(b"From: someone@example.net\r\nSubject: hello\r\n\r\nnot a report\r\n")
    return mails


def write_files(folder: Path, mails: list[bytes]) -> Path:
    """Write each mail to its own ``.eml`` file in ``folder``; return ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, data in enumerate(mails):
        (folder / f"{number:05d}.eml").write_bytes(data)
    return folder


def write_mbox(path: Path, mails: list[bytes]) -> Path:
    """Write the mails into one mbox file; return its path."""
    box = mailbox.mbox(path)
    for data in mails:
        box.add(data)
    box.close()
    return path


def snapshot(store: SqlReportStore) -> dict[str, Any]:
    """Return everything stored (without ids, times and the log) in a comparable form."""
    tables = {
        "aggregate": (aggregate_reports, ("ingest_id", "ingested_at", "id")),
        "records": (aggregate_records, ("id", "report_id")),
        "failure": (failure_reports, ("ingest_id", "ingested_at", "id")),
        "tls": (tls_reports, ("ingest_id", "ingested_at", "id")),
        "quarantine": (quarantine, ("id", "received_at", "resolved_at", "source")),
    }
    found: dict[str, Any] = {}
    with store.engine.connect() as connection:
        for name, (table, skip) in tables.items():
            columns = [c for c in table.c if c.name not in skip]
            rows = connection.execute(select(*columns)).all()
            found[name] = sorted(tuple(map(repr, row)) for row in rows)
    return found


def imap_client(server: Dovecot) -> IMAPClient:
    """Return a client logged in to the test Dovecot over TLS."""
    context = ssl.create_default_context(cafile=str(server.ca_file))
    client = IMAPClient("127.0.0.1", server.tls_port, ssl=True, ssl_context=context)
    client.login(server.user, server.password)
    return client


def folder_size(server: Dovecot, folder: str) -> int:
    """Return how many messages ``folder`` holds (0 when it does not exist)."""
    client = imap_client(server)
    try:
        if not client.folder_exists(folder):
            return 0
        client.select_folder(folder, readonly=True)
        return len(client.search(["ALL"]))
    finally:
        client.logout()


def env_with_password(password: str) -> dict[str, str]:
    """Return this process's environment plus the IMAP password variable."""
    return {**os.environ, "MAILWARDEN_IMAP_PASSWORD": password}
