"""Benchmark: ingest a mailbox of DMARC aggregate report mails served by Dovecot on loopback.

mailwarden ingests it into SQLite and into PostgreSQL, parsedmarc (offline, every message in
one batch, output to files) ingests the same mailbox, in one run. For each: reports and
records stored, mails and records per second, and peak memory (max RSS, or the sampled sum
over the process and its parse workers when larger). Then the same mailbox is offered to
mailwarden again: the rerun must add nothing.

Run from the repository root::

    python3 bench/ingest.py --mails 2000

Needs dovecot (dovecot-imapd) and PostgreSQL (postgresql) installed; parsedmarc is installed
by this script into bench/.venvs/parsedmarc.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from imapclient import IMAPClient  # noqa: E402
from tests.servers import Dovecot, dovecot_server, postgres_server  # noqa: E402

from mailwarden.ingest.samples import generate_mailbox  # noqa: E402

PEER_VENV = REPO / "bench" / ".venvs" / "parsedmarc"
PEER = "parsedmarc==11.1.0"
CORPUS = "Corpus"


@dataclass
class Result:
    """One tool's run over the mailbox."""

    name: str
    mails: int
    reports: int
    records: int
    seconds: float
    peak_mib: float

    def line(self) -> str:
        """Return the result as one table row."""
        return (
            f"{self.name:<22} {self.mails:>6} {self.reports:>8} {self.records:>9} "
            f"{self.seconds:>8.1f} {self.mails / self.seconds:>8.1f} "
            f"{self.records / self.seconds:>10.0f} {self.peak_mib:>9.0f}"
        )


