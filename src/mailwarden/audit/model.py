"""Results of the non-protocol audit areas and the verdict shared by every area."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mailwarden.audit.mtasts_policy import MtaStsPolicy
from mailwarden.findings import Finding, Severity

__all__ = [
    "BimiResult",
    "DkimKey",
    "DkimSummary",
    "DmarcSummary",
    "DnssecResult",
    "MtaStsResult",
    "MxResult",
    "SpfSummary",
    "TlsRptResult",
    "Verdict",
    "verdict_for",
]


class Verdict(StrEnum):
    """An area's overall state: pass, warn or fail."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


def verdict_for(findings: tuple[Finding, ...]) -> Verdict:
    """Return fail for any error finding, warn for any warning, pass otherwise."""
    severities = {f.severity for f in findings}
    if Severity.ERROR in severities:
        return Verdict.FAIL
    if Severity.WARNING in severities:
        return Verdict.WARN
    return Verdict.PASS


@dataclass(frozen=True, slots=True)
class MxResult:
    """MX hosts in preference order; ``null_mx`` for RFC 7505's ``0 .``."""

    hosts: tuple[str, ...]
    null_mx: bool
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class MtaStsResult:
    """The ``_mta-sts`` record, whether it is valid, and the policy when fetched."""

    record: str | None
    valid: bool
    policy: MtaStsPolicy | None = None
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class TlsRptResult:
    """The ``_smtp._tls`` record and its report URIs."""

    record: str | None
    valid: bool
    rua: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class BimiResult:
    """The ``default._bimi`` record, logo and evidence locations."""

    record: str | None
    valid: bool
    location: str = ""
    authority: str = ""
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class DnssecResult:
    """Whether the zone publishes DNSKEY records and whether answers were authenticated."""

    signed: bool | None
    authenticated: bool
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class SpfSummary:
    """What the audit keeps of the SPF lint: the record, validity, lookup counts, ``all``."""

    record: str | None
    valid: bool
    lookups: int = 0
    void_lookups: int = 0
    all: str | None = None
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class DmarcSummary:
    """What the audit keeps of the DMARC lint."""

    record: str | None
    valid: bool
    policy: str | None = None
    subdomain_policy: str | None = None
    rua: tuple[str, ...] = ()
    ruf: tuple[str, ...] = ()
    external_rua_authorized: bool | None = None
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class DkimKey:
    """One DKIM key found at a selector."""

    selector: str
    key_type: str | None
    key_bits: int | None
    valid: bool
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DkimSummary:
    """The DKIM keys found by probing selectors."""

    selectors: tuple[DkimKey, ...] = ()
    probed: int = 0
    findings: tuple[Finding, ...] = ()
