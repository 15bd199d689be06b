"""``mailwarden suggest``: the records to publish, and the order to publish them in."""

from __future__ import annotations

import asyncio

import click

from mailwarden.audit.suggest import Suggestion, suggest
from mailwarden.cli.app import cli
from mailwarden.cli.render import console, echo_json
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.dns import validate_domain

__all__ = ["suggest_command"]


@cli.command("suggest")
@click.argument("domain")
@click.option(
    "--sender",
    "senders",
    multiple=True,
    metavar="TERM",
    help="An SPF term for a legitimate sender (repeatable): ip4:..., ip6:..., include:..., a, mx.",
)
@click.option(
    "--rua",
    "rua",
    multiple=True,
    metavar="URI",
    help="Where DMARC aggregate reports should go (repeatable), e.g. mailto:dmarc@example.com.",
)
@global_options
@pass_settings
def suggest_command(
    settings: Settings, domain: str, senders: tuple[str, ...], rua: tuple[str, ...]
) -> None:
    """Recommend SPF, DMARC, DKIM, MTA-STS and TLS-RPT records for DOMAIN.

    Starts from what DOMAIN already publishes. The SPF record stays within 10 lookups,
    flattening includes into ip4/ip6 terms only when needed (and saying so).
    """
    name = validate_domain(domain)
    result = asyncio.run(suggest(name, resolver=settings.resolver(), senders=senders, rua=rua))
    if settings.json:
        echo_json(result)
        return
    _print(result)


def _print(result: Suggestion) -> None:
    out = console()
    domain = result.domain
    out.print(f"[bold]Records for {domain}[/bold]\n")
    out.print(
        "[bold]SPF[/bold]"
        + (f" (published now: {result.existing_spf})" if result.existing_spf else "")
    )
    out.print(f"  {domain}. IN TXT {_quoted(result.spf.record)}", markup=False)
    out.print(f"  {result.spf.lookups} of 10 DNS lookups", markup=False)
    for note in result.spf.notes:
        out.print(f"  note: {note}", markup=False)
    out.print(
        "\n[bold]DMARC rollout[/bold]"
        + (f" (published now: {result.existing_dmarc})" if result.existing_dmarc else "")
    )
    for step in result.dmarc_plan:
        out.print(
            f"  step {step.step}: _dmarc.{domain}. IN TXT {_quoted(step.record)}", markup=False
        )
        out.print(f"          then wait for: {step.wait_for}", markup=False)
    out.print(
        "\n[bold]DKIM[/bold] (publish the .txt line each command writes, then sign with the key)"
    )
    for command in result.dkim_commands:
        out.print(f"  {command}", markup=False)
    out.print("\n[bold]MTA-STS[/bold]")
    out.print(f"  _mta-sts.{domain}. IN TXT {_quoted(result.mta_sts_record)}", markup=False)
    out.print(f"  and serve at https://mta-sts.{domain}/.well-known/mta-sts.txt:", markup=False)
    for line in result.mta_sts_policy.splitlines():
        out.print(f"    {line}", markup=False)
    out.print("\n[bold]TLS-RPT[/bold]")
    out.print(f"  _smtp._tls.{domain}. IN TXT {_quoted(result.tls_rpt_record)}", markup=False)


def _quoted(value: str) -> str:
    """Return ``value`` as zone-file character-strings of at most 255 octets each."""
    chunks = [value[i : i + 255] for i in range(0, len(value), 255)] or [""]
    return " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)
