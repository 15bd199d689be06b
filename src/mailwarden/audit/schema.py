"""The ``check --json`` schema (reused by ``scan``) and its flat CSV form."""

from __future__ import annotations

from typing import Any

from mailwarden.audit.domain import DomainAudit
from mailwarden.audit.model import DkimKey
from mailwarden.findings import Finding, Severity

__all__ = ["CSV_COLUMNS", "audit_to_dict", "audit_to_row"]


def audit_to_dict(audit: DomainAudit) -> dict[str, Any]:
    """Return the JSON object of one domain's audit; areas not checked are ``null``."""
    return {
        "domain": audit.domain,
        "unicode_domain": audit.unicode_domain,
        "error_class": audit.error_class,
        "error": audit.error,
        "spf": _spf(audit),
        "dmarc": _dmarc(audit),
        "dkim": _dkim(audit),
        "mx": None
        if audit.mx is None
        else {"hosts": list(audit.mx.hosts), "null_mx": audit.mx.null_mx},
        "mta_sts": _mta_sts(audit),
        "tls_rpt": None
        if audit.tls_rpt is None
        else {
            "record": audit.tls_rpt.record,
            "valid": audit.tls_rpt.valid,
            "rua": list(audit.tls_rpt.rua),
        },
        "bimi": None
        if audit.bimi is None
        else {
            "record": audit.bimi.record,
            "valid": audit.bimi.valid,
            "location": audit.bimi.location,
        },
        "dnssec": None
        if audit.dnssec is None
        else {"signed": audit.dnssec.signed, "authenticated": audit.dnssec.authenticated},
        "verdicts": {name: verdict.value for name, verdict in audit.verdicts.items()},
        "findings": [_finding(f) for f in audit.findings],
    }


def _finding(finding: Finding) -> dict[str, Any]:
    """Return ``finding`` as ``to_jsonable`` would, without walking the dataclass fields."""
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
        "hint": finding.hint,
    }


def _dkim_key(key: DkimKey) -> dict[str, Any]:
    return {
        "selector": key.selector,
        "key_type": key.key_type,
        "key_bits": key.key_bits,
        "valid": key.valid,
        "flags": list(key.flags),
    }


def _spf(audit: DomainAudit) -> dict[str, Any] | None:
    spf = audit.spf
    if spf is None:
        return None
    return {
        "record": spf.record,
        "valid": spf.valid,
        "lookups": spf.lookups,
        "void_lookups": spf.void_lookups,
        "all": spf.all,
    }


def _dmarc(audit: DomainAudit) -> dict[str, Any] | None:
    dmarc = audit.dmarc
    if dmarc is None:
        return None
    return {
        "record": dmarc.record,
        "valid": dmarc.valid,
        "policy": dmarc.policy,
        "subdomain_policy": dmarc.subdomain_policy,
        "rua": list(dmarc.rua),
        "ruf": list(dmarc.ruf),
        "external_rua_authorized": dmarc.external_rua_authorized,
    }


def _dkim(audit: DomainAudit) -> dict[str, Any] | None:
    if audit.dkim is None:
        return None
    return {"selectors": [_dkim_key(k) for k in audit.dkim.selectors], "probed": audit.dkim.probed}


def _mta_sts(audit: DomainAudit) -> dict[str, Any] | None:
    sts = audit.mta_sts
    if sts is None:
        return None
    mode = sts.policy.mode.value if sts.policy is not None else None
    return {"record": sts.record, "valid": sts.valid, "mode": mode}


CSV_COLUMNS: tuple[str, ...] = (
    "domain",
    "error_class",
    "spf_record",
    "spf_valid",
    "spf_lookups",
    "spf_void_lookups",
    "spf_all",
    "dmarc_record",
    "dmarc_valid",
    "dmarc_policy",
    "dmarc_subdomain_policy",
    "dmarc_rua",
    "dmarc_ruf",
    "dmarc_external_rua_authorized",
    "dkim_selectors",
    "mx_hosts",
    "mx_null_mx",
    "mta_sts_record",
    "mta_sts_valid",
    "tls_rpt_record",
    "tls_rpt_valid",
    "bimi_record",
    "bimi_valid",
    "dnssec_signed",
    "errors",
    "warnings",
    "finding_codes",
)


def audit_to_row(audit: DomainAudit) -> dict[str, str]:
    """Return one CSV row (column name to text) flattening ``audit_to_dict``."""
    data = audit_to_dict(audit)
    row: dict[str, Any] = {"domain": audit.domain, "error_class": audit.error_class}
    for area in ("spf", "dmarc", "mx", "mta_sts", "tls_rpt", "bimi", "dnssec"):
        for key, value in (data[area] or {}).items():
            row[f"{area}_{key}"] = value
    dkim = data["dkim"] or {"selectors": []}
    row["dkim_selectors"] = ";".join(
        f"{k['selector']}:{k['key_type'] or '?'}:{k['key_bits'] or '?'}" for k in dkim["selectors"]
    )
    row["errors"] = sum(1 for f in audit.findings if f.severity is Severity.ERROR)
    row["warnings"] = sum(1 for f in audit.findings if f.severity is Severity.WARNING)
    row["finding_codes"] = ";".join(f.code for f in audit.findings)
    return {column: _cell(row.get(column)) for column in CSV_COLUMNS}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)
