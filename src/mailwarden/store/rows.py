"""Turn parsed report objects into table rows (the one place that knows the report model)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from mailwarden.serialize import to_jsonable
from mailwarden.store.base import SourceInfo

__all__ = [
    "Identity",
    "aggregate_row",
    "auth_rows",
    "failure_row",
    "identity_of",
    "kind_of",
    "record_row",
    "text",
    "tls_failure_rows",
    "tls_policy_row",
    "tls_row",
    "utc",
]

#: (reporter, report id, policy domain, begin, end): what makes a report the same report.
Identity = tuple[str, str, str, dt.datetime, dt.datetime]


def text(value: Any) -> str | None:
    """Return ``value`` as text (enums by their value), ``None`` stays ``None``."""
    if value is None:
        return None
    found = getattr(value, "value", value)
    return str(found)


def utc(value: dt.datetime) -> dt.datetime:
    """Return ``value`` as a naive UTC datetime (naive input is taken to be UTC already)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _domain(value: Any) -> str:
    return (text(value) or "").strip().rstrip(".").lower()


def _json(value: Any) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, sort_keys=True)


def kind_of(report: Any) -> str:
    """Return ``aggregate``, ``failure`` or ``smtp_tls`` for a parsed report."""
    kind = text(getattr(report, "type", None) or getattr(report, "kind", None))
    if kind in ("aggregate", "failure", "smtp_tls"):
        return kind
    raise TypeError(f"not a report: {type(report).__name__}")


def identity_of(report: Any) -> Identity:
    """Return the identity of ``report``: reporter, report id, policy domain, begin, end."""
    reporter = getattr(report, "org_name", None) or getattr(report, "reporter", None)
    return (
        (text(reporter) or "").strip(),
        (text(report.report_id) or "").strip(),
        _domain(report.domain),
        utc(report.begin),
        utc(report.end),
    )


def _common(report: Any, now: dt.datetime, ingest_id: int | None) -> dict[str, Any]:
    return {
        "warnings": _json(getattr(report, "warnings", ())),
        "ingest_id": ingest_id,
        "ingested_at": now,
    }


def aggregate_row(report: Any, now: dt.datetime, ingest_id: int | None) -> dict[str, Any]:
    """Return the ``aggregate_reports`` row of ``report`` (counts filled in later)."""
    org, report_id, domain, begin, end = identity_of(report)
    policy = getattr(report, "policy", None)
    row = {
        "org_name": org,
        "report_id": report_id,
        "domain": domain,
        "begin": begin,
        "end": end,
        "email": text(getattr(report, "email", None)),
        "extra_contact_info": text(getattr(report, "extra_contact_info", None)),
        "generator": text(getattr(report, "generator", None)),
        "schema": text(getattr(report, "schema", None)),
        "discovery_method": text(getattr(policy, "discovery_method", None)),
        "record_count": 0,
        "message_count": 0,
    }
    for name in ("p", "sp", "np", "adkim", "aspf", "fo", "testing"):
        row[f"policy_{name}"] = text(getattr(policy, name, None))
    pct = getattr(policy, "pct", None)
    row["policy_pct"] = int(pct) if pct is not None else None
    row.update(_common(report, now, ingest_id))
    return row


def record_row(record: Any, report_key: int, info: SourceInfo | None) -> dict[str, Any]:
    """Return the ``aggregate_records`` row of one record, with its source's enrichment."""
    info = info or SourceInfo()
    return {
        "report_id": report_key,
        "source_ip": str(record.source_ip),
        "count": int(record.count),
        "disposition": text(getattr(record, "disposition", None)),
        "dkim": text(getattr(record, "dkim", None)),
        "spf": text(getattr(record, "spf", None)),
        "reasons": _json(getattr(record, "reasons", ())),
        "header_from": text(getattr(record, "header_from", None)),
        "envelope_from": text(getattr(record, "envelope_from", None)),
        "envelope_to": text(getattr(record, "envelope_to", None)),
        "source_name": info.name,
        "source_base_domain": info.base_domain,
        "country": info.country,
        "asn": info.asn,
        "as_org": info.as_org,
    }


def _auth_results(record: Any) -> Iterable[tuple[str, Any]]:
    results = getattr(record, "auth_results", None)
    if results is None:
        return ()
    if hasattr(results, "dkim") or hasattr(results, "spf"):
        found = [("dkim", r) for r in getattr(results, "dkim", ())]
        return found + [("spf", r) for r in getattr(results, "spf", ())]
    return [(text(getattr(r, "method", "")) or "", r) for r in results]


