"""Report objects built in tests, shaped like the parsed report model the store consumes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["aggregate", "failure", "record", "tls"]

DAY = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Policy:
    """Published policy of a test report."""

    p: str = "reject"
    sp: str | None = None
    np: str | None = None
    adkim: str = "r"
    aspf: str = "r"
    pct: int | None = 100
    fo: str | None = None
    testing: str | None = None
    discovery_method: str | None = None


@dataclass(frozen=True, slots=True)
class AuthResult:
    """One DKIM or SPF result of a test record."""

    method: str
    domain: str
    result: str
    selector: str | None = None
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One row of a test aggregate report."""

    source_ip: str
    count: int
    disposition: str = "none"
    dkim: str = "pass"
    spf: str = "pass"
    header_from: str = "example.com"
    envelope_from: str | None = None
    envelope_to: str | None = None
    reasons: tuple[str, ...] = ()
    auth_results: tuple[AuthResult, ...] = ()


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A test aggregate report."""

    org_name: str
    report_id: str
    domain: str
    begin: dt.datetime
    end: dt.datetime
    policy: Policy = field(default_factory=Policy)
    records: tuple[Record, ...] = ()
    warnings: tuple[str, ...] = ()
    type: str = "aggregate"


@dataclass(frozen=True, slots=True)
class Failure:
    """A test failure report."""

    reporter: str
    report_id: str
    domain: str
    begin: dt.datetime
    end: dt.datetime
    feedback_type: str = "auth-failure"
    source_ip: str = "192.0.2.9"
    auth_failure: str = "dmarc"
    type: str = "failure"


@dataclass(frozen=True, slots=True)
class FailureDetail:
    """One failure detail of a test TLS policy."""

    result_type: str
    failed_sessions: int
    sending_mta_ip: str | None = None


@dataclass(frozen=True, slots=True)
class TlsPolicy:
    """One policy of a test TLS report."""

    policy_type: str
    policy_domain: str
    successful_sessions: int
    failed_sessions: int
    failure_details: tuple[FailureDetail, ...] = ()


@dataclass(frozen=True, slots=True)
class Tls:
    """A test SMTP TLS report."""

    org_name: str
    report_id: str
    domain: str
    begin: dt.datetime
    end: dt.datetime
    policies: tuple[TlsPolicy, ...] = ()
    type: str = "smtp_tls"


def record(ip: str = "192.0.2.1", count: int = 1, **fields: object) -> Record:
    """Return a test record passing DKIM and SPF for example.com."""
    auth = (
        AuthResult("dkim", "example.com", "pass", selector="s1"),
        AuthResult("spf", "example.com", "pass", scope="mfrom"),
    )
    return Record(ip, count, auth_results=auth, **fields)  # type: ignore[arg-type]


def aggregate(
    report_id: str = "r1", org: str = "google.com", domain: str = "example.com", **fields: object
) -> Aggregate:
    """Return a one-day test aggregate report with two records unless ``records`` is given."""
    fields.setdefault("records", (record("192.0.2.1", 3), record("2001:db8::1", 2, dkim="fail")))
    return Aggregate(org, report_id, domain, DAY, DAY + dt.timedelta(days=1), **fields)  # type: ignore[arg-type]


def failure(report_id: str = "<f1@mx.example.net>", domain: str = "example.com") -> Failure:
    """Return a test failure report."""
    return Failure("mx.example.net", report_id, domain, DAY, DAY)


def tls(report_id: str = "t1", domain: str = "example.com") -> Tls:
    """Return a test TLS report with one STS policy and one failure detail."""
    detail = FailureDetail("certificate-expired", 2, "198.51.100.7")
    policy = TlsPolicy("sts", domain, 10, 2, (detail,))
    return Tls("microsoft.com", report_id, domain, DAY, DAY + dt.timedelta(days=1), (policy,))
