"""Turn parsed report objects into table rows: the one place that knows the report model.

It reads the model of :mod:`mailwarden.reports` (``AggregateReport``, ``FailureReport``,
``TlsReport``) by attribute, so the store depends on the model's field names only here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from mailwarden.serialize import to_jsonable
from mailwarden.store.base import SourceInfo
from mailwarden.store.dashboard import ReportSums, report_sums

__all__ = [
    "AUTH_KEYS",
    "NOT_REPORTED",
    "PLAIN_RECORD_COLUMNS",
    "RECORD_COLUMNS",
    "Identity",
    "PreparedAggregate",
    "aggregate_row",
    "auth_json",
    "failure_row",
    "identity_of",
    "info_values",
    "kind_of",
    "prepare",
    "record_fields",
    "record_values",
    "text",
    "tls_failure_rows",
    "tls_policy_row",
    "tls_row",
    "utc",
    "warnings_json",
]

#: (reporter, report id, policy domain, begin, end): what makes a report the same report.
Identity = tuple[str, str, str, dt.datetime, dt.datetime]

#: Stored for a begin, end or arrival date the report does not give (the identity needs a value).
NOT_REPORTED = dt.datetime(1970, 1, 1)

KINDS = ("aggregate", "failure", "smtp_tls")


def text(value: Any) -> str | None:
    """Return ``value`` as text (enums by their value); ``None`` stays ``None``."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, Enum):  # its value, the same str object every time
        value = value._value_
        return value if type(value) is str else str(value)
    return str(getattr(value, "value", value))


def utc(value: dt.datetime | None) -> dt.datetime:
    """Return ``value`` as a naive UTC datetime to the second; ``None`` is ``NOT_REPORTED``."""
    if value is None:
        return NOT_REPORTED
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _domain(value: Any) -> str:
    return (text(value) or "").strip().rstrip(".").lower()


def _json(value: Any) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, sort_keys=True)


def _joined(values: Iterable[Any] | None, separator: str) -> str | None:
    found = [str(v) for v in values or ()]
    return separator.join(found) if found else None


def kind_of(report: Any) -> str:
    """Return ``aggregate``, ``failure`` or ``smtp_tls``; ``TypeError`` for anything else."""
    kind = text(getattr(report, "kind", None))
    if kind in KINDS:
        return kind
    raise TypeError(f"not a report: {type(report).__name__}")


def identity_of(report: Any) -> Identity:
    """Return the normalized identity of ``report``: reporter, report id, domain, begin, end."""
    found = report.identity
    return (
        (text(found.org_name) or "").strip(),
        (text(found.report_id) or "").strip(),
        _domain(found.domain),
        utc(found.begin),
        utc(found.end),
    )


def warnings_json(report: Any) -> str:
    """Return the report's warnings as JSON (for a stream: read after its records)."""
    return _json(getattr(report, "warnings", ()))


def _stamp(report: Any, now: dt.datetime, ingest_id: int | None) -> dict[str, Any]:
    return {
        "warnings": warnings_json(report),
        "ingest_id": ingest_id,
        "ingested_at": utc(now),
    }


def aggregate_row(report: Any, now: dt.datetime, ingest_id: int | None) -> dict[str, Any]:
    """Return the ``aggregate_reports`` row of ``report`` (counts are filled in later)."""
    org, report_id, domain, begin, end = identity_of(report)
    meta, policy = report.metadata, report.policy
    row: dict[str, Any] = {
        "org_name": org,
        "report_id": report_id,
        "domain": domain,
        "begin": begin,
        "end": end,
        "email": text(meta.email),
        "extra_contact_info": text(meta.extra_contact_info),
        "generator": text(meta.generator),
        "schema": text(report.schema),
        "discovery_method": text(policy.discovery_method),
        "policy_pct": policy.pct,
        "record_count": 0,
        "message_count": 0,
    }
    for name in ("p", "sp", "np", "adkim", "aspf", "fo", "testing"):
        row[f"policy_{name}"] = text(getattr(policy, name))
    row.update(_stamp(report, now, ingest_id))
    return row


