"""SMTP TLS reports: tolerated deviations and refused documents."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from mailwarden.reports import InvalidReport, parse_tlsrpt

DOC = {
    "organization-name": "Org",
    "date-range": {
        "start-datetime": "2024-01-01T00:00:00Z",
        "end-datetime": "2024-01-01T23:59:59Z",
    },
    "contact-info": "tls@org.example",
    "report-id": "r1",
    "policies": [
        {
            "policy": {
                "policy-type": "sts",
                "policy-domain": "Example.COM",
                "mx-host": "mx.example.com",
            },
            "summary": {"total-successful-session-count": 10, "total-failure-session-count": "2"},
            "failure-details": [{"result-type": "sts-webpki-invalid", "failed-session-count": 2}],
        }
    ],
}


def test_tolerated_deviations() -> None:
    """A count given as a string and a single mx-host string are accepted, with warnings."""
    r = parse_tlsrpt(json.dumps(DOC).encode())
    (policy,) = r.policies
    assert policy.policy_domain == "example.com"
    assert policy.mx_host == ("mx.example.com",)
    assert policy.failure_session_count == 2
    assert policy.failure_details[0].result_type == "sts-webpki-invalid"
    assert r.begin == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert [w.code for w in r.warnings] == ["smtp_tls.invalid-field"]


def test_missing_fields_are_warned() -> None:
    """Missing required members are named in warnings, not fatal."""
    r = parse_tlsrpt(b'{"report-id": "x"}')
    assert r.organization_name == ""
    assert r.policies == ()
    messages = {w.message for w in r.warnings}
    assert "organization-name is missing" in messages
    assert "policies is missing or not a list" in messages


def test_invalid_utf8_is_counted() -> None:
    """Invalid UTF-8 in the JSON becomes U+FFFD and is counted."""
    data = json.dumps(DOC).replace("Org", "O\udcffrg").encode("utf-8", "surrogateescape")
    r = parse_tlsrpt(data)
    assert r.organization_name == "O\ufffdrg"
    assert {w.code: w.count for w in r.warnings}["smtp_tls.invalid-utf8"] == 1


@pytest.mark.parametrize("data", [b"{not json", b"[1, 2]"])
def test_not_a_report(data: bytes) -> None:
    """Text that is not a JSON object is refused with a reason."""
    with pytest.raises(InvalidReport, match="JSON"):
        parse_tlsrpt(data, source="t.json")


def test_gzipped_json_file() -> None:
    """A .json.gz SMTP TLS report is unwrapped and parsed."""
    import gzip

    from mailwarden.reports import TlsReport, parse_reports

    (r,) = parse_reports(gzip.compress(json.dumps(DOC).encode()), source="r.json.gz")
    assert isinstance(r, TlsReport)
    assert r.identity.report_id == "r1"
    assert r.identity.domain == "example.com"
    assert r.source == "r.json.gz"