def _tree_rss(pid: int) -> int:
    """Return the summed resident memory (bytes) of ``pid`` and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
        todo.extend(int(child) for child in children.split())
    return total


class TreeMemory(threading.Thread):
    """Samples the summed RSS of a process tree (a main process and its parse workers)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        """Sample every 50 ms until stopped."""
        while not self.done.wait(0.05):
            self.peak = max(self.peak, _tree_rss(self.pid))


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run ``command``; return (seconds, peak MiB, stdout). Raises on failure.

    The peak is the larger of the process's maximum RSS and the sampled sum over the process
    and its children (mailwarden's parse workers), so parallelism is not hidden.
    """
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        sampler = TreeMemory(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.monotonic() - started
        sampler.done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{command[0]} failed ({process.returncode}): {err.read()[-2000:]!r}")
        peak = max(usage.ru_maxrss * 1024, sampler.peak) / (1 << 20)
        return elapsed, peak, out.read().decode()


def imap(server: Dovecot) -> IMAPClient:
    """Return a client logged in to the benchmark Dovecot (plain IMAP on loopback)."""
    client = IMAPClient("127.0.0.1", server.port, ssl=False)
    client.login(server.user, server.password)
    return client


def load_corpus(server: Dovecot, mails: int, low: int, high: int) -> None:
    """Append the generated report mails to the corpus folder once."""
    client = imap(server)
    client.create_folder(CORPUS)
    for data in generate_mailbox(mails, records=(low, high)):
        client.append(CORPUS, data)
    client.logout()


def refill_inbox(server: Dovecot) -> None:
    """Empty INBOX and the archive folders, then copy the corpus into INBOX."""
    client = imap(server)
    for folder in ("INBOX", "Archive", "Invalid"):
        if client.folder_exists(folder):
            client.select_folder(folder)
            uids = client.search(["ALL"])
            if uids:
                client.delete_messages(uids)
                client.expunge()
    client.select_folder(CORPUS, readonly=True)
    client.copy(client.search(["ALL"]), "INBOX")
    client.logout()


def ensure_parsedmarc() -> Path:
    """Install parsedmarc into its own virtual environment (once); return its executable."""
    executable = PEER_VENV / "bin" / "parsedmarc"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        pip = [str(PEER_VENV / "bin" / "python"), "-m", "pip", "install", "-q", PEER]
        subprocess.run(pip, check=True)
    return executable


def run_mailwarden(
    server: Dovecot, name: str, db: str, mails: int
) -> tuple[Result, dict[str, int]]:
    """Ingest INBOX with mailwarden into ``db``; return the result and the JSON summary."""
    url = f"imaps://{server.user}@127.0.0.1:{server.tls_port}/INBOX"
    command = [sys.executable, "-c", "from mailwarden.cli import main; main()"]
    command += ["ingest", "--imap", url, "--ca-file", str(server.ca_file), "--db", db, "--json"]
    env = {**os.environ, "MAILWARDEN_IMAP_PASSWORD": server.password}
    seconds, peak, out = timed(command, env)
    summary = json.loads(out)
    stats_cmd = [sys.executable, "-c", "from mailwarden.cli import main; main()"]
    stats = json.loads(
        subprocess.run(
            [*stats_cmd, "db", "stats", "--db", db, "--json"], check=True, capture_output=True
        ).stdout
    )
    result = Result(name, mails, summary["reports_new"], stats["aggregate_records"], seconds, peak)
    return result, summary


def run_parsedmarc(server: Dovecot, executable: Path, work: Path, mails: int) -> Result:
    """Ingest INBOX with parsedmarc offline, every message in one batch, output to files."""
    output = work / "parsedmarc-out"
    config = work / "parsedmarc.ini"
    config.write_text(
        "[general]\nsave_aggregate = True\nsave_failure = True\nsave_smtp_tls = True\n"
        f"offline = True\nsilent = True\noutput = {output}\n\n"
        "[mailbox]\nreports_folder = INBOX\narchive_folder = Archive\nbatch_size = 0\n\n"
        f"[imap]\nhost = 127.0.0.1\nport = {server.tls_port}\nssl = True\n"
        f"skip_certificate_verification = True\nuser = {server.user}\n"
        f"password = {server.password}\n"
    )
    seconds, peak, _ = timed([str(executable), "-c", str(config)])
    reports = json.loads((output / "aggregate.json").read_text())
    records = sum(len(r.get("records", ())) for r in reports)
    return Result("parsedmarc 11.1", mails, len(reports), records, seconds, peak)


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=2000, help="report mails in the mailbox")
    parser.add_argument("--min-records", type=int, default=20)
    parser.add_argument("--max-records", type=int, default=200)
    parser.add_argument("--skip-parsedmarc", action="store_true")
    args = parser.parse_args()
    peer = None if args.skip_parsedmarc else ensure_parsedmarc()
    with (
        dovecot_server() as server,
        postgres_server() as pg_url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        if server is None or pg_url is None:
            raise SystemExit("dovecot and PostgreSQL must be installed")
        work = Path(tmp)
        load_corpus(server, args.mails, args.min_records, args.max_records)
        results = []
        refill_inbox(server)
        sqlite_db = str(work / "bench.db")
        result, _ = run_mailwarden(server, "mailwarden → SQLite", sqlite_db, args.mails)
        results.append(result)
        refill_inbox(server)
        result, _ = run_mailwarden(server, "mailwarden → PostgreSQL", pg_url, args.mails)
        results.append(result)
        refill_inbox(server)
        _, rerun = run_mailwarden(server, "rerun", sqlite_db, args.mails)
        if peer is not None:
            refill_inbox(server)
            results.append(run_parsedmarc(server, peer, work, args.mails))
    print(
        f"{'tool':<22} {'mails':>6} {'reports':>8} {'records':>9} {'seconds':>8} "
        f"{'mails/s':>8} {'records/s':>10} {'peak MiB':>9}"
    )
    for result in results:
        print(result.line())
    print(f"rerun of mailwarden → SQLite over the same mailbox: {json.dumps(rerun)}")
    if peer is not None:
        mine, theirs = results[0], results[-1]
        ratio = (mine.records / mine.seconds) / (theirs.records / theirs.seconds)
        print(f"records/s ratio mailwarden (SQLite) / parsedmarc: {ratio:.1f}x")


if __name__ == "__main__":
    main()