#: Column order of the tuples :func:`record_values` returns.
RECORD_COLUMNS = (
    "report_id",
    "source_ip",
    "count",
    "disposition",
    "dkim",
    "spf",
    "reasons",
    "header_from",
    "envelope_from",
    "envelope_to",
    "auth_results",
    "source_name",
    "source_base_domain",
    "country",
    "asn",
    "as_org",
)

#: Keys of one auth result in the ``auth_results`` JSON column (absent values are left out).
AUTH_KEYS = ("method", "domain", "selector", "scope", "result", "human_result")

_NO_INFO = SourceInfo()

#: The columns of a record row that is not enriched: up to ``auth_results``.
PLAIN_RECORD_COLUMNS = RECORD_COLUMNS[: RECORD_COLUMNS.index("auth_results") + 1]


def record_fields(record: Any) -> tuple[Any, ...]:
    """Return what one record stores: ``RECORD_COLUMNS`` from ``source_ip`` to ``auth_results``."""
    return (
        str(record.source_ip),
        int(record.count),
        text(record.disposition),
        text(record.dkim),
        text(record.spf),
        _json(record.reasons) if record.reasons else "[]",
        text(record.header_from),
        text(record.envelope_from),
        text(record.envelope_to),
        auth_json(record.auth_results),
    )


def info_values(info: SourceInfo | None) -> tuple[Any, ...]:
    """Return the enrichment columns of a record (``RECORD_COLUMNS`` from ``source_name``)."""
    info = info or _NO_INFO
    return (info.name, info.base_domain, info.country, info.asn, info.as_org)


def record_values(record: Any, report_key: int, info: SourceInfo | None) -> tuple[Any, ...]:
    """Return the ``aggregate_records`` row of one record (``RECORD_COLUMNS`` order)."""
    return (report_key, *record_fields(record), *info_values(info))


