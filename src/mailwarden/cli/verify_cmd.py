"""``mailwarden verify``: SPF, DKIM and DMARC on one message, as a receiver evaluates them."""

from __future__ import annotations

import asyncio
import platform
from collections.abc import Sequence

import click

from mailwarden.cli.app import EXIT_FAILED, cli
from mailwarden.cli.authres_cmd import read_message
from mailwarden.cli.dmarc_cmd import MODE_OPTION
from mailwarden.cli.render import console, echo_json
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.dkim import DkimResult
from mailwarden.dkim import verify as dkim_verify
from mailwarden.dns import Resolver
from mailwarden.spf import SpfResult, check_mail_from
from mailwarden.verify import VerifyResult, verify_json, verify_message

__all__ = ["verify"]


async def _spf_check(ip: str, mail_from: str, helo: str, resolver: Resolver) -> SpfResult:
    """SPF for the MAIL FROM identity (check_host; the HELO identity for a null sender)."""
    return await check_mail_from(ip, mail_from, helo, resolver=resolver)


async def _dkim_check(message: bytes, resolver: Resolver) -> Sequence[DkimResult]:
    """Every DKIM signature of the message, verified by mailwarden.dkim."""
    return await dkim_verify(message, resolver=resolver)


@cli.command("verify")
@click.argument("message")
@click.option("--ip", required=True, help="Address of the SMTP client that sent the message.")
@click.option("--helo", required=True, metavar="NAME", help="Name the client gave in HELO/EHLO.")
@click.option(
    "--mail-from", required=True, metavar="ADDR", help="Envelope sender (MAIL FROM); '' for <>."
)
@click.option(
    "--authserv-id",
    metavar="ID",
    default=None,
    help="This receiver's name in Authentication-Results [default: the host name].",
)
@MODE_OPTION
@global_options
@pass_settings
def verify(
    settings: Settings,
    message: str,
    ip: str,
    helo: str,
    mail_from: str,
    authserv_id: str | None,
    mode: str,
) -> None:
    """Run SPF, DKIM and DMARC on MESSAGE (a file, or - for stdin) and print the verdict.

    Exit 0 when DMARC passes, 1 otherwise, 2 for bad input (an IP that is not an address,
    an unreadable file).
    """
    raw = read_message(message)
    result = asyncio.run(
        verify_message(
            raw,
            ip=ip,
            helo=helo,
            mail_from=mail_from,
            resolver=settings.resolver(),
            spf_check=_spf_check,
            dkim_check=_dkim_check,
            authserv_id=authserv_id or platform.node() or "localhost",
            mode=mode,
        )
    )
    if settings.json:
        echo_json(verify_json(result))
    else:
        _print(result)
    if not result.passed:
        click.get_current_context().exit(EXIT_FAILED)


def _print(result: VerifyResult) -> None:
    out = console()
    spf, dmarc = result.spf, result.dmarc
    out.print(f"SPF:   {spf.result} ({spf.domain})", markup=False)
    if not result.dkim:
        out.print("DKIM:  none (no signature)", markup=False)
    for sig in result.dkim:
        out.print(f"DKIM:  {sig.result} (d={sig.domain} s={sig.selector})", markup=False)
    out.print(
        f"DMARC: {dmarc.result} (author {dmarc.author_domain or '-'}, organizational domain "
        f"{dmarc.org_domain or '-'}, policy {dmarc.policy or '-'}, "
        f"disposition {dmarc.disposition})",
        markup=False,
    )
    for finding in dmarc.findings:
        if finding.severity != "info":
            out.print(f"  [{finding.severity}] {finding.code}: {finding.message}", markup=False)
    if result.forged_headers:
        out.print(
            f"  {result.forged_headers} Authentication-Results header(s) claimed "
            f"{result.authserv_id}: forged, to be removed",
            markup=False,
        )
    out.print(result.authentication_results, markup=False)
