"""Parked domains: a domain that neither receives nor sends mail should say so in DNS."""

from __future__ import annotations

from mailwarden.audit.model import DmarcSummary, MxResult, SpfSummary
from mailwarden.findings import Finding, Severity

__all__ = ["is_parked", "parked_findings", "spf_authorizes_senders"]


def spf_authorizes_senders(record: str | None) -> bool:
    """Return True when the SPF ``record`` has any term other than ``v=spf1`` and ``all``."""
    if record is None:
        return False
    terms = record.split()[1:]
    return any(term.lstrip("+-~?").lower() != "all" for term in terms)


def is_parked(spf: SpfSummary | None, mx: MxResult | None) -> bool:
    """Return True when the domain receives no mail (no MX or null MX) and sends none."""
    if mx is None or mx.hosts:
        return False
    return not spf_authorizes_senders(spf.record if spf is not None else None)


def parked_findings(
    domain: str, *, spf: SpfSummary | None, dmarc: DmarcSummary | None, mx: MxResult | None
) -> tuple[Finding, ...]:
    """Return what a parked ``domain`` is missing: ``v=spf1 -all``, ``p=reject``, a null MX."""
    if spf is None or dmarc is None or not is_parked(spf, mx):
        return ()
    assert mx is not None
    findings = []
    if spf.record is None or spf.all != "-all":
        findings.append(
            Finding(
                "parked.spf",
                Severity.WARNING,
                f"{domain} sends no mail, but its SPF does not say so with -all.",
                f'Publish `{domain}. IN TXT "v=spf1 -all"`.',
            )
        )
    if dmarc.policy != "reject":
        findings.append(
            Finding(
                "parked.dmarc",
                Severity.WARNING,
                f"{domain} sends no mail, but its DMARC policy does not reject mail in its name.",
                f'Publish `_dmarc.{domain}. IN TXT "v=DMARC1; p=reject;"`.',
            )
        )
    if not mx.null_mx:
        findings.append(
            Finding(
                "parked.null-mx",
                Severity.INFO,
                f"{domain} receives no mail but has no null MX, so senders retry for days.",
                f"Publish `{domain}. IN MX 0 .` (RFC 7505).",
            )
        )
    return tuple(findings)
