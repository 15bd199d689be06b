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

__all__ = ["demo"]


@cli.command("demo")
@global_options
@pass_settings
def demo(settings: Settings) -> None:
    """Audit the bundled example zones offline and print what each domain publishes."""
    resolver = ZoneResolver.from_zone_files(*demo_zone_files())
    rows = asyncio.run(_overview(resolver, demo_domains()))
    if settings.json:
        for row in rows:
            echo_json(row)
        return
    table = Table(title="mailwarden demo: bundled example zones (offline)")
    for column in ("domain", "SPF", "DMARC", "MX"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["domain"], _short(row["spf"]), _short(row["dmarc"]), ", ".join(row["mx"]))
    console().print(table)
    click.echo(f"{len(rows)} domains, {len(resolver.queries)} DNS queries answered from the zones")


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
