"""Reports whose every text field an attacker controls: markup and script in names and headers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from mailwarden.reports import (
    AggregateRecord,
    AggregateReport,
    AuthResult,
    FailureReport,
    ReportMetadata,
    Schema,
    TlsFailureDetail,
    TlsPolicyResult,
    TlsReport,
)
from mailwarden.store import SourceInfo
from mailwarden.web.samples import ANCHOR, SamplePolicy

__all__ = ["HOSTILE_AUDIT", "HOSTILE_DOMAIN", "SCRIPT", "hostile_enrich", "hostile_reports"]

SCRIPT = "<script>alert('x')</script>"
HOSTILE_DOMAIN = "evil.example"
DAY = dt.datetime.combine(ANCHOR, dt.time(), tzinfo=dt.UTC)

HOSTILE_AUDIT: dict[str, Any] = {
    "domain": HOSTILE_DOMAIN,
    "verdicts": {"dmarc": "fail"},
    "dmarc": {"policy": "none"},
    "findings": [
        {
            "code": "dmarc.policy-none",
            "severity": "error",
            "message": f"found {SCRIPT} in the record",
            "hint": 'v=DMARC1; p=reject; rua="><img src=x onerror=alert(1)>',
        }
    ],
}


def hostile_reports() -> list[object]:
    """Return an aggregate, a failure and a TLS report full of markup."""
    record = AggregateRecord(
        "203.0.113.66",
        77,
        "none",
        "fail",
        "fail",
        HOSTILE_DOMAIN,
        envelope_from=f"{SCRIPT}.example",
        auth_results=(AuthResult("dkim", HOSTILE_DOMAIN, "fail", selector="<b>sel</b>"),),
    )
    clean = AggregateRecord("192.0.2.200", 5, "none", "pass", "pass", HOSTILE_DOMAIN)
    metadata = ReportMetadata(
        f"Evil <img src=x onerror=alert(1)> Org {SCRIPT}",
        "evil@example.net",
        f"id-{SCRIPT}",
        DAY,
        DAY + dt.timedelta(hours=23),
    )
    aggregate = AggregateReport(
        metadata, SamplePolicy("none").published(HOSTILE_DOMAIN), (record, clean), Schema.RFC7489
    )
    failure = FailureReport(
        "arf",
        f"reporter {SCRIPT}",
        "<evil-1@example.net>",
        HOSTILE_DOMAIN,
        DAY,
        feedback_type="auth-failure",
        auth_failure=("dmarc",),
        source_ip="203.0.113.66",
        original_mail_from="victim.person@evil.example",
        original_rcpt_to=("alice@example.net",),
        authentication_results=(f"mx.example.net; dmarc=fail header.from=evil.example {SCRIPT}",),
        original_headers=(
            ("From", f'"{SCRIPT}" <ceo@evil.example>'),
            ("Subject", "<img src=x onerror=alert(2)>"),
        ),
    )
    detail = TlsFailureDetail(
        "certificate-expired", 3, sending_mta_ip="192.0.2.9", receiving_mx_hostname=f"mx.{SCRIPT}"
    )
    tls = TlsReport(
        f"TLS {SCRIPT}",
        "tls-evil-1",
        DAY,
        DAY + dt.timedelta(hours=23),
        "<a href=javascript:alert(1)>x</a>",
        (TlsPolicyResult("sts", HOSTILE_DOMAIN, 10, 3, failure_details=(detail,)),),
    )
    return [aggregate, failure, tls]


def hostile_enrich(ips: Iterable[str]) -> Mapping[str, SourceInfo]:
    """Return a reverse DNS name and AS organisation made of markup for every IP."""
    info = SourceInfo(f"{SCRIPT}.evil.example", "<i>evil</i>.example", "ZZ", 64511, SCRIPT)
    return dict.fromkeys(ips, info)