def auth_json(results: Any) -> str:
    """Return a record's auth results as the compact JSON of its ``auth_results`` column.

    A list of objects with the :data:`AUTH_KEYS` that have a value, in report order.
    Reports repeat the same few auth results, so the text is built once for each.
    """
    try:
        return _AUTH_JSON[results]
    except KeyError:
        cacheable = True
    except TypeError:  # a list, or results that cannot be hashed
        cacheable = False
    found = json.dumps(
        [
            {
                key: value
                for key in AUTH_KEYS
                if (value := text(getattr(result, key, None))) is not None
            }
            for result in results or ()
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    if cacheable:
        if len(_AUTH_JSON) >= _AUTH_JSON_SIZE:
            _AUTH_JSON.clear()
        _AUTH_JSON[results] = found
    return found


#: ``auth_results`` texts by the record's (immutable) auth results.
_AUTH_JSON: dict[Any, str] = {}
_AUTH_JSON_SIZE = 4096


@dataclass(frozen=True, slots=True)
class PreparedAggregate:
    """An aggregate report already read and turned into rows, ready to be inserted.

    Built by :func:`prepare` (in a parse worker process); plain tuples and strings only, so it
    crosses process boundaries cheaply. ``row`` is the ``aggregate_reports`` row without the
    stamp and counts; ``records`` the :func:`record_fields` of its records (not enriched);
    ``sums`` their roll-up rows (:func:`mailwarden.store.dashboard.report_sums`) and
    ``messages`` their message count.
    """

    identity: Identity
    row: dict[str, Any]
    records: list[tuple[Any, ...]]
    sums: ReportSums
    messages: int
    warnings: str
    kind: str = "aggregate"


def prepare(report: Any) -> Any:
    """Return an aggregate report (stream or complete) as a :class:`PreparedAggregate`.

    Its records are read now. Failure and TLS reports are returned as they are. Raises what
    reading the records raises (``InvalidReport`` for a report that cannot be parsed).
    """
    if kind_of(report) != "aggregate" or isinstance(report, PreparedAggregate):
        return report
    found = report.records
    records = [record_fields(record) for record in (found() if callable(found) else found)]
    row = aggregate_row(report, NOT_REPORTED, None)
    for name in ("warnings", "ingest_id", "ingested_at", "record_count", "message_count"):
        del row[name]
    identity = identity_of(report)
    sums = report_sums(identity[2], identity[3].date(), records)
    messages = sum(fields[1] for fields in records)
    return PreparedAggregate(identity, row, records, sums, messages, warnings_json(report))


def failure_row(report: Any, now: dt.datetime, ingest_id: int | None) -> dict[str, Any]:
    """Return the ``failure_reports`` row of a failure report (ARF or plain text)."""
    reporter, report_id, domain, begin, end = identity_of(report)
    headers = "".join(f"{name}: {value}\n" for name, value in report.original_headers)
    details = {
        "format": text(report.format),
        "version": text(report.version),
        "original_envelope_id": text(report.original_envelope_id),
        "dkim_identity": text(report.dkim_identity),
        "fields": [list(pair) for pair in report.fields],
    }
    row: dict[str, Any] = {
        "reporter": reporter,
        "report_id": report_id,
        "domain": domain,
        "begin": begin,
        "end": end,
        "feedback_type": text(report.feedback_type),
        "user_agent": text(report.user_agent),
        "auth_failure": _joined(report.auth_failure, ","),
        "source_ip": text(report.source_ip),
        "original_mail_from": text(report.original_mail_from),
        "original_rcpt_to": _joined(report.original_rcpt_to, "\n"),
        "delivery_result": text(report.delivery_result),
        "dkim_domain": text(report.dkim_domain),
        "dkim_selector": text(report.dkim_selector),
        "spf_dns": text(report.spf_dns),
        "identity_alignment": _joined(report.identity_alignment, ","),
        "authentication_results": _joined(report.authentication_results, "\n"),
        "original_headers": headers or None,
        "original_message": text(report.original_message),
        "details": _json(details),
    }
    row.update(_stamp(report, now, ingest_id))
    return row


def tls_row(report: Any, now: dt.datetime, ingest_id: int | None) -> dict[str, Any]:
    """Return the ``tls_reports`` row of an SMTP TLS report (session totals filled in later)."""
    org, report_id, domain, begin, end = identity_of(report)
    row: dict[str, Any] = {
        "org_name": org,
        "report_id": report_id,
        "domain": domain,
        "begin": begin,
        "end": end,
        "contact_info": text(report.contact_info),
        "successful_sessions": 0,
        "failed_sessions": 0,
    }
    row.update(_stamp(report, now, ingest_id))
    return row


def tls_policy_row(policy: Any, report_key: int) -> dict[str, Any]:
    """Return the ``tls_policies`` row of one policy of an SMTP TLS report."""
    return {
        "report_id": report_key,
        "policy_type": text(policy.policy_type) or "",
        "policy_domain": _domain(policy.policy_domain),
        "policy_strings": _json(policy.policy_string),
        "mx_hosts": _json(policy.mx_host),
        "successful_sessions": int(policy.successful_session_count or 0),
        "failed_sessions": int(policy.failure_session_count or 0),
    }


def tls_failure_rows(policy: Any, policy_key: int) -> list[dict[str, Any]]:
    """Return the ``tls_failures`` rows (failure details) of one TLS policy."""
    return [
        {
            "policy_id": policy_key,
            "result_type": text(detail.result_type) or "",
            "sending_mta_ip": text(detail.sending_mta_ip),
            "receiving_mx_hostname": text(detail.receiving_mx_hostname),
            "receiving_mx_helo": text(detail.receiving_mx_helo),
            "receiving_ip": text(detail.receiving_ip),
            "failed_sessions": int(detail.failed_session_count or 0),
            "additional_information": text(detail.additional_information),
            "failure_reason_code": text(detail.failure_reason_code),
        }
        for detail in policy.failure_details
    ]
