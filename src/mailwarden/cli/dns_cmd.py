"""``mailwarden dns``: look at exactly what the resolver returns."""

from __future__ import annotations

import asyncio

import click

from mailwarden.cli.app import EXIT_ENVIRONMENT, cli
from mailwarden.cli.render import console, echo_json
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.dns import Answer, Status, validate_domain
from mailwarden.errors import InputError

__all__ = ["dns_group"]

_KNOWN_TYPES = ("A", "AAAA", "TXT", "MX", "CNAME", "PTR", "NS", "SOA", "SPF", "CAA", "TLSA", "DS")


@cli.group("dns")
def dns_group() -> None:
    """Query DNS through mailwarden's resolver."""


@dns_group.command("query")
@click.argument("name")
@click.argument("rdtype", default="A", metavar="[TYPE]")
@global_options
@pass_settings
def query(settings: Settings, name: str, rdtype: str) -> None:
    """Show the status, records and TTL the resolver returns for NAME and TYPE (default A).

    Exit 0 for an answer (including NXDOMAIN and NODATA), 3 when no nameserver answered.
    """
    qname = validate_domain(name)
    qtype = rdtype.upper()
    if qtype not in _KNOWN_TYPES and not _generic_type(qtype):
        raise InputError(f"unknown record type {rdtype!r}")
    answer = asyncio.run(settings.resolver().resolve(qname, qtype))
    if settings.json:
        echo_json(answer)
    else:
        _print_answer(answer)
    if answer.status is Status.TIMEOUT:
        click.echo(f"mailwarden: error: {answer.detail or 'no answer'}", err=True)
        click.get_current_context().exit(EXIT_ENVIRONMENT)


def _print_answer(answer: Answer) -> None:
    out = console()
    suffix = f" (canonical name {answer.canonical_name})" if answer.canonical_name else ""
    out.print(f"{answer.name} {answer.rdtype}: {answer.status.value}, TTL {answer.ttl}{suffix}")
    for record in answer.records:
        out.print(f"  {answer.ttl}\t{record.rdtype}\t{record.to_text()}", markup=False)
    if answer.detail:
        out.print(f"  {answer.detail}", markup=False)


def _generic_type(qtype: str) -> bool:
    """Return True for RFC 3597 ``TYPEnnn`` with nnn from 0 to 65535."""
    number = qtype.removeprefix("TYPE")
    return qtype.startswith("TYPE") and number.isdigit() and int(number) <= 65535
