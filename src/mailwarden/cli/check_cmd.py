"""``mailwarden check``: audit domains and say exactly what to publish."""

from __future__ import annotations

import asyncio
import csv
import sys

import click
from rich.console import Console
from rich.table import Table

from mailwarden.audit.domain import ALL_CHECKS, AuditOptions, DomainAudit, audit_domain
from mailwarden.audit.model import Verdict
from mailwarden.audit.schema import CSV_COLUMNS, audit_to_dict, audit_to_row
from mailwarden.cli.app import EXIT_FAILED, EXIT_USAGE, cli
from mailwarden.cli.render import console, echo_json, err_console
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.dns import CachingResolver, Resolver
from mailwarden.findings import Severity
from mailwarden.net import HttpsFetcher

__all__ = ["check", "no_nxdomain_cut_option", "parse_checks", "parse_selectors"]

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_VERDICT_STYLE = {Verdict.PASS: "green", Verdict.WARN: "yellow", Verdict.FAIL: "bold red"}


def parse_selectors(value: str | None) -> tuple[str, ...] | None:
    """Return the selectors of a comma-separated ``--selectors`` value (``None`` when absent)."""
    if not value:
        return None
    return tuple(s.strip() for s in value.split(",") if s.strip())


def parse_checks(value: str | None) -> tuple[str, ...]:
    """Return the areas of a comma-separated ``--checks`` value; raises ``click.BadParameter``."""
    if not value:
        return ALL_CHECKS
    wanted = tuple(c.strip().replace("-", "_") for c in value.split(",") if c.strip())
    unknown = [c for c in wanted if c not in ALL_CHECKS]
    if unknown:
        raise click.BadParameter(
            f"unknown check {', '.join(unknown)}; choose from {', '.join(ALL_CHECKS)}"
        )
    return wanted


no_nxdomain_cut_option = click.option(
    "--no-nxdomain-cut",
    "no_nxdomain_cut",
    is_flag=True,
    help="Probe every DKIM selector even when _domainkey is NXDOMAIN (for servers that "
    "wrongly answer NXDOMAIN for empty non-terminals; RFC 8020).",
)
"""The option turning off the probe's NXDOMAIN cut at ``_domainkey`` (check, scan, probe)."""


@cli.command("check")
@click.argument("domains", nargs=-1, required=True, metavar="DOMAIN...")
@click.option(
    "--selectors", help="DKIM selectors to probe, comma-separated (default: a built-in list)."
)
@click.option(
    "--checks", "checks_value", help=f"Areas to check, comma-separated: {','.join(ALL_CHECKS)}."
)
@click.option(
    "--online", is_flag=True, help="Fetch MTA-STS policies over HTTPS and match them to MX."
)
@click.option("--csv", "csv_output", is_flag=True, help="Print one CSV row per domain.")
@no_nxdomain_cut_option
@global_options
@pass_settings
def check(
    settings: Settings,
    domains: tuple[str, ...],
    selectors: str | None,
    checks_value: str | None,
    online: bool,
    csv_output: bool,
    no_nxdomain_cut: bool,
) -> None:
    """Audit each DOMAIN's SPF, DMARC, DKIM, MX, MTA-STS, TLS-RPT, BIMI and DNSSEC.

    Exit 0 when no domain has an error-level finding, 1 when one has, 2 when a domain name is
    malformed (the others are still checked).
    """
    resolver = settings.resolver()
    if not isinstance(resolver, CachingResolver):  # areas share answers (MX, _dmarc TXT)
        resolver = CachingResolver(resolver)
    fetcher = HttpsFetcher(resolver, timeout=max(settings.timeout, 5.0)) if online else None
    options = AuditOptions(
        parse_checks(checks_value), parse_selectors(selectors), fetcher, not no_nxdomain_cut
    )
    audits = asyncio.run(_audit_all(domains, resolver, options))
    if settings.json:
        for audit in audits:
            echo_json(audit_to_dict(audit))
    elif csv_output:
        _print_csv(audits)
    else:
        for audit in audits:
            _print_audit(console(), audit)
    for audit in audits:
        if audit.error_class == "invalid-name":
            err_console().print(f"mailwarden: error: {audit.error}", markup=False)
    click.get_current_context().exit(_exit_code(audits))


async def _audit_all(
    domains: tuple[str, ...], resolver: Resolver, options: AuditOptions
) -> list[DomainAudit]:
    return list(
        await asyncio.gather(
            *(audit_domain(d, resolver=resolver, options=options) for d in domains)
        )
    )


def _exit_code(audits: list[DomainAudit]) -> int:
    if any(a.error_class == "invalid-name" for a in audits):
        return EXIT_USAGE
    failed = any(
        a.error_class is not None or any(f.severity is Severity.ERROR for f in a.findings)
        for a in audits
    )
    return EXIT_FAILED if failed else 0


def _print_csv(audits: list[DomainAudit]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for audit in audits:
        writer.writerow(audit_to_row(audit))


def _print_audit(out: Console, audit: DomainAudit) -> None:
    title = audit.domain
    if audit.unicode_domain != audit.domain:
        title = f"{audit.unicode_domain} ({audit.domain})"
    if audit.error_class is not None:
        out.print(
            f"[bold]{title}[/bold]: [bold red]not checked[/] ({audit.error_class}: {audit.error})"
        )
        out.print()
        return
    verdicts = "  ".join(
        f"{area} [{_VERDICT_STYLE[v]}]{v.value}[/]" for area, v in audit.verdicts.items()
    )
    out.print(f"[bold]{title}[/bold]  {verdicts}")
    _print_records(out, audit)
    if audit.findings:
        table = Table(show_header=True, header_style="bold", expand=False, show_lines=True)
        for column in ("severity", "code", "finding", "what to do"):
            table.add_column(column, overflow="fold")
        ranked = sorted(audit.findings, key=lambda f: -f.severity.rank)
        for finding in ranked:
            style = _SEVERITY_STYLE[finding.severity]
            table.add_row(
                f"[{style}]{finding.severity.value}[/]", finding.code, finding.message, finding.hint
            )
        out.print(table)
    else:
        out.print("  no findings")
    out.print()


def _print_records(out: Console, audit: DomainAudit) -> None:
    rows = [
        ("SPF", audit.spf.record if audit.spf else None),
        ("DMARC", audit.dmarc.record if audit.dmarc else None),
        (
            "MX",
            ", ".join(audit.mx.hosts) or ("null MX" if audit.mx.null_mx else None)
            if audit.mx
            else None,
        ),
    ]
    if audit.dkim is not None:
        keys = ", ".join(
            f"{k.selector} ({k.key_type or '?'} {k.key_bits or '?'})" for k in audit.dkim.selectors
        )
        rows.append(("DKIM", keys or None))
    for label, value in rows:
        out.print(f"  {label:<6} {value if value else '(none)'}", markup=False)
