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
from rich.table import Table

from mailwarden.cli.app import cli
from mailwarden.cli.render import console, echo_json
from mailwarden.cli.serve_cmd import DEFAULT_LISTEN, check_exposure, parse_listen, run_dashboard
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.demo import demo_domains, demo_zone_files
from mailwarden.dns import Resolver, ZoneResolver
from mailwarden.store import IngestCounts, open_store
from mailwarden.web.auth import AuthConfig

__all__ = ["demo"]


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
    rows = asyncio.run(_overview(resolver, demo_domains()))
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
            store_audits(store, [_audit_row(row) for row in rows], dt.datetime.now(dt.UTC))
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
    table = Table(title="mailwarden demo: bundled example zones (offline)")
    for column in ("domain", "SPF", "DMARC", "MX"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["domain"], _short(row["spf"]), _short(row["dmarc"]), ", ".join(row["mx"]))
    console().print(table)
    click.echo(f"{len(rows)} domains, {len(resolver.queries)} DNS queries answered from the zones")
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


def _audit_row(row: dict[str, Any]) -> dict[str, Any]:
    """Return a ``check --json`` shaped object for the dashboard from the zone overview."""
    findings = []
    dmarc = " ".join(row["dmarc"])
    policy = next(
        (t.split("=", 1)[1] for t in dmarc.replace(" ", "").split(";") if t.startswith("p=")), None
    )
    if not row["spf"]:
        findings.append(_finding("spf.missing", "error", "No SPF record is published."))
    if not row["dmarc"]:
        findings.append(_finding("dmarc.missing", "error", "No DMARC record is published."))
    elif policy not in ("none", "quarantine", "reject"):
        findings.append(_finding("dmarc.invalid-policy", "error", f"p={policy} is not a policy."))
    elif policy == "none":
        findings.append(_finding("dmarc.policy-none", "warning", "The DMARC policy is p=none."))
    verdict = (
        "fail"
        if any(f["severity"] == "error" for f in findings)
        else "warn"
        if findings
        else "pass"
    )
    return {
        "domain": row["domain"],
        "dmarc": {"policy": policy},
        "verdicts": {"demo": verdict},
        "findings": findings,
    }


def _finding(code: str, severity: str, message: str) -> dict[str, str]:
    return {"code": code, "severity": severity, "message": message, "hint": ""}


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
