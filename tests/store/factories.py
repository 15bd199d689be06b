"""Reports built in tests with the parsed report model (``mailwarden.reports``)."""

from __future__ import annotations

import datetime as dt

from mailwarden.reports import (
    AggregateRecord,
    AggregateReport,
    AuthResult,
    FailureReport,
    PublishedPolicy,
    ReportMetadata,
    Schema,
    TlsFailureDetail,
    TlsPolicyResult,
    TlsReport,
)

__all__ = ["DAY", "aggregate", "failure", "record", "tls"]

DAY = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def record(ip: str = "192.0.2.1", count: int = 1, **fields: object) -> AggregateRecord:
    """Return a test record passing DKIM and SPF for example.com."""
    auth = (
        AuthResult("dkim", "example.com", "pass", selector="s1"),
        AuthResult("spf", "example.com", "pass", scope="mfrom"),
    )
    values: dict[str, object] = {
        "disposition": "none",
        "dkim": "pass",
        "spf": "pass",
        "header_from": "example.com",
        "auth_results": auth,
    }
    values.update(fields)
    return AggregateRecord(ip, count, **values)  # type: ignore[arg-type]


def aggregate(
    report_id: str = "r1",
    org: str = "google.com",
    domain: str = "example.com",
    *,
    begin: dt.datetime | None = DAY,
    records: tuple[AggregateRecord, ...] | None = None,
    **policy: object,
) -> AggregateReport:
    """Return a one-day test aggregate report with two records unless ``records`` is given."""
    if records is None:
        records = (record("192.0.2.1", 3), record("2001:db8::1", 2, dkim="fail"))
    end = begin + dt.timedelta(days=1) if begin else None
    metadata = ReportMetadata(org, f"noreply@{org}", report_id, begin, end)
    values: dict[str, object] = {"p": "reject", "adkim": "r", "aspf": "r", "pct": 100}
    values.update(policy)
    published = PublishedPolicy(domain, **values)  # type: ignore[arg-type]
    return AggregateReport(metadata, published, records, Schema.RFC7489)


def failure(report_id: str = "<f1@mx.example.net>", domain: str = "example.com") -> FailureReport:
    """Return a test ARF failure report."""
    return FailureReport(
        "arf",
        "mx.example.net",
        report_id,
        domain,
        DAY,
        feedback_type="auth-failure",
        auth_failure=("dmarc",),
        identity_alignment=("dkim", "spf"),
        source_ip="192.0.2.9",
        original_rcpt_to=("user@example.net",),
        authentication_results=("mx.example.net; dmarc=fail",),
        original_headers=(("Subject", "hello"),),
    )


def tls(report_id: str = "t1", domain: str = "example.com") -> TlsReport:
    """Return a test TLS report with one STS policy and one failure detail."""
    detail = TlsFailureDetail("certificate-expired", 2, "198.51.100.7")
    policy = TlsPolicyResult(
        "sts", domain, 10, 2, ("version: STSv1",), ("mx.example.com",), (detail,)
    )
    end = DAY + dt.timedelta(days=1)
    return TlsReport("microsoft.com", report_id, DAY, end, "tlsrpt@microsoft.com", (policy,))
