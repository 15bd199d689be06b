"""Resolver throughput: DnsResolver (dnspython) against FastResolver (own codec), same queries.

Starts NSD on loopback with a generated zone (TXT / MX / A names and NXDOMAIN questions),
then resolves the same query list with each resolver in its own process, alternating, for
several rounds, and prints median answers per second, CPU seconds and the ratio. It checks
that both resolvers give identical answers for every query, and runs a 2-process variant
(the list split in two, each half in its own process and event loop) for each resolver.

    python3 bench/dns_client.py --names 20000 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``bench.dnslab`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dnslab import NsdServer, nsd_binary
from mailwarden.dns import Answer, DnsResolver
from mailwarden.dns.fastclient import FastResolver

ORIGIN = "bench.test"
KINDS = ("TXT", "MX", "A", "NX")


def make_zone(count: int) -> str:
    """Return the zone text: ``count`` names d<i>, each with TXT, MX and A records."""
    lines = [
        f"$ORIGIN {ORIGIN}.",
        "$TTL 3600",
        "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300",
        "@ IN NS ns1",
        "ns1 IN A 127.0.0.1",
    ]
    for i in range(count):
        lines.append(
            f'd{i} IN TXT "v=spf1 ip4:192.0.2.{i % 256}/32 include:_spf.d{i}.{ORIGIN} -all"'
        )
        lines.append(f"d{i} IN MX {10 + i % 3} mx{i % 50}.d{i}.{ORIGIN}.")
        lines.append(f"d{i} IN A 198.51.{i // 256 % 256}.{i % 256}")
    return "\n".join(lines) + "\n"


def make_queries(count: int) -> list[tuple[str, str]]:
    """Return ``count`` questions cycling through TXT, MX, A and an NXDOMAIN TXT."""
    queries = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        if kind == "NX":
            queries.append((f"nx{i}.{ORIGIN}", "TXT"))
        else:
            queries.append((f"d{i}.{ORIGIN}", kind))
    return queries


async def resolve_all(
    kind: str, server: str, queries: list[tuple[str, str]], concurrency: int
) -> list[Answer]:
    """Resolve every query with ``concurrency`` workers; return the answers in query order."""
    resolver: DnsResolver | FastResolver
    if kind == "fast":
        resolver = FastResolver([server], timeout=2.0, max_in_flight=concurrency)
    else:
        resolver = DnsResolver([server], timeout=2.0, max_in_flight=concurrency)
    answers: list[Answer | None] = [None] * len(queries)
    todo: Iterator[int] = iter(range(len(queries)))

    async def worker() -> None:
        for index in todo:
            name, rdtype = queries[index]
            answers[index] = await resolver.resolve(name, rdtype)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    if isinstance(resolver, FastResolver):
        resolver.close()
    return [a for a in answers if a is not None]


def run_worker(args: argparse.Namespace) -> None:
    """Worker process: resolve the query file, print timing JSON, pickle the answers."""
    queries = pickle.loads(Path(args.queries).read_bytes())
    cpu0, wall0 = time.process_time(), time.perf_counter()
    answers = asyncio.run(resolve_all(args.worker, args.server, queries, args.concurrency))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    if args.out:
        Path(args.out).write_bytes(pickle.dumps(answers))
    print(json.dumps({"wall": wall, "cpu": cpu, "count": len(answers)}))


def spawn(
    kind: str, server: str, queries: Path, concurrency: int, out: Path | None
) -> subprocess.Popen[str]:
    """Start one worker process."""
    cmd = [sys.executable, __file__, "--worker", kind, "--server", server]
    cmd += ["--queries", str(queries), "--concurrency", str(concurrency)]
    if out is not None:
        cmd += ["--out", str(out)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


def collect(process: subprocess.Popen[str]) -> dict[str, float]:
    """Wait for a worker and return its timing."""
    stdout, _ = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"worker failed with exit code {process.returncode}")
    result: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
    return result


def measure(
    kind: str, server: str, files: list[Path], concurrency: int, out: Path | None
) -> dict[str, float]:
    """Run one worker per query file at once; return total answers/s and CPU seconds."""
    wall0 = time.perf_counter()
    outs = [out if len(files) == 1 else None for _ in files]
    procs = [spawn(kind, server, f, concurrency, o) for f, o in zip(files, outs, strict=True)]
    results = [collect(p) for p in procs]
    count = sum(r["count"] for r in results)
    slowest = max(r["wall"] for r in results)
    return {
        "rate": count / slowest,
        "cpu": sum(r["cpu"] for r in results),
        "wall": slowest,
        "elapsed": time.perf_counter() - wall0,
    }


def compare(queries: list[tuple[str, str]], slow: Path, fast: Path) -> int:
    """Return the number of queries whose answers differ; print the first few."""
    a: list[Answer] = pickle.loads(slow.read_bytes())
    b: list[Answer] = pickle.loads(fast.read_bytes())
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    for i in differ[:5]:
        print(f"  differs: {queries[i]}: {a[i]!r} != {b[i]!r}")
    return len(differ) + abs(len(a) - len(b))


def run_rounds(
    args: argparse.Namespace,
    queries: list[tuple[str, str]],
    work: Path,
    server: str,
    results: dict[str, list[dict[str, float]]],
) -> int:
    """Run the alternating rounds into ``results``; return how many answers differ."""
    whole = work / "all.pickle"
    whole.write_bytes(pickle.dumps(queries))
    half = len(queries) // 2
    halves = [work / "h0.pickle", work / "h1.pickle"]
    halves[0].write_bytes(pickle.dumps(queries[:half]))
    halves[1].write_bytes(pickle.dumps(queries[half:]))
    print("load average at the start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(
        f"NSD on {server}, {len(queries)} queries ({', '.join(KINDS)} mix), "
        f"{args.concurrency} in flight, {args.rounds} rounds"
    )
    for round_no in range(args.rounds):
        for kind in ("dnspython", "fast"):
            out = work / f"{kind}.answers" if round_no == 0 else None
            one = measure(kind, server, [whole], args.concurrency, out)
            two = measure(kind, server, halves, args.concurrency, None)
            results.setdefault(f"{kind} 1 process", []).append(one)
            results.setdefault(f"{kind} 2 processes", []).append(two)
            print(
                f"  round {round_no + 1} {kind:9}: {one['rate']:9.0f} answers/s "
                f"(cpu {one['cpu']:.2f}s); 2 processes {two['rate']:9.0f} answers/s"
            )
    return compare(queries, work / "dnspython.answers", work / "fast.answers")


def main() -> None:
    """Parse options, start NSD, run the rounds and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--names", type=int, default=20_000, help="names in the zone / queries")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per resolver")
    parser.add_argument("--concurrency", type=int, default=256, help="queries in flight")
    parser.add_argument("--worker", choices=["dnspython", "fast"], help=argparse.SUPPRESS)
    parser.add_argument("--server", help=argparse.SUPPRESS)
    parser.add_argument("--queries", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(args)
        return
    if nsd_binary() is None:
        raise SystemExit("nsd not installed: apt-get install nsd")
    queries = make_queries(args.names)
    results: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="dnsbench-") as tmp:
        work = Path(tmp)
        zone = work / f"{ORIGIN}.zone"
        zone.write_text(make_zone(args.names))
        with NsdServer({ORIGIN: zone}, work / "nsd") as server:
            differ = run_rounds(args, queries, work, server.nameserver, results)
    print(f"identical answers: {len(queries) - differ} of {len(queries)}")
    print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    header = f"{'resolver':24} {'answers/s':>10} {'cpu s':>7} {'cpu us/answer':>14}"
    print(f"{header} {'answers/cpu-s':>14}")
    medians: dict[str, float] = {}
    for label, runs in results.items():
        rate = statistics.median(r["rate"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        medians[label] = rate
        per_answer = cpu / len(queries) * 1e6
        print(f"{label:24} {rate:10.0f} {cpu:7.2f} {per_answer:14.1f} {len(queries) / cpu:14.0f}")
    for procs in ("1 process", "2 processes"):
        ratio = medians[f"fast {procs}"] / medians[f"dnspython {procs}"]
        print(f"ratio fast/dnspython, {procs}: {ratio:.1f}x")
    if differ:
        raise SystemExit(f"{differ} answers differ")


if __name__ == "__main__":
    main()
