"""Failure reports: ARF fields (RFC 6591, RFC 9991), original message forms, plain text."""

from __future__ import annotations

import datetime as dt

import pytest

from mailwarden.reports import FailureReport, InvalidReport, parse_reports

ARF = """\
From: DMARC Reporter <dmarc@receiver.example>
To: ruf@sender.example
Date: Tue, 19 Jul 2022 00:57:48 -0500
Subject: FW: original subject
Message-Id: <report-1@receiver.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="b1"

--b1
Content-Type: text/plain

An authentication failure report.

--b1
Content-Type: message/feedback-report

Feedback-Type: auth-failure
Version: 1
User-Agent: Reporter/2.0
Auth-Failure: dmarc
Authentication-Results: receiver.example; dmarc=fail header.from=sender.example
Identity-Alignment: dkim, spf
DKIM-Domain: sender.example
DKIM-Identity: @sender.example
DKIM-Selector: sel1
SPF-DNS: txt : sender.example : "v=spf1 -all"
Original-Envelope-Id: ENV42
Original-Mail-From: bounce@forwarder.example
Original-Rcpt-To: a@receiver.example
Original-Rcpt-To: b@receiver.example
Source-IP: 192.0.2.2
Delivery-Result: reject
Reported-Domain: Sender.Example

--b1
Content-Type: {original_type}

From: someone@sender.example
Subject: original subject
Message-ID: <orig@sender.example>
{original_body}
--b1--
"""


def _arf(original_type: str = "message/rfc822", body: str = "\nhello\n") -> bytes:
    return ARF.format(original_type=original_type, original_body=body).encode()


def _one(data: bytes) -> FailureReport:
    (report,) = parse_reports(data, source="arf.eml")
    assert isinstance(report, FailureReport)
    return report


def test_rfc9991_fields() -> None:
    """Every RFC 6591 / RFC 9991 field is read, repeated fields kept in order."""
    r = _one(_arf())
    assert r.format == "arf"
    assert r.reporter == "receiver.example"
    assert r.report_id == "report-1@receiver.example"
    assert r.reported_domain == "sender.example"
    assert r.feedback_type == "auth-failure"
    assert r.auth_failure == ("dmarc",)
    assert r.identity_alignment == ("dkim", "spf")
    assert (r.dkim_domain, r.dkim_identity, r.dkim_selector) == (
        "sender.example",
        "@sender.example",
        "sel1",
    )
    assert r.spf_dns == 'txt : sender.example : "v=spf1 -all"'
    assert r.original_envelope_id == "ENV42"
    assert r.original_mail_from == "bounce@forwarder.example"
    assert r.original_rcpt_to == ("a@receiver.example", "b@receiver.example")
    assert r.source_ip == "192.0.2.2"
    assert r.delivery_result == "reject"
    assert r.user_agent == "Reporter/2.0"
    assert r.version == "1"
    assert r.arrival_date == dt.datetime(2022, 7, 19, 5, 57, 48, tzinfo=dt.UTC)
    assert dict(r.original_headers)["Message-ID"] == "<orig@sender.example>"
    assert r.original_message is not None and "hello" in r.original_message
    assert r.warnings == ()


def test_headers_only_original() -> None:
    """A text/rfc822-headers part gives the headers and no message body."""
    r = _one(_arf("text/rfc822-headers", ""))
    assert dict(r.original_headers)["Subject"] == "original subject"
    assert r.original_message is None


def test_missing_original_is_warned() -> None:
    """A report without the original message part is kept, with a warning."""
    data = _arf().split(b"--b1\nContent-Type: message/rfc822")[0] + b"--b1--\n"
    r = _one(data)
    assert r.original_headers == ()
    assert {w.code for w in r.warnings} == {"failure.no-original"}


def test_missing_reported_domain_falls_back_to_original_from() -> None:
    """Without Reported-Domain, the original From's domain is used, with a warning."""
    r = _one(_arf().replace(b"Reported-Domain: Sender.Example\n", b""))
    assert r.reported_domain == "sender.example"
    assert {w.code for w in r.warnings} == {"failure.missing-field"}


def test_plain_text_without_sender_domain_is_not_a_report() -> None:
    """A mail that only claims to be a failure report is refused with a reason."""
    data = b"From: a@b.example\nSubject: DMARC Failure report\n\nnothing useful here\n"
    with pytest.raises(InvalidReport, match="not a failure report"):
        list(parse_reports(data, source="x.eml"))
