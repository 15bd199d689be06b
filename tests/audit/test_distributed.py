"""Scale-out: a scan on a two-worker dask LocalCluster equals a local scan."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from mailwarden.audit.distributed import ResolverSpec, partition, scan_with_dask
from mailwarden.audit.domain import AuditOptions
from mailwarden.audit.scan import ScanConfig, scan_domains
from mailwarden.testing import ZoneResolver

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")

CONFIG = ScanConfig(concurrency=10, options=AuditOptions(("mx", "tls_rpt", "mta_sts", "dnssec")))


def _zone_file(tmp_path: Path, count: int) -> Path:
    lines = ["$ORIGIN lab.test.", "$TTL 300", "@ IN SOA ns hostmaster 1 2 3 4 5"]
    for i in range(count):
        lines.append(f"d{i} IN MX 10 mx.d{i}")
        if i % 3:
            lines.append(f"mx.d{i} IN A 192.0.2.{i % 250 + 1}")
        if i % 2:
            lines.append(f'_smtp._tls.d{i} IN TXT "v=TLSRPTv1; rua=mailto:t@d{i}.lab.test"')
    path = tmp_path / "lab.test.zone"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_partition() -> None:
    """Partitions are consecutive and cover the list."""
    assert partition(["a", "b", "c"], 2) == [["a", "b"], ["c"]]


def test_dask_scan_equals_local_scan(tmp_path: Path) -> None:
    """Two workers on a LocalCluster write exactly the lines a local scan writes."""
    zone = _zone_file(tmp_path, 60)
    domains = [f"d{i}.lab.test" for i in range(60)] + ["missing.lab.test"]
    local = io.StringIO()
    asyncio.run(
        scan_domains(domains, resolver=ZoneResolver.from_zone_files(zone), out=local, config=CONFIG)
    )
    spec = ResolverSpec(zones=(str(zone),))
    out = io.StringIO()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        written = scan_with_dask(
            "", domains, spec=spec, config=CONFIG, out=out, partition_size=16, client=client
        )
        workers = len(client.scheduler_info()["workers"])
    assert workers == 2
    assert written.domains == len(domains)
    assert written.queries > len(domains)

    def by_domain(text: str) -> dict[str, dict[str, object]]:
        return {json.loads(line)["domain"]: json.loads(line) for line in text.splitlines()}

    assert by_domain(out.getvalue()) == by_domain(local.getvalue())


def test_local_processes_equal_local_scan(tmp_path: Path) -> None:
    """Two local worker processes write exactly the lines a one-process scan writes."""
    from mailwarden.audit.distributed import scan_in_processes

    zone = _zone_file(tmp_path, 120)
    domains = [f"d{i}.lab.test" for i in range(120)]
    local = io.StringIO()
    asyncio.run(
        scan_domains(domains, resolver=ZoneResolver.from_zone_files(zone), out=local, config=CONFIG)
    )
    out = io.StringIO()
    written = scan_in_processes(
        domains, spec=ResolverSpec(zones=(str(zone),)), config=CONFIG, out=out, workers=2
    )
    assert written.domains == 120
    assert written.queries > 120

    def by_domain(text: str) -> dict[str, dict[str, object]]:
        return {json.loads(line)["domain"]: json.loads(line) for line in text.splitlines()}

    assert by_domain(out.getvalue()) == by_domain(local.getvalue())
