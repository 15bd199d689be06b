"""BIMI: the ``default._bimi`` record's syntax and the DMARC policy it requires."""

from __future__ import annotations

from mailwarden.audit.lookups import dns_failure, txt_with_prefix
from mailwarden.audit.model import BimiResult
from mailwarden.audit.records import parse_bimi_record
from mailwarden.dns import Resolver
from mailwarden.errors import ParseError
from mailwarden.findings import Finding, Severity

__all__ = ["check_bimi"]


async def check_bimi(
    domain: str, *, resolver: Resolver, dmarc_policy: str | None = None
) -> BimiResult:
    """Return the BIMI state of ``domain``; ``dmarc_policy`` is the domain's DMARC ``p``.

    A missing record is not a problem (BIMI is optional); a record with a DMARC policy weaker
    than quarantine is, since mailbox providers then ignore it.
    """
    name = f"default._bimi.{domain}"
    records, answer = await txt_with_prefix(resolver, name, "v=BIMI")
    if answer.is_error:
        return BimiResult(None, False, findings=(dns_failure("bimi", answer),))
    if not records:
        return BimiResult(None, False)
    if len(records) > 1:
        finding = Finding(
            "bimi.several-records",
            Severity.ERROR,
            f"{name} has several v=BIMI1 records, so mailbox providers ignore them.",
            "Keep exactly one v=BIMI1 record.",
        )
        return BimiResult(records[0], False, findings=(finding,))
    try:
        record = parse_bimi_record(records[0])
    except ParseError as exc:
        finding = Finding(
            "bimi.invalid",
            Severity.ERROR,
            f"The BIMI record is invalid: {exc}.",
            f'Publish `{name}. IN TXT "v=BIMI1; l=https://{domain}/logo.svg"`.',
        )
        return BimiResult(records[0], False, findings=(finding,))
    findings = _policy_findings(dmarc_policy)
    if record.location and not record.location.lower().endswith(".svg"):
        findings.append(
            Finding(
                "bimi.logo-not-svg",
                Severity.WARNING,
                f"The BIMI logo {record.location} does not look like an SVG file.",
                "Serve the logo as SVG Tiny PS and point l= at it.",
            )
        )
    return BimiResult(records[0], True, record.location, record.authority, tuple(findings))


def _policy_findings(dmarc_policy: str | None) -> list[Finding]:
    if dmarc_policy in ("quarantine", "reject"):
        return []
    return [
        Finding(
            "bimi.dmarc-too-weak",
            Severity.WARNING,
            "BIMI is published but DMARC is not at p=quarantine or p=reject, "
            "so mailbox providers will not show the logo.",
            "Move DMARC to p=quarantine or p=reject first.",
        )
    ]
