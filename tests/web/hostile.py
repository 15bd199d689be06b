"""Reports whose every text field an attacker controls: markup and script in names and headers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from mailwarden.store import SourceInfo
from mailwarden.web.samples import (
    ANCHOR,
    SampleAggregate,
    SampleAuth,
    SampleFailure,
    SamplePolicy,
    SampleRecord,
    SampleTls,
    SampleTlsDetail,
    SampleTlsPolicy,
)

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
    record = SampleRecord(
        "203.0.113.66",
        77,
        "none",
        "fail",
        "fail",
        HOSTILE_DOMAIN,
        f"{SCRIPT}.example",
        (SampleAuth("dkim", HOSTILE_DOMAIN, "fail", "<b>sel</b>"),),
    )
    aggregate = SampleAggregate(
        f"Evil <img src=x onerror=alert(1)> Org {SCRIPT}",
        "evil@example.net",
        f"id-{SCRIPT}",
        HOSTILE_DOMAIN,
        DAY,
        DAY + dt.timedelta(hours=23),
        SamplePolicy("none"),
        (record, SampleRecord("192.0.2.200", 5, "none", "pass", "pass", HOSTILE_DOMAIN)),
    )
    failure = SampleFailure(
        f"reporter {SCRIPT}",
        "<evil-1@example.net>",
        HOSTILE_DOMAIN,
        DAY,
        DAY,
        "203.0.113.66",
        "victim.person@evil.example",
        "alice@example.net",
        f'From: "{SCRIPT}" <ceo@evil.example>\nSubject: <img src=x onerror=alert(2)>',
        f"mx.example.net; dmarc=fail header.from=evil.example {SCRIPT}",
    )
    detail = SampleTlsDetail("certificate-expired", 3, "192.0.2.9", f"mx.{SCRIPT}")
    tls = SampleTls(
        f"TLS {SCRIPT}",
        "tls-evil-1",
        HOSTILE_DOMAIN,
        DAY,
        DAY + dt.timedelta(hours=23),
        "<a href=javascript:alert(1)>x</a>",
        (SampleTlsPolicy("sts", HOSTILE_DOMAIN, 10, 3, (), (detail,)),),
    )
    return [aggregate, failure, tls]


def hostile_enrich(ips: Iterable[str]) -> Mapping[str, SourceInfo]:
    """Return a reverse DNS name and AS organisation made of markup for every IP."""
    info = SourceInfo(f"{SCRIPT}.evil.example", "<i>evil</i>.example", "ZZ", 64511, SCRIPT)
    return dict.fromkeys(ips, info)
