"""The normalized report model: frozen dataclasses shared by the parsers, the CLI and the store.

Result words are the RFC's lower-case words. Fields that carry an RFC word hold the matching
``StrEnum`` member when the word is known and the reported string otherwise (always ``str``),
so a new word in the wild is kept, with a warning, instead of being lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from mailwarden.errors import ReportError

__all__ = [
    "AggregateRecord",
    "AggregateReport",
    "Alignment",
    "AuthResult",
    "Disposition",
    "DkimResult",
    "DmarcResult",
    "FailureReport",
    "InvalidReport",
    "Limits",
    "OverrideReason",
    "ParsedReport",
    "PolicyOverride",
    "PublishedPolicy",
    "ReportIdentity",
    "ReportKind",
    "ReportMetadata",
    "ReportWarning",
    "Schema",
    "SpfResult",
    "TlsFailureDetail",
    "TlsPolicyResult",
    "TlsReport",
]


class ReportKind(StrEnum):
    """The three kinds of report."""

    AGGREGATE = "aggregate"
    FAILURE = "failure"
    SMTP_TLS = "smtp_tls"


class Schema(StrEnum):
    """Which aggregate report schema a report follows."""

    DRAFT = "draft"  # the pre-RFC draft: no <version> element
    RFC7489 = "rfc7489"  # <version>1.0</version>, no namespace
    RFC9990 = "rfc9990"  # the urn:ietf:params:xml:ns:dmarc-2.0 namespace or its new fields


class Disposition(StrEnum):
    """A published policy (p, sp, np) or the disposition applied to messages."""

    NONE = "none"
    QUARANTINE = "quarantine"
    REJECT = "reject"
    PASS = "pass"  # RFC 9990: no action, passing DMARC with an enforcing policy


class Alignment(StrEnum):
    """DKIM and SPF identifier alignment mode."""

    RELAXED = "r"
    STRICT = "s"


class DmarcResult(StrEnum):
    """The DMARC-aligned result of DKIM or SPF in ``policy_evaluated``."""

    PASS = "pass"
    FAIL = "fail"


class DkimResult(StrEnum):
    """A DKIM verification result (RFC 8601 section 2.7.1)."""

    NONE = "none"
    PASS = "pass"
    FAIL = "fail"
    POLICY = "policy"
    NEUTRAL = "neutral"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"


class SpfResult(StrEnum):
    """An SPF verification result (RFC 8601 section 2.7.2)."""

    NONE = "none"
    PASS = "pass"
    FAIL = "fail"
    SOFTFAIL = "softfail"
    POLICY = "policy"
    NEUTRAL = "neutral"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"


class PolicyOverride(StrEnum):
    """Why a receiver applied a disposition other than the published policy."""

    FORWARDED = "forwarded"  # RFC 7489
    SAMPLED_OUT = "sampled_out"  # RFC 7489
    LOCAL_POLICY = "local_policy"
    MAILING_LIST = "mailing_list"
    OTHER = "other"
    POLICY_TEST_MODE = "policy_test_mode"
    TRUSTED_FORWARDER = "trusted_forwarder"


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep hostile input from exhausting memory, disk or time.

    ``max_input_bytes``: the raw input (file or bytes) before any unwrapping.
    ``max_decompressed_bytes``: everything one gzip stream or zip member may expand to.
    ``max_ratio``: decompressed size over compressed size, checked once the output exceeds
    ``ratio_grace_bytes`` (small files have meaningless ratios).
    ``max_mail_bytes``: a MIME message or JSON document, which are parsed in memory.
    ``max_depth``: wrappings inside wrappings (zip in mail in gzip ...).
    ``max_parts``: zip members or MIME parts looked at in one container.
    ``max_field_bytes``: the text of one XML element.
    ``max_xml_depth``: element nesting in an aggregate report.
    """

    max_input_bytes: int = 2 << 30
    max_decompressed_bytes: int = 2 << 30
    max_ratio: float = 200.0
    ratio_grace_bytes: int = 1 << 20
    max_mail_bytes: int = 64 << 20
    max_depth: int = 5
    max_parts: int = 1000
    max_field_bytes: int = 1 << 20
    max_xml_depth: int = 32


class InvalidReport(ReportError):
    """An input that could not be extracted or parsed.

    ``source`` names the input (file, zip member, MIME part: ``a.zip!b.xml``) and ``reason``
    says what is wrong; ``str()`` is ``"source: reason"``.
    """

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}" if source else reason)


@dataclass(frozen=True, slots=True)
class ReportWarning:
    """A deviation from the report format that was tolerated, with how often it occurred.

    ``code`` is stable (``aggregate.uppercase-value``); ``message`` names the element or
    field concerned, never per-record data, so warnings stay few on huge reports.
    """

    code: str
    message: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class ReportIdentity:
    """What identifies one report across re-deliveries: a store's natural key."""

    kind: ReportKind
    org_name: str
    report_id: str
    domain: str
    begin: dt.datetime | None
    end: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ReportMetadata:
    """``report_metadata``: who reported, which report, for which period."""

    org_name: str
    email: str
    report_id: str
    begin: dt.datetime | None
    end: dt.datetime | None
    extra_contact_info: str | None = None
    errors: tuple[str, ...] = ()
    generator: str | None = None


@dataclass(frozen=True, slots=True)
class PublishedPolicy:
    """``policy_published``: the DMARC policy the reporter found; ``None`` when not reported."""

    domain: str
    p: str | None = None
    sp: str | None = None
    np: str | None = None
    adkim: str | None = None
    aspf: str | None = None
    pct: int | None = None
    fo: str | None = None
    testing: str | None = None
    discovery_method: str | None = None


