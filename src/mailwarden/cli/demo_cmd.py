"""``mailwarden demo``: the main job on the embedded default, fully offline."""

from __future__ import annotations

import asyncio
from typing import Any

import click
from rich.table import Table

from mailwarden.cli.app import cli
from mailwarden.cli.render import console, echo_json
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.demo import demo_domains, demo_zone_files
from mailwarden.dns import Resolver, ZoneResolver
from mailwarden.ingest.demo import ingest_demo_reports
from mailwarden.store import DomainStats, IngestCounts, StoreStats

__all__ = ["demo"]


@cli.command("demo")
@global_options
@pass_settings
def demo(settings: Settings) -> None:
    """Audit the bundled example zones offline and print what each domain publishes."""
    resolver = ZoneResolver.from_zone_files(*demo_zone_files())
    rows = asyncio.run(_overview(resolver, demo_domains()))
    counts, stored = ingest_demo_reports()
    per_domain = dict(stored.domains)
    if settings.json:
        for row in rows:
            echo_json({**row, "reports": per_domain.get(row["domain"], DomainStats())})
        return
    table = Table(title="mailwarden demo: bundled example zones (offline)")
    for column in ("domain", "SPF", "DMARC", "MX"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["domain"], _short(row["spf"]), _short(row["dmarc"]), ", ".join(row["mx"]))
    console().print(table)
    click.echo(f"{len(rows)} domains, {len(resolver.queries)} DNS queries answered from the zones")
    _print_reports(counts, stored)


def _print_reports(counts: IngestCounts, stored: StoreStats) -> None:
    table = Table(title="bundled sample reports, ingested twice into a temporary SQLite store")
    columns = ("aggregate reports", "records", "messages", "failure reports", "TLS reports")
    table.add_column("domain")
    for column in columns:
        table.add_column(column, justify="right")
    for name, found in [*stored.domains, ("total", stored.total)]:
        table.add_row(
            name,
            *map(
                str,
                (
                    found.aggregate_reports,
                    found.aggregate_records,
                    found.messages,
                    found.failure_reports,
                    found.tls_reports,
                ),
            ),
        )
    console().print(table)
    click.echo(
        f"{counts.reports_new} reports stored, {counts.duplicates} duplicates on the second "
        f"pass, {counts.quarantined} quarantined"
    )


async def _overview(resolver: Resolver, domains: list[str]) -> list[dict[str, Any]]:
    return [await _domain_overview(resolver, domain) for domain in domains]


async def _domain_overview(resolver: Resolver, domain: str) -> dict[str, Any]:
    txt = await resolver.resolve(domain, "TXT")
    dmarc = await resolver.resolve(f"_dmarc.{domain}", "TXT")
    mx = await resolver.resolve(domain, "MX")
    return {
        "domain": domain,
        "spf": [t for t in txt.texts() if t.lower().startswith("v=spf1")],
        "dmarc": [t for t in dmarc.texts() if t.startswith("v=DMARC1")],
        "mx": [r.exchange for r in mx.mx()],
    }


def _short(records: list[str]) -> str:
    if not records:
        return "(none)"
    return "\n".join(records)
