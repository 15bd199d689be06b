"""Scan under simulated network latency: a domain's areas concurrently or one after another.

    python3 bench/scan_latency.py [--domains 3000] [--seed 3] [--concurrency 100]

An ablation, not a comparison with another tool: no peer can be given the same simulated
network. A dnslab set is answered from memory after a delay that stands in for a recursive
resolver on the internet (30-120 ms per question, fixed per name and type, and 3 % of the
questions time out after 1 s, as lame servers do), behind the scan's shared cache. The same
list is then scanned with checkdmarc's checks four ways: areas concurrent (``check``'s mode)
and one after another (``scan``'s mode), each at ``--concurrency`` and five times that.
Prints domains per second and CPU seconds for each; run on loopback the same choice is
measured by ``bench/scan.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.dnslab import generate  # noqa: E402
from mailwarden.audit.domain import AuditOptions  # noqa: E402
from mailwarden.audit.scan import ScanConfig, scan_domains  # noqa: E402
from mailwarden.dns import Answer, CachingResolver, Resolver, Status, ZoneResolver  # noqa: E402

PEER_CHECKS = ("spf", "dmarc", "mx", "mta_sts", "tls_rpt", "bimi")
TIMEOUT_PERCENT = 3
TIMEOUT_SECONDS = 1.0


class DelayedResolver:
    """Answer from ``inner`` after a delay fixed per question: 30-120 ms, or a TIMEOUT answer
    after ``TIMEOUT_SECONDS`` for ``TIMEOUT_PERCENT`` of the questions."""

    def __init__(self, inner: Resolver) -> None:
        self.inner = inner

    async def resolve(self, name: str, rdtype: str) -> Answer:
        """Return the inner resolver's answer (or a timeout) after the question's delay."""
        spread = zlib.crc32(f"{name.lower()}/{rdtype}".encode())
        if spread % 100 < TIMEOUT_PERCENT:
            await asyncio.sleep(TIMEOUT_SECONDS)
            return Answer(name, rdtype, Status.TIMEOUT, detail="simulated timeout")
        await asyncio.sleep(0.030 + (spread % 91) / 1000)
        return await self.inner.resolve(name, rdtype)


def measure(domains: list[str], zones: ZoneResolver, parallel: bool, concurrency: int) -> str:
    """Scan ``domains`` once; return a table row."""
    resolver = CachingResolver(DelayedResolver(zones))
    options = AuditOptions(PEER_CHECKS, parallel=parallel)
    config = ScanConfig(concurrency, deadline=30.0, retries=0, options=options)
    started, cpu = time.monotonic(), time.process_time()
    counters = asyncio.run(
        scan_domains(domains, resolver=resolver, out=io.StringIO(), config=config)
    )
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    mode = "concurrent (check)" if parallel else "one after another (scan)"
    return (
        f"| {mode} | {concurrency:,} | {len(domains):,} | {wall:.1f} | "
        f"{len(domains) / wall:,.0f} | {cpu:.1f} | {counters.errors} |"
    )


def main() -> None:
    """Generate the set, then scan it each way and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mailwarden-scan-latency-") as folder:
        lab = generate(Path(folder) / "lab", domains=args.domains, seed=args.seed)
        zones = ZoneResolver.from_zone_files(*lab.zones().values())
        domains = lab.domains()
    print(
        "| areas of a domain | concurrency | domains | seconds | domains/s | CPU s | not checked |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for concurrency in (args.concurrency, args.concurrency * 5):
        for parallel in (True, False):
            print(measure(domains, zones, parallel, concurrency), flush=True)


if __name__ == "__main__":
    main()
