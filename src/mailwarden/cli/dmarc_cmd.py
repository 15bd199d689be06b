"""``mailwarden dmarc``: what a domain publishes for DMARC and what it means."""

from __future__ import annotations

import asyncio

import click

from mailwarden.cli.app import EXIT_ENVIRONMENT, EXIT_FAILED, cli
from mailwarden.cli.render import console, echo_json
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.dmarc import DmarcLintResult, lint_dmarc
from mailwarden.findings import Severity, worst_severity

__all__ = ["dmarc_group"]

MODE_OPTION = click.option(
    "--mode",
    type=click.Choice(["rfc9989", "rfc7489"]),
    default="rfc9989",
    show_default=True,
    help="rfc9989: DNS tree walk; rfc7489: Public Suffix List.",
)


@cli.group("dmarc")
def dmarc_group() -> None:
    """Inspect DMARC policy records."""


@dmarc_group.command("check")
@click.argument("domain")
@MODE_OPTION
@global_options
@pass_settings
def check(settings: Settings, domain: str, mode: str) -> None:
    """Show the DMARC record that applies to DOMAIN, what each tag means, and findings.

    Exit 0 when the record is usable and no finding is an error, 1 otherwise, 3 when the
    record could not be looked up.
    """
    result = asyncio.run(lint_dmarc(domain, resolver=settings.resolver(), mode=mode))
    if settings.json:
        echo_json(result)
    else:
        _print(result)
    if result.record is None and any(f.code == "dmarc.dns-error" for f in result.findings):
        click.get_current_context().exit(EXIT_ENVIRONMENT)
    if not result.valid or worst_severity(list(result.findings)) is Severity.ERROR:
        click.get_current_context().exit(EXIT_FAILED)


def _print(result: DmarcLintResult) -> None:
    out = console()
    out.print(f"DMARC for {result.domain}", markup=False)
    if result.record is None:
        out.print("  record: none", markup=False)
    else:
        out.print(f"  record at _dmarc.{result.policy_domain}: {result.record}", markup=False)
        if result.valid:
            out.print(
                f"  policy: {result.policy}   subdomains: {result.subdomain_policy}   "
                f"non-existent subdomains: {result.nonexistent_policy}",
                markup=False,
            )
        else:
            out.print("  policy: none applies (receivers skip DMARC for this record)")
    out.print(f"  organizational domain: {result.org_domain}", markup=False)
    for meaning in result.meanings:
        out.print(f"  {meaning.tag}={meaning.value}: {meaning.meaning}", markup=False)
    for finding in result.findings:
        out.print(f"  [{finding.severity}] {finding.code}: {finding.message}", markup=False)
        if finding.hint:
            out.print(f"      fix: {finding.hint}", markup=False)
