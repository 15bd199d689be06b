"""``mailwarden demo``: the main job on the embedded default, fully offline.

It audits the bundled example zones, stores the bundled sample reports in a temporary SQLite
store and serves the dashboard over them (``--no-serve`` prints the summary and exits).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import click
from rich import box
from rich.table import Table

from mailwarden.audit.domain import DomainAudit, audit_domain
from mailwarden.audit.schema import audit_to_dict
from mailwarden.cli.app import cli
from mailwarden.cli.render import console, echo_json
from mailwarden.cli.serve_cmd import DEFAULT_LISTEN, check_exposure, parse_listen, run_dashboard
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.demo import demo_domains, demo_zone_files
from mailwarden.dns import Resolver, ZoneResolver
from mailwarden.store import IngestCounts, open_store
from mailwarden.web.auth import AuthConfig

__all__ = ["demo"]

_AREAS = ("spf", "dmarc", "dkim", "mx", "mta_sts", "tls_rpt", "bimi", "dnssec")
_VERDICT_STYLE = {"pass": "[green]pass[/]", "warn": "[yellow]warn[/]", "fail": "[bold red]fail[/]"}


@cli.command("demo")
@click.option("--no-serve", is_flag=True, help="Print the summary and exit instead of serving.")
@click.option(
    "--listen",
    default=DEFAULT_LISTEN,
    show_default=True,
    metavar="HOST:PORT",
    help="Loopback address to serve the dashboard on.",
)
@global_options
@pass_settings
def demo(settings: Settings, no_serve: bool, listen: str) -> None:
    """Audit the bundled zones, load the sample reports, serve the dashboard over them."""
    host, port = parse_listen(listen)
    check_exposure(host, auth_enabled=False)
    resolver = ZoneResolver.from_zone_files(*demo_zone_files())
    audits = asyncio.run(_audit(resolver, demo_domains()))
    rows = [audit_to_dict(audit) for audit in audits]
    try:
        from mailwarden.web.demo import load_samples, store_audits, summarize
    except ImportError as error:  # the web extra is not installed
        _print(settings, resolver, rows, {}, None)
        click.echo(
            f"mailwarden: the dashboard needs the web extra ({error.name} missing): "
            "pip install 'mailwarden[all]'",
            err=True,
        )
        return
    with tempfile.TemporaryDirectory(prefix="mailwarden-demo-") as folder:
        store = open_store(str(Path(folder) / "demo.db"))
        try:
            counts = load_samples(store)
            store_audits(store, rows, dt.datetime.now(dt.UTC))
            reports = {entry["domain"]: entry for entry in summarize(store)}
            _print(settings, resolver, rows, reports, counts)
            if not no_serve:
                run_dashboard(store, host, port, AuthConfig())
        finally:
            store.close()


def _print(
    settings: Settings,
    resolver: ZoneResolver,
    rows: list[dict[str, Any]],
    reports: dict[str, dict[str, Any]],
    counts: IngestCounts | None,
) -> None:
    if settings.json:
        for row in rows:
            echo_json({**row, "reports": reports.get(row["domain"])})
        return
    table = Table(
        title="mailwarden demo: audit of the bundled example zones (offline)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    table.add_column("domain", no_wrap=True, min_width=11)
    for column in ("SPF", "DMARC", "DKIM", "MX", "STS", "TLS", "BIMI", "DNSSEC", "errors", "warn"):
        table.add_column(column, no_wrap=True)
    for row in rows:
        verdicts = row["verdicts"]
        severities = [f["severity"] for f in row["findings"]]
        table.add_row(
            row["domain"],
            *(_VERDICT_STYLE.get(verdicts.get(area, ""), "-") for area in _AREAS),
            str(severities.count("error")),
            str(severities.count("warning")),
        )
    console().print(table)
    click.echo(
        f"{len(rows)} domains, {len(resolver.queries)} DNS queries answered from the zones; "
        "for every finding and the record to publish: mailwarden check DOMAIN --zone FILE"
    )
    if counts is not None:
        _print_reports(reports, counts)


def _print_reports(reports: dict[str, dict[str, Any]], counts: IngestCounts) -> None:
    title = (
        f"sample reports: {counts.reports_new} stored, {counts.quarantined} input quarantined, "
        "in a temporary store (figures of the last 30 days)"
    )
    table = Table(title=title)
    for column in ("domain", "messages", "DMARC pass", "policy", "next step"):
        table.add_column(
            column, justify="right" if column in ("messages", "DMARC pass") else "left"
        )
    for name, entry in reports.items():
        rate = entry["dmarc_pass_rate"]
        table.add_row(
            name,
            f"{entry['messages']:,}",
            "-" if rate is None else f"{rate * 100:.1f}%",
            entry["policy"] or "-",
            entry["next_step"],
        )
    console().print(table)


async def _audit(resolver: Resolver, domains: list[str]) -> list[DomainAudit]:
    return list(await asyncio.gather(*(audit_domain(d, resolver=resolver) for d in domains)))
