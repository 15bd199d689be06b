"""Dashboard latency on a large store: every page and API call, p50 and p95.

Generates a SQLite store with N aggregate records (default 1,000,000: a year of daily reports
from ten reporters for 14 domains, each report with the domain's own servers, an e-mail
service provider, a forwarder, spoofers and a long tail of one-off sources) with direct
inserts, fills the store's roll-ups from them (as the migration that created the roll-ups
back-fills an existing store), serves the dashboard with uvicorn on a loopback port and
requests each page and API endpoint repeatedly over HTTP, with the default filter (the last
30 days, all domains), with one domain, and over the whole year. A CSV export streams: its
time to the first byte is printed beside the time to the last.

There is no peer to run side by side: the peer tool (parsedmarc) has no dashboard of its own
and needs Elasticsearch or Splunk with Kibana; the target is absolute (p95 < 500 ms).

    python3 bench/web.py [--records N] [--rounds R] [--db PATH] [--fresh]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import socket
import statistics
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from mailwarden.store import SqlReportStore, open_store
from mailwarden.store import rows as store_rows
from mailwarden.store.dashboard import rebuild
from mailwarden.store.schema import aggregate_records, aggregate_reports
from mailwarden.web.samples import ANCHOR, build_samples

OUT = Path(__file__).resolve().parent / "out"
REPORTERS = tuple(f"reporter{n}.example" for n in range(10))
DOMAINS = tuple(
    (f"d{n:02d}.example", ("none", "quarantine", "reject")[n % 3], 100) for n in range(14)
)
NOISE = 9
BATCH = 2000
TARGET_MS = 500


def _reports(limit: int) -> Iterator[tuple[Any, Any, Any]]:
    """Yield (aggregate report, enricher) until ``limit`` records have been produced."""
    samples = build_samples(
        days=365, domains=DOMAINS, reporters=REPORTERS, failures=False, tls=False, noise=NOISE
    )
    produced = 0
    for report in samples.reports:
        if produced >= limit:
            return
        records = report.records[: limit - produced]  # type: ignore[attr-defined]
        produced += len(records)
        yield report, records, samples.enrich


def _insert_batch(store: SqlReportStore, batch: list[Any], now: dt.datetime) -> int:
    with store.engine.begin() as connection:
        report_rows = []
        for report, records, _ in batch:
            row = store_rows.aggregate_row(report, now, None)
            row["record_count"] = len(records)
            row["message_count"] = sum(r.count for r in records)
            report_rows.append(row)
        statement = insert(aggregate_reports).returning(
            aggregate_reports.c.id, sort_by_parameter_order=True
        )
        keys = list(connection.execute(statement, report_rows).scalars())
        record_rows = []
        for key, (_report, records, enrich) in zip(keys, batch, strict=True):
            infos = enrich({r.source_ip for r in records})
            record_rows += [store_rows.record_row(r, key, infos.get(r.source_ip)) for r in records]
        connection.execute(insert(aggregate_records), record_rows)
        return len(record_rows)


def generate(store: SqlReportStore, records: int) -> None:
    """Fill ``store`` with ``records`` aggregate records, plus failure and TLS reports."""
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    done = 0
    iterator = _reports(records)
    while batch := list(islice(iterator, BATCH)):
        done += _insert_batch(store, batch, now)
        print(f"\r  {done:,} records", end="", file=sys.stderr, flush=True)
    extras = build_samples(days=365, domains=DOMAINS[:3], reporters=())
    with store.transaction() as tx:
        for report in extras.reports:
            tx.add_report(report)
    print(f"\r  {done:,} records in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def record_count(store: SqlReportStore) -> int:
    """Return the number of aggregate records in ``store``."""
    with store.engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(aggregate_records)).scalar_one()
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(store: SqlReportStore) -> tuple[str, Any]:
    """Start the dashboard with uvicorn in a thread; return its base URL and the server."""
    import uvicorn

    from mailwarden.web.app import WebConfig, create_app

    app = create_app(WebConfig(store, today=lambda: ANCHOR))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def endpoints() -> list[tuple[str, str]]:
    """Return (label, path) of every page, API call and a CSV export, in three filters."""
    year = f"start={(ANCHOR - dt.timedelta(days=364)).isoformat()}&end={ANCHOR.isoformat()}"
    one = "domain=d01.example"
    paths = []
    for name in ("overview", "domain", "readiness", "failures", "tls", "findings", "quarantine"):
        page = "/" if name == "overview" else f"/{name}"
        for kind, base in (("page", page), ("api", f"/api/{name}")):
            for label, query in (("default", ""), ("domain", one), ("year", year)):
                paths.append((f"{kind} {name} [{label}]", f"{base}?{query}"))
    paths.append(("csv domain/sources [year]", f"/export/domain/sources.csv?{one}&{year}"))
    paths.append(("api openapi.json", "/api/openapi.json"))
    return paths


def measure(base: str, path: str, rounds: int) -> tuple[list[float], list[float]]:
    """Return the latencies in ms of ``rounds`` GETs of ``path`` (after two warm-up requests):
    to the last byte of the response, and to its first byte."""
    timings, firsts = [], []
    for index in range(rounds + 2):
        started = time.perf_counter()
        with urllib.request.urlopen(base + path, timeout=60) as response:
            response.read(1)
            first = time.perf_counter()
            response.read()
            assert response.status == 200, path
        if index >= 2:
            timings.append((time.perf_counter() - started) * 1000)
            firsts.append((first - started) * 1000)
    return timings, firsts


def _p95(values: list[float]) -> float:
    return (
        statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
    )


def main() -> int:
    """Run the benchmark and print one line per endpoint; exit 1 when it cannot run."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--fresh", action="store_true", help="regenerate the store")
    args = parser.parse_args()
    path = args.db or OUT / f"web-{args.records}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    if args.fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    store = open_store(str(path))  # migrates (and back-fills the roll-ups of) an older store
    opened = time.perf_counter() - started
    print(f"store opened (with any migration) in {opened:.1f} s", file=sys.stderr)
    rollup = None
    if record_count(store) < args.records:
        print(f"generating {args.records:,} aggregate records into {path}", file=sys.stderr)
        generate(store, args.records)
        started = time.perf_counter()
        with store.engine.begin() as connection:
            rebuild(connection)
        rollup = time.perf_counter() - started
        print(f"roll-ups back-filled in {rollup:.1f} s", file=sys.stderr)
    base, server = serve(store)
    results = []
    print(f"{'endpoint':44} {'p50 ms':>8} {'p95 ms':>8} {'first byte p50/p95':>20}")
    for label, endpoint in endpoints():
        timings, firsts = measure(base, endpoint, args.rounds)
        p50, p95 = statistics.median(timings), _p95(timings)
        f50, f95 = statistics.median(firsts), _p95(firsts)
        results.append(
            {
                "endpoint": label,
                "path": endpoint,
                "p50_ms": round(p50, 1),
                "p95_ms": round(p95, 1),
                "first_byte_p50_ms": round(f50, 1),
                "first_byte_p95_ms": round(f95, 1),
            }
        )
        flag = "" if p95 < TARGET_MS else "  over target"
        print(f"{label:44} {p50:8.1f} {p95:8.1f} {f50:9.1f} / {f95:8.1f}{flag}", flush=True)
    server.should_exit = True
    worst = max(results, key=lambda r: r["p95_ms"])
    print(
        f"records: {record_count(store):,}; worst p95: {worst['p95_ms']} ms ({worst['endpoint']})"
    )
    (OUT / "web.json").write_text(
        json.dumps(
            {
                "records": record_count(store),
                "open_seconds": round(opened, 1),
                "rollup_seconds": None if rollup is None else round(rollup, 1),
                "results": results,
            },
            indent=2,
        )
    )
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
