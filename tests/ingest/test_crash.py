"""Crash safety: ingestion killed by SIGKILL at random points, then rerun, equals a clean run."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from mailwarden.store import open_store
from tests.ingest.helpers import (
    MAILWARDEN,
    env_with_password,
    folder_size,
    imap_client,
    report_mails,
    snapshot,
    write_files,
)
from tests.servers import Dovecot

pytestmark = pytest.mark.integration

MAILS = report_mails(30, records=(20, 60))
KILLS = 4


def _run(args: list[str], env: dict[str, str] | None = None) -> float:
    """Run the command to its end; return how long it took."""
    started = time.monotonic()
    subprocess.run([*MAILWARDEN, *args], check=True, capture_output=True, env=env, timeout=300)
    return time.monotonic() - started


def _killed_runs(args: list[str], env: dict[str, str] | None, seed: int, span: float) -> int:
    """Run the command until it was killed KILLS times (at most 3 * KILLS runs), each killed
    after a random part of ``span`` seconds; a run that finished first makes the next kill
    come twice as early, so a fast or busy machine still sees the command killed."""
    rng = random.Random(seed)
    kills, scale = 0, 1.0
    for _ in range(3 * KILLS):
        if kills >= KILLS:
            break
        process = subprocess.Popen(
            [*MAILWARDEN, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        try:
            process.wait(timeout=rng.uniform(0.4, 0.95) * span * scale)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
        else:
            scale /= 2
    return kills


def _snapshot(db: Path) -> dict[str, object]:
    store = open_store(str(db))
    try:
        return snapshot(store)
    finally:
        store.close()


def test_directory_source_survives_sigkill(tmp_path: Path) -> None:
    """Killed at random points and rerun, a directory ingest stores each report exactly once."""
    folder = write_files(tmp_path / "inbox", MAILS)
    span = _run(["ingest", str(folder), "--db", str(tmp_path / "clean.db")])
    args = ["ingest", str(folder), "--db", str(tmp_path / "killed.db")]
    kills = _killed_runs(args, None, 7, span)
    _run(["ingest", str(folder), "--db", str(tmp_path / "killed.db")])
    assert kills >= 1
    assert _snapshot(tmp_path / "killed.db") == _snapshot(tmp_path / "clean.db")


def test_imap_source_survives_sigkill(dovecot: Dovecot, tmp_path: Path) -> None:
    """Killed at random points and rerun, an IMAP ingest loses nothing and doubles nothing."""
    client = imap_client(dovecot)
    for data in MAILS:
        client.append("INBOX", data)
    client.logout()
    folder = write_files(tmp_path / "inbox", MAILS)
    span = _run(["ingest", str(folder), "--db", str(tmp_path / "clean.db")])
    url = f"imaps://{dovecot.user}@127.0.0.1:{dovecot.tls_port}/INBOX"
    args = ["ingest", "--imap", url, "--ca-file", str(dovecot.ca_file), "--batch-size", "5"]
    args += ["--db", str(tmp_path / "killed.db")]
    env = env_with_password(dovecot.password)
    kills = _killed_runs(args, env, 11, span * 1.5)
    _run(args, env)
    assert kills >= 1
    assert _snapshot(tmp_path / "killed.db") == _snapshot(tmp_path / "clean.db")
    folders = [folder_size(dovecot, name) for name in ("INBOX", "Archive", "Invalid")]
    assert folders == [0, len(MAILS) - 1, 1]
