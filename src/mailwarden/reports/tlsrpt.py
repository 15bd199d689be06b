"""SMTP TLS reports (RFC 8460): the JSON document, after gzip and mail are unwrapped."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from mailwarden.reports._warn import WarningLog
from mailwarden.reports.model import (
    InvalidReport,
    TlsFailureDetail,
    TlsPolicyResult,
    TlsReport,
)

__all__ = ["parse_tlsrpt"]


def parse_tlsrpt(data: bytes, *, source: str = "", log: WarningLog | None = None) -> TlsReport:
    """Return the SMTP TLS report in ``data`` (JSON bytes).

    Missing or mistyped fields are tolerated and recorded as warnings; raises
    ``InvalidReport`` when the data is not JSON or not a JSON object.
    """
    log = log or WarningLog()
    text = data.decode("utf-8", "replace")
    invalid = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    if invalid > 0:
        log.add("smtp_tls.invalid-utf8", "invalid byte sequences; replaced with U+FFFD", invalid)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidReport(source, f"not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise InvalidReport(source, "an SMTP TLS report is a JSON object")
    dates = _object(document, "date-range", log)
    policies = document.get("policies")
    if not isinstance(policies, list):
        log.add("smtp_tls.missing-field", "policies is missing or not a list")
        policies = []
    return TlsReport(
        organization_name=_string(document, "organization-name", log),
        report_id=_string(document, "report-id", log),
        begin=_datetime(dates, "start-datetime", log),
        end=_datetime(dates, "end-datetime", log),
        contact_info=_string(document, "contact-info", log) or None,
        policies=tuple(_policy(p, log) for p in policies if isinstance(p, dict)),
        warnings=log.freeze(),
        source=source,
    )


def _object(node: dict[str, Any], key: str, log: WarningLog) -> dict[str, Any]:
    value = node.get(key)
    if isinstance(value, dict):
        return value
    log.add("smtp_tls.missing-field", f"{key} is missing or not an object")
    return {}


def _string(node: dict[str, Any], key: str, log: WarningLog, *, required: bool = True) -> str:
    value = node.get(key)
    if isinstance(value, str):
        return value
    if value is not None:
        log.add("smtp_tls.invalid-field", f"{key} is not a string")
        return str(value)
    if required:
        log.add("smtp_tls.missing-field", f"{key} is missing")
    return ""


def _optional(node: dict[str, Any], key: str, log: WarningLog) -> str | None:
    return _string(node, key, log, required=False) or None


def _count(node: dict[str, Any], key: str, log: WarningLog) -> int:
    value = node.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        log.add("smtp_tls.invalid-field", f"{key} is a string, not a number")
        return int(value)
    log.add("smtp_tls.missing-field", f"{key} is missing or not a count")
    return 0


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def _datetime(node: dict[str, Any], key: str, log: WarningLog) -> dt.datetime | None:
    text = _string(node, key, log)
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        log.add("smtp_tls.invalid-field", f"{key} is not an RFC 3339 date-time")
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _policy(node: dict[str, Any], log: WarningLog) -> TlsPolicyResult:
    policy = _object(node, "policy", log)
    summary = _object(node, "summary", log)
    details = node.get("failure-details", [])
    if not isinstance(details, list):
        log.add("smtp_tls.invalid-field", "failure-details is not a list")
        details = []
    return TlsPolicyResult(
        policy_type=_string(policy, "policy-type", log),
        policy_domain=_string(policy, "policy-domain", log).lower(),
        successful_session_count=_count(summary, "total-successful-session-count", log),
        failure_session_count=_count(summary, "total-failure-session-count", log),
        policy_string=_strings(policy.get("policy-string")),
        mx_host=_strings(policy.get("mx-host")),
        failure_details=tuple(_detail(d, log) for d in details if isinstance(d, dict)),
    )


def _detail(node: dict[str, Any], log: WarningLog) -> TlsFailureDetail:
    return TlsFailureDetail(
        result_type=_string(node, "result-type", log),
        failed_session_count=_count(node, "failed-session-count", log),
        sending_mta_ip=_optional(node, "sending-mta-ip", log),
        receiving_ip=_optional(node, "receiving-ip", log),
        receiving_mx_hostname=_optional(node, "receiving-mx-hostname", log),
        receiving_mx_helo=_optional(node, "receiving-mx-helo", log),
        additional_information=_optional(node, "additional-information", log),
        failure_reason_code=_optional(node, "failure-reason-code", log),
    )