@dataclass(frozen=True, slots=True)
class OverrideReason:
    """A ``reason`` in ``policy_evaluated``: override type and optional comment."""

    type: str
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class AuthResult:
    """One DKIM or SPF result in ``auth_results``.

    ``method`` is ``dkim`` or ``spf``; ``selector`` is set for DKIM, ``scope`` for SPF.
    """

    method: str
    domain: str
    result: str
    selector: str | None = None
    scope: str | None = None
    human_result: str | None = None


@dataclass(frozen=True, slots=True)
class AggregateRecord:
    """One ``record``: a source IP, a message count and what happened to those messages."""

    source_ip: str
    count: int
    disposition: str
    dkim: str
    spf: str
    header_from: str
    reasons: tuple[OverrideReason, ...] = ()
    envelope_from: str | None = None
    envelope_to: str | None = None
    auth_results: tuple[AuthResult, ...] = ()
    extensions: tuple[tuple[str, str], ...] = ()

    @property
    def dkim_results(self) -> tuple[AuthResult, ...]:
        """Return the DKIM entries of ``auth_results``."""
        return tuple(a for a in self.auth_results if a.method == "dkim")

    @property
    def spf_results(self) -> tuple[AuthResult, ...]:
        """Return the SPF entries of ``auth_results``."""
        return tuple(a for a in self.auth_results if a.method == "spf")


@dataclass(frozen=True, slots=True)
class AggregateReport:
    """A complete DMARC aggregate report (RFC 7489 / RFC 9990 / pre-RFC draft)."""

    metadata: ReportMetadata
    policy: PublishedPolicy
    records: tuple[AggregateRecord, ...]
    schema: Schema
    version: str | None = None
    namespace: str | None = None
    extensions: tuple[tuple[str, str], ...] = ()
    warnings: tuple[ReportWarning, ...] = ()
    source: str = ""

    kind = ReportKind.AGGREGATE

    @property
    def identity(self) -> ReportIdentity:
        """Return the report's identity (reporter, report id, policy domain, period)."""
        m = self.metadata
        return ReportIdentity(
            ReportKind.AGGREGATE, m.org_name, m.report_id, self.policy.domain, m.begin, m.end
        )


@dataclass(frozen=True, slots=True)
class FailureReport:
    """A DMARC failure report: ARF (RFC 6591 / RFC 9991) or a plain-text one.

    ``fields`` keeps every feedback field in order as reported (name, value); the named
    attributes are the ones RFC 6591 and RFC 9991 define. ``original_headers`` are the
    header fields of the reported message, ``original_message`` its text when included.
    ``format`` is ``arf`` or ``text`` (no machine-readable part).
    """

    format: str
    reporter: str
    report_id: str
    reported_domain: str
    arrival_date: dt.datetime | None
    feedback_type: str | None = None
    auth_failure: tuple[str, ...] = ()
    identity_alignment: tuple[str, ...] = ()
    source_ip: str | None = None
    delivery_result: str | None = None
    original_mail_from: str | None = None
    original_rcpt_to: tuple[str, ...] = ()
    original_envelope_id: str | None = None
    authentication_results: tuple[str, ...] = ()
    dkim_domain: str | None = None
    dkim_identity: str | None = None
    dkim_selector: str | None = None
    spf_dns: str | None = None
    user_agent: str | None = None
    version: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    original_headers: tuple[tuple[str, str], ...] = ()
    original_message: str | None = None
    warnings: tuple[ReportWarning, ...] = ()
    source: str = ""

    kind = ReportKind.FAILURE

    @property
    def identity(self) -> ReportIdentity:
        """Return the identity: reporter, the report mail's Message-ID, domain, arrival."""
        return ReportIdentity(
            ReportKind.FAILURE,
            self.reporter,
            self.report_id,
            self.reported_domain,
            self.arrival_date,
            self.arrival_date,
        )


@dataclass(frozen=True, slots=True)
class TlsFailureDetail:
    """One ``failure-details`` entry of an SMTP TLS report."""

    result_type: str
    failed_session_count: int
    sending_mta_ip: str | None = None
    receiving_ip: str | None = None
    receiving_mx_hostname: str | None = None
    receiving_mx_helo: str | None = None
    additional_information: str | None = None
    failure_reason_code: str | None = None


@dataclass(frozen=True, slots=True)
class TlsPolicyResult:
    """One ``policies`` entry: the policy applied and its session counts."""

    policy_type: str
    policy_domain: str
    successful_session_count: int
    failure_session_count: int
    policy_string: tuple[str, ...] = ()
    mx_host: tuple[str, ...] = ()
    failure_details: tuple[TlsFailureDetail, ...] = ()


@dataclass(frozen=True, slots=True)
class TlsReport:
    """An SMTP TLS report (RFC 8460)."""

    organization_name: str
    report_id: str
    begin: dt.datetime | None
    end: dt.datetime | None
    contact_info: str | None
    policies: tuple[TlsPolicyResult, ...] = ()
    warnings: tuple[ReportWarning, ...] = ()
    source: str = ""

    kind = ReportKind.SMTP_TLS

    @property
    def domain(self) -> str:
        """Return the policy domain of the first policy (``""`` when there is none)."""
        return self.policies[0].policy_domain if self.policies else ""

    @property
    def identity(self) -> ReportIdentity:
        """Return the identity: organization, report id, first policy domain, period."""
        return ReportIdentity(
            ReportKind.SMTP_TLS,
            self.organization_name,
            self.report_id,
            self.domain,
            self.begin,
            self.end,
        )


ParsedReport = AggregateReport | FailureReport | TlsReport
