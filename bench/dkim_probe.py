"""DKIM selector probe alone, per-query path against the batch path, on one dnslab set.

    python3 bench/dkim_probe.py [--domains 2000] [--rounds 3] [--concurrency 100] [--seed 1]

Generates a dnslab set, serves it from NSD on loopback, then in one process probes every
domain's common selectors (``probe_selectors``, the scan's resolver stack: throttle counter,
cache, lean client) ``--concurrency`` domains at a time, alternating two modes for
``--rounds`` rounds: ``per-query`` hides the stack's ``resolve_many`` (selectors asked with
``resolve``, 16 at a time, as before the batch path) and ``batch`` uses it. Prints, per mode,
the median CPU microseconds per probe query (this process only; NSD's CPU is not counted),
domains per second and queries per domain, and the ratio of CPU per query.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.dnslab import NsdServer, generate  # noqa: E402
from mailwarden.audit.distributed import ResolverSpec  # noqa: E402
from mailwarden.dkim import probe_selectors  # noqa: E402
from mailwarden.dns import Answer, Resolver  # noqa: E402
from mailwarden.dns.throttle import ThrottledResolver  # noqa: E402


class PerQuery:
    """The stack without ``resolve_many``: the probe asks one selector at a time."""

    def __init__(self, inner: Resolver) -> None:
        self.inner = inner

    async def resolve(self, name: str, rdtype: str) -> Answer:
        """Return the inner resolver's answer."""
        return await self.inner.resolve(name, rdtype)


async def probe_all(domains: list[str], resolver: Resolver, concurrency: int) -> int:
    """Probe every domain, ``concurrency`` at a time; return the keys found."""
    turns = iter(domains)
    found = [0]

    async def runner() -> None:
        for domain in turns:
            result = await probe_selectors(domain, resolver=resolver)
            found[0] += len(result.keys)

    await asyncio.gather(*(runner() for _ in range(concurrency)))
    return found[0]


def one_round(domains: list[str], nameserver: str, mode: str, concurrency: int) -> dict[str, float]:
    """Probe ``domains`` in ``mode``; return CPU per query (µs), domains/s, queries, keys."""
    built, client = ResolverSpec(nameservers=(nameserver,)).build(
        max_in_flight=max(256, concurrency * 4)
    )
    assert client is not None
    stack: Resolver = ThrottledResolver(built)
    if mode == "per-query":
        stack = PerQuery(stack)
    cpu, wall = time.process_time(), time.perf_counter()
    keys = asyncio.run(probe_all(domains, stack, concurrency))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    client.close()
    queries = client.queries_sent
    return {
        "cpu_us_per_query": cpu * 1e6 / max(queries, 1),
        "domains_per_s": len(domains) / wall,
        "queries": queries,
        "keys": keys,
        "timeouts": client.timeouts,
    }


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    modes = ("per-query", "batch")
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory(prefix="mailwarden-probe-bench-") as folder:
        root = Path(folder)
        lab = generate(root / "lab", domains=args.domains, seed=args.seed)
        domains = lab.domains()
        with NsdServer(lab.zones(), root / "nsd") as server:
            load = os.getloadavg()[0]
            print(f"{len(domains):,} domains served by NSD at {server.nameserver}; load {load:.1f}")
            for _ in range(args.rounds):
                for mode in modes:
                    results[mode].append(
                        one_round(domains, server.nameserver, mode, args.concurrency)
                    )
    print("| mode | CPU µs per probe query | domains/s | queries/domain | keys | timeouts |")
    print("|---|---|---|---|---|---|")
    medians = {}
    for mode in modes:
        rows = results[mode]
        cpu = statistics.median(r["cpu_us_per_query"] for r in rows)
        medians[mode] = cpu
        rate = statistics.median(r["domains_per_s"] for r in rows)
        print(
            f"| {mode} | {cpu:.1f} | {rate:,.0f} | {rows[0]['queries'] / len(domains):.1f} | "
            f"{rows[0]['keys']:,} | {sum(r['timeouts'] for r in rows):.0f} |"
        )
    print(f"CPU per query, batch / per-query: {medians['batch'] / medians['per-query']:.2f}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
