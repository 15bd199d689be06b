"""A scan of a generated dnslab set over a real NSD agrees with the lab's ground truth."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from bench.dnslab import NsdServer, generate
from bench.dnslab.summary import summarize
from click.testing import CliRunner

from mailwarden.audit.domain import AuditOptions, DomainAudit, audit_domain
from mailwarden.cli import cli
from mailwarden.dns import ZoneResolver

SPF_CAUSES = {
    "include-loop": "include_loop",
    "lookup-limit": "too_many_lookups",
    "multiple-records": "several_records",
    "syntax": "syntax",
    "void-lookup-limit": "void_lookups",
}


@pytest.fixture(scope="module")
def scanned(
    tmp_path_factory: pytest.TempPathFactory, nsd: Callable[..., NsdServer]
) -> Iterator[tuple[list[dict[str, Any]], dict[str, dict[str, Any]], dict[str, Any]]]:
    """Scan a 300-domain lab with every check: (manifest, results by domain, stats)."""
    root = tmp_path_factory.mktemp("scanlab")
    lab = generate(root / "lab", domains=300, seed=5)
    server = nsd(lab.zones(), root / "nsd")
    listing = root / "domains.txt"
    listing.write_text("\n".join(lab.domains()) + "\n")
    out = root / "results.jsonl"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["scan", str(listing), "--out", str(out), "--nameserver", server.nameserver,
         "--concurrency", "50"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    results = {r["domain"]: r for r in map(json.loads, out.read_text().splitlines())}
    stats = json.loads(runner.invoke(cli, ["stats", str(out), "--json"]).output)
    yield lab.manifest, results, stats
    server.stop()


def test_every_domain_scanned_once(scanned: Any) -> None:
    """Each lab domain has exactly one result and none failed to be checked."""
    manifest, results, stats = scanned
    assert set(results) == {e["domain"] for e in manifest}
    assert stats["domains"] == len(manifest)
    assert stats["errors"] == {}


def test_stats_agree_with_the_manifest(scanned: Any) -> None:
    """Every count in stats --json equals what the lab's manifest says a scan should find."""
    manifest, _, stats = scanned
    truth = summarize(manifest)
    assert stats["spf"]["present"] == truth["spf"]["present"]
    assert stats["spf"]["valid"] == truth["spf"]["valid"]
    assert stats["spf"]["invalid"] == truth["spf"]["present"] - truth["spf"]["valid"]
    expected_causes = {SPF_CAUSES[c]: n for c, n in truth["spf"]["cause"].items()}
    assert stats["spf"]["invalid_causes"] == expected_causes
    assert stats["dmarc"]["present"] == truth["dmarc"]["present"]
    assert stats["dmarc"]["valid"] == truth["dmarc"]["valid"]
    for policy in ("none", "quarantine", "reject"):
        assert stats["dmarc"]["policy"][policy] == truth["dmarc"]["policy"].get(policy, 0)
    assert stats["dmarc"]["with_rua"] == truth["dmarc"]["rua"]
    assert stats["dmarc"]["with_ruf"] == truth["dmarc"]["ruf"]
    authorized = truth["dmarc"]["external_authorized"]
    assert stats["dmarc"].get("external_rua_authorized", 0) == authorized.get("true", 0)
    assert stats["dmarc"].get("external_rua_unauthorized", 0) == authorized.get("false", 0)
    assert stats["dkim"]["found"] == truth["dkim"]["domains_with_keys"]
    assert stats["dkim"]["key_sizes"] == truth["dkim"]["keys"]
    assert stats["mx"]["present"] + stats["mx"]["null_mx"] == truth["mx"]["present"]
    assert stats["mx"]["null_mx"] == truth["mx"]["null"]
    for area in ("mta_sts", "tls_rpt", "bimi"):
        assert stats[area]["present"] == truth[area]["present"], area
        assert stats[area]["valid"] == truth[area]["valid"], area


def test_per_domain_spf_and_dmarc(scanned: Any) -> None:
    """Per domain: SPF lookups, void lookups and all; DMARC policy; DKIM selectors found."""
    manifest, results, _ = scanned
    for entry in manifest:
        ours = results[entry["domain"]]
        spf = entry["spf"]
        if spf["valid"]:
            assert ours["spf"]["lookups"] == spf["lookups"], entry["domain"]
            assert ours["spf"]["void_lookups"] == spf["void_lookups"], entry["domain"]
        if spf["all"] is not None and spf["case"] != "redirect":
            assert ours["spf"]["all"] == spf["all"], entry["domain"]
        if entry["dmarc"]["valid"]:
            assert ours["dmarc"]["policy"] == entry["dmarc"]["policy"], entry["domain"]
        wanted = sorted(k["selector"] for k in entry["dkim"]["selectors"])
        found = sorted(k["selector"] for k in ours["dkim"]["selectors"])
        assert found == wanted, entry["domain"]


def test_nsd_answers_make_the_nxdomain_cut_exact(
    tmp_path: Any, nsd: Callable[..., NsdServer]
) -> None:
    """Over NSD, _domainkey is NODATA where keys exist and NXDOMAIN elsewhere (RFC 8020), and a
    scan with the cut writes exactly what a scan probing every selector writes."""
    import asyncio

    from mailwarden.dns import FastResolver, Status

    lab = generate(tmp_path / "lab", domains=60, seed=9)
    server = nsd(lab.zones(), tmp_path / "nsd")

    async def statuses() -> list[Status]:
        client = FastResolver([server.nameserver], timeout=2)
        try:
            return [
                (await client.resolve(f"_domainkey.{e['domain']}", "TXT")).status
                for e in lab.manifest
            ]
        finally:
            client.close()

    expected = [Status.NODATA if e["dkim"]["selectors"] else Status.NXDOMAIN for e in lab.manifest]
    assert asyncio.run(statuses()) == expected
    assert Status.NXDOMAIN in expected and Status.NODATA in expected
    listing = tmp_path / "domains.txt"
    listing.write_text("\n".join(lab.domains()) + "\n")
    outputs = []
    for extra in ([], ["--no-nxdomain-cut"]):
        out = tmp_path / f"results{len(outputs)}.jsonl"
        base = ["scan", str(listing), "--out", str(out), "--nameserver", server.nameserver]
        result = CliRunner().invoke(cli, [*base, "--checks", "dkim", *extra])
        assert result.exit_code == 0, result.output
        outputs.append(sorted(out.read_text().splitlines()))
    assert outputs[0] == outputs[1]
    server.stop()


def test_sequential_areas_audit_like_parallel(tmp_path: Any) -> None:
    """A bulk scan's sequential areas (``parallel=False``) find exactly what ``check``'s
    concurrent areas find, domain by domain, over a generated lab with every check."""
    lab = generate(tmp_path / "lab", domains=120, seed=11)
    zones = ZoneResolver.from_zone_files(*lab.zones().values())

    async def both(domain: str) -> tuple[DomainAudit, DomainAudit]:
        parallel = await audit_domain(domain, resolver=zones, options=AuditOptions())
        sequential = await audit_domain(
            domain, resolver=zones, options=AuditOptions(parallel=False)
        )
        return parallel, sequential

    for domain in lab.domains():
        parallel, sequential = asyncio.run(both(domain))
        assert sequential == parallel, domain
        assert parallel.error_class is None, domain