def auth_rows(record: Any, record_key: int) -> list[dict[str, Any]]:
    """Return the ``aggregate_auth_results`` rows (DKIM and SPF results) of one record."""
    return [
        {
            "record_id": record_key,
            "method": method,
            "domain": text(getattr(result, "domain", None)),
            "selector": text(getattr(result, "selector", None)),
            "scope": text(getattr(result, "scope", None)),
            "result": text(getattr(result, "result", None)),
            "human_result": text(getattr(result, "human_result", None)),
        }
        for method, result in _auth_results(record)
    ]


def failure_row(report: Any, now: dt.datetime, ingest_id: int | None) -> dict[str, Any]:
    """Return the ``failure_reports`` row of a failure (ARF or plain-text) report."""
    reporter, report_id, domain, begin, end = identity_of(report)
    known = set(_FAILURE_FIELDS)
    details = {
        name: value
        for name, value in _fields(report).items()
        if name not in known and name not in _IDENTITY_FIELDS
    }
    row: dict[str, Any] = {
        "reporter": reporter,
        "report_id": report_id,
        "domain": domain,
        "begin": begin,
        "end": end,
        "details": _json(details),
    }
    for name in _FAILURE_FIELDS:
        value = getattr(report, name, None)
        row[name] = "\n".join(map(str, value)) if isinstance(value, list | tuple) else text(value)
    row.update(_common(report, now, ingest_id))
    return row


_IDENTITY_FIELDS = ("org_name", "reporter", "report_id", "domain", "begin", "end", "warnings")
_FAILURE_FIELDS = (
    "feedback_type",
    "user_agent",
    "auth_failure",
    "source_ip",
    "original_mail_from",
    "original_rcpt_to",
    "delivery_result",
    "dkim_domain",
    "dkim_selector",
    "spf_dns",
    "identity_alignment",
    "authentication_results",
    "original_headers",
)


def _fields(report: Any) -> Mapping[str, Any]:
    value = to_jsonable(report)
    return value if isinstance(value, dict) else {}


def tls_row(report: Any, now: dt.datetime, ingest_id: int | None) -> dict[str, Any]:
    """Return the ``tls_reports`` row of an SMTP TLS report (session totals filled in later)."""
    org, report_id, domain, begin, end = identity_of(report)
    row: dict[str, Any] = {
        "org_name": org,
        "report_id": report_id,
        "domain": domain,
        "begin": begin,
        "end": end,
        "contact_info": text(getattr(report, "contact_info", None)),
        "successful_sessions": 0,
        "failed_sessions": 0,
    }
    row.update(_common(report, now, ingest_id))
    return row


def tls_policy_row(policy: Any, report_key: int) -> dict[str, Any]:
    """Return the ``tls_policies`` row of one policy of an SMTP TLS report."""
    return {
        "report_id": report_key,
        "policy_type": text(getattr(policy, "policy_type", None)) or "",
        "policy_domain": _domain(getattr(policy, "policy_domain", "")),
        "policy_strings": _json(getattr(policy, "policy_strings", ())),
        "mx_hosts": _json(getattr(policy, "mx_hosts", ())),
        "successful_sessions": int(getattr(policy, "successful_sessions", 0) or 0),
        "failed_sessions": int(getattr(policy, "failed_sessions", 0) or 0),
    }


def tls_failure_rows(policy: Any, policy_key: int) -> list[dict[str, Any]]:
    """Return the ``tls_failures`` rows (failure details) of one TLS policy."""
    return [
        {
            "policy_id": policy_key,
            "result_type": text(getattr(detail, "result_type", None)) or "",
            "sending_mta_ip": text(getattr(detail, "sending_mta_ip", None)),
            "receiving_mx_hostname": text(getattr(detail, "receiving_mx_hostname", None)),
            "receiving_mx_helo": text(getattr(detail, "receiving_mx_helo", None)),
            "receiving_ip": text(getattr(detail, "receiving_ip", None)),
            "failed_sessions": int(getattr(detail, "failed_sessions", 0) or 0),
            "additional_information": text(getattr(detail, "additional_information", None)),
            "failure_reason_code": text(getattr(detail, "failure_reason_code", None)),
        }
        for detail in getattr(policy, "failure_details", ())
    ]
