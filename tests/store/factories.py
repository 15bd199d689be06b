"""Report objects built in tests, shaped like the parsed report model the store consumes.

They mirror the field names of ``mailwarden.reports.model`` (metadata, policy, records with
auth results; failure and TLS reports) and its ``kind`` and ``identity``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["DAY", "aggregate", "failure", "record", "tls"]

DAY = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Identity:
    """Reporter, report id, domain and period of a test report."""

    kind: str
    org_name: str
    report_id: str
    domain: str
    begin: dt.datetime | None
    end: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Metadata:
    """Report metadata of a test aggregate report."""

    org_name: str
    email: str
    report_id: str
    begin: dt.datetime | None
    end: dt.datetime | None
    extra_contact_info: str | None = None
    generator: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """Published policy of a test report."""

    domain: str
    p: str | None = "reject"
    sp: str | None = None
    np: str | None = None
    adkim: str | None = "r"
    aspf: str | None = "r"
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
    human_result: str | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """A policy override reason."""

    type: str
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One row of a test aggregate report."""

    source_ip: str
    count: int
    disposition: str = "none"
    dkim: str = "pass"
    spf: str = "pass"
    header_from: str = "example.com"
    reasons: tuple[Reason, ...] = ()
    envelope_from: str | None = None
    envelope_to: str | None = None
    auth_results: tuple[AuthResult, ...] = ()


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A test aggregate report."""

    metadata: Metadata
    policy: Policy
    records: tuple[Record, ...]
    schema: str = "rfc7489"
    warnings: tuple[str, ...] = ()
    kind = "aggregate"

    @property
    def identity(self) -> Identity:
        """Return reporter, report id, policy domain and period."""
        m = self.metadata
        return Identity(self.kind, m.org_name, m.report_id, self.policy.domain, m.begin, m.end)


@dataclass(frozen=True, slots=True)
class Failure:
    """A test failure report."""

    reporter: str
    report_id: str
    reported_domain: str
    arrival_date: dt.datetime | None
    format: str = "arf"
    feedback_type: str | None = "auth-failure"
    auth_failure: tuple[str, ...] = ("dmarc",)
    identity_alignment: tuple[str, ...] = ("dkim", "spf")
    source_ip: str | None = "192.0.2.9"
    delivery_result: str | None = "reject"
    original_mail_from: str | None = "bounce@example.com"
    original_rcpt_to: tuple[str, ...] = ("user@example.net",)
    original_envelope_id: str | None = None
    authentication_results: tuple[str, ...] = ("mx.example.net; dmarc=fail",)
    dkim_domain: str | None = None
    dkim_identity: str | None = None
    dkim_selector: str | None = None
    spf_dns: str | None = None
    user_agent: str | None = "test/1.0"
    version: str | None = "1"
    fields: tuple[tuple[str, str], ...] = (("Feedback-Type", "auth-failure"),)
    original_headers: tuple[tuple[str, str], ...] = (("Subject", "hello"),)
    original_message: str | None = None
    warnings: tuple[str, ...] = ()
    kind = "failure"

    @property
    def identity(self) -> Identity:
        """Return reporter, report mail id, reported domain and arrival date."""
        return Identity(
            self.kind,
            self.reporter,
            self.report_id,
            self.reported_domain,
            self.arrival_date,
            self.arrival_date,
        )


@dataclass(frozen=True, slots=True)
class FailureDetail:
    """One failure detail of a test TLS policy."""

    result_type: str
    failed_session_count: int
    sending_mta_ip: str | None = None
    receiving_ip: str | None = None
    receiving_mx_hostname: str | None = None
    receiving_mx_helo: str | None = None
    additional_information: str | None = None
    failure_reason_code: str | None = None


@dataclass(frozen=True, slots=True)
class TlsPolicy:
    """One policy of a test TLS report."""

    policy_type: str
    policy_domain: str
    successful_session_count: int
    failure_session_count: int
    policy_string: tuple[str, ...] = ()
    mx_host: tuple[str, ...] = ()
    failure_details: tuple[FailureDetail, ...] = ()


@dataclass(frozen=True, slots=True)
class Tls:
    """A test SMTP TLS report."""

    organization_name: str
    report_id: str
    begin: dt.datetime | None
    end: dt.datetime | None
    contact_info: str | None
    policies: tuple[TlsPolicy, ...] = ()
    warnings: tuple[str, ...] = ()
    kind = "smtp_tls"

    @property
    def identity(self) -> Identity:
        """Return organization, report id, first policy domain and period."""
        domain = self.policies[0].policy_domain if self.policies else ""
        return Identity(
            self.kind, self.organization_name, self.report_id, domain, self.begin, self.end
        )


def record(ip: str = "192.0.2.1", count: int = 1, **fields: object) -> Record:
    """Return a test record passing DKIM and SPF for example.com."""
    auth = (
        AuthResult("dkim", "example.com", "pass", selector="s1"),
        AuthResult("spf", "example.com", "pass", scope="mfrom"),
    )
    return Record(ip, count, auth_results=auth, **fields)  # type: ignore[arg-type]


def aggregate(
    report_id: str = "r1",
    org: str = "google.com",
    domain: str = "example.com",
    *,
    begin: dt.datetime | None = DAY,
    records: tuple[Record, ...] | None = None,
    **policy: object,
) -> Aggregate:
    """Return a one-day test aggregate report with two records unless ``records`` is given."""
    if records is None:
        records = (record("192.0.2.1", 3), record("2001:db8::1", 2, dkim="fail"))
    end = begin + dt.timedelta(days=1) if begin else None
    metadata = Metadata(org, f"noreply@{org}", report_id, begin, end)
    return Aggregate(metadata, Policy(domain, **policy), records)  # type: ignore[arg-type]


def failure(report_id: str = "<f1@mx.example.net>", domain: str = "example.com") -> Failure:
    """Return a test failure report."""
    return Failure("mx.example.net", report_id, domain, DAY)


def tls(report_id: str = "t1", domain: str = "example.com") -> Tls:
    """Return a test TLS report with one STS policy and one failure detail."""
    detail = FailureDetail("certificate-expired", 2, "198.51.100.7")
    policy = TlsPolicy("sts", domain, 10, 2, ("version: STSv1",), ("mx.example.com",), (detail,))
    end = DAY + dt.timedelta(days=1)
    return Tls("microsoft.com", report_id, DAY, end, "tlsrpt@microsoft.com", (policy,))
