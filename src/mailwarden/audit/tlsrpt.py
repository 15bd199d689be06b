"""TLS-RPT (RFC 8460): the ``_smtp._tls`` record that asks for SMTP TLS reports."""

from __future__ import annotations

from mailwarden.audit.lookups import dns_failure, txt_with_prefix
from mailwarden.audit.model import TlsRptResult
from mailwarden.audit.records import parse_tls_rpt_record
from mailwarden.dns import Resolver
from mailwarden.errors import ParseError
from mailwarden.findings import Finding, Severity

__all__ = ["check_tls_rpt"]


async def check_tls_rpt(domain: str, *, resolver: Resolver) -> TlsRptResult:
    """Return the TLS-RPT state of ``domain`` (never raises)."""
    name = f"_smtp._tls.{domain}"
    records, answer = await txt_with_prefix(resolver, name, "v=TLSRPT")
    if answer.is_error:
        return TlsRptResult(None, False, findings=(dns_failure("tls_rpt", answer),))
    if not records:
        return TlsRptResult(None, False, findings=(_missing(domain),))
    if len(records) > 1:
        finding = Finding(
            "tls_rpt.several-records",
            Severity.ERROR,
            f"{name} has several v=TLSRPTv1 records, so reporters ignore all of them.",
            "Keep exactly one v=TLSRPTv1 record.",
        )
        return TlsRptResult(records[0], False, findings=(finding,))
    try:
        record = parse_tls_rpt_record(records[0])
    except ParseError as exc:
        finding = Finding(
            "tls_rpt.invalid",
            Severity.ERROR,
            f"The TLS-RPT record is invalid: {exc}.",
            f'Publish `{name}. IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{domain}"`.',
        )
        return TlsRptResult(records[0], False, findings=(finding,))
    return TlsRptResult(records[0], True, record.rua)


def _missing(domain: str) -> Finding:
    return Finding(
        "tls_rpt.missing",
        Severity.INFO,
        f"{domain} asks for no SMTP TLS reports, so TLS failures toward it go unnoticed.",
        f'Publish `_smtp._tls.{domain}. IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{domain}"`.',
    )
