"""Benchmark: CPU time per record of each ingest stage, in one process, no mail server.

The generated report mails of ``bench/ingest.py`` are first prepared as a parse worker does
(unwrap, parse, rows and roll-up sums), then stored as the writing process does: one
transaction per mail into a new SQLite file, the write-ahead log synced every 50 mails (an
IMAP batch). CPU seconds (not wall clock) per record, so a busy machine changes them little.

Run from the repository root::

    python3 bench/ingest_stages.py --mails 1000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from mailwarden.ingest.parsing import default_parser
from mailwarden.ingest.pipeline import Ingestor, RawInput
from mailwarden.ingest.prepare import prepare_input
from mailwarden.ingest.samples import generate_mailbox
from mailwarden.store import open_store
from mailwarden.store.dashboard import report_sums
from mailwarden.store.rows import NOT_REPORTED, record_fields

BATCH = 50


def _per_record(seconds: float, records: int) -> str:
    return f"{seconds / records * 1e6:6.1f} µs"


def worker_stages(mails: list[bytes]) -> tuple[int, dict[str, float]]:
    """Return the record count and the CPU seconds of each parse-worker stage."""
    parse = default_parser()
    clock = time.process_time
    started = clock()
    reports: list[list[Any]] = [list(parse(mail)) for mail in mails]
    unwrapped = clock()
    records = [[list(report.records()) for report in found] for found in reports]
    parsed = clock()
    fields = [[[record_fields(r) for r in rs] for rs in found] for found in records]
    built = clock()
    for found in fields:
        for rows in found:
            report_sums("example.com", NOT_REPORTED.date(), rows)
    summed = clock()
    count = sum(len(rs) for found in records for rs in found)
    return count, {
        "unwrap (MIME, decompression)": unwrapped - started,
        "records (XML)": parsed - unwrapped,
        "row tuples": built - parsed,
        "roll-up sums": summed - built,
    }


def writer(mails: list[bytes]) -> tuple[float, float]:
    """Return (CPU seconds to prepare every mail, CPU seconds to store them all)."""
    parse = default_parser()
    clock = time.process_time
    started = clock()
    prepared = [prepare_input(parse, mail) for mail in mails]
    ready = clock() - started
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "stages.db"))
        ingestor = Ingestor(store, parse)
        started = clock()
        for number, (mail, result) in enumerate(zip(mails, prepared, strict=True)):
            future: Future[Any] = Future()
            future.set_result(result)
            ingestor._finish(RawInput(f"mail{number}", mail), future)
            if number % BATCH == BATCH - 1:
                store.sync()
        store.sync()
        stored = clock() - started
        store.close()
    return ready, stored


def main() -> None:
    """Print the CPU time per record of each stage."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=1000)
    args = parser.parse_args()
    mails = list(generate_mailbox(args.mails, records=(20, 200)))
    records, stages = worker_stages(mails)
    ready, stored = writer(mails)
    print(f"{args.mails} mails, {records} records; CPU time per record:")
    for name, seconds in stages.items():
        print(f"  worker: {name:<30} {_per_record(seconds, records)}")
    print(f"  worker: {'all (prepare_input)':<30} {_per_record(ready, records)}")
    print(f"  writer: {'store, roll-ups, commits':<30} {_per_record(stored, records)}")


if __name__ == "__main__":
    main()
