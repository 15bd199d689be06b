"""DNSSEC: whether the zone is signed and whether the resolver authenticated its answers."""

from __future__ import annotations

from mailwarden.audit.model import DnssecResult
from mailwarden.dns import Resolver
from mailwarden.findings import Finding, Severity

__all__ = ["check_dnssec"]


async def check_dnssec(domain: str, *, resolver: Resolver) -> DnssecResult:
    """Return whether ``domain`` publishes DNSKEY records and whether answers were authenticated.

    Authentication is the AD bit of a validating resolver; with a resolver that does not
    validate (or zone files), only whether the zone is signed can be told.
    """
    answer = await resolver.resolve(domain, "DNSKEY")
    if answer.is_error:
        return DnssecResult(None, False)
    signed = bool(answer.records)
    if not signed:
        finding = Finding(
            "dnssec.unsigned",
            Severity.INFO,
            f"{domain} is not signed with DNSSEC: its mail records could be forged in transit.",
            "Sign the zone at your DNS provider and publish the DS record at the registrar.",
        )
        return DnssecResult(False, False, (finding,))
    if answer.authenticated:
        return DnssecResult(True, True)
    finding = Finding(
        "dnssec.not-validated",
        Severity.INFO,
        f"{domain} publishes DNSKEY records, but the answers were not validated "
        "(the resolver does not validate, or the chain of trust is broken).",
        "Query through a validating resolver, and check that the DS record at the parent matches.",
    )
    return DnssecResult(True, False, (finding,))
