"""Every shared sample report parses, with its fields checked one by one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mailwarden.reports import (
    AggregateReport,
    AuthResult,
    FailureReport,
    PublishedPolicy,
    Schema,
    TlsReport,
    parse_reports,
)


def _utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _one(path: Path) -> AggregateReport:
    reports = list(parse_reports(path))
    assert len(reports) == 1
    report = reports[0]
    assert isinstance(report, AggregateReport)
    return report


def _codes(report: AggregateReport | FailureReport | TlsReport) -> dict[str, int]:
    counts: dict[str, int] = {}
    for w in report.warnings:
        counts[w.code] = counts.get(w.code, 0) + w.count
    return counts


def _defaults(report: AggregateReport) -> set[str]:
    """The policy fields reported absent (their DMARC default applies)."""
    return {
        w.message.split("/")[1].split(" ")[0]
        for w in report.warnings
        if w.code == "aggregate.default-applied"
    }


def test_sample_every_file_is_covered(samples: Path) -> None:
    """The tests below name every sample file, so a new sample cannot go unchecked."""
    names = {p.name for p in samples.glob("*/*")}
    assert names == {
        "!example.com!1538204542!1538463818.xml",
        "!large-example.com!1711897200!1711983600.xml",
        "addisonfoods.com!example.com!1536105600!1536191999.xml",
        "empty_reason.xml",
        "estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip",
        "example.net!example.com!1529366400!1529452799.xml",
        "fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz",
        "invalid_xml.xml",
        "old_draft_from_wiki.xml",
        "rfc9990-sample.xml",
        "twilight.eml",
        "dmarc_ruf_report_linkedin.eml",
        "exim_plain_text_only_no_arf_part.eml",
        "google.com_smtp_tls_report.eml",
        "rfc8460.json",
    }


def test_sample_empty_org_name(samples: Path) -> None:
    """An empty org_name falls back to the email's domain, with a warning."""
    r = _one(samples / "aggregate" / "!example.com!1538204542!1538463818.xml")
    assert r.schema is Schema.DRAFT
    assert r.metadata.org_name == "accurateplastics.com"
    assert r.metadata.email == "administrator@accurateplastics.com"
    assert r.metadata.report_id == "example.com:1538463741"
    assert r.metadata.begin == r.metadata.end == _utc(1538413632)
    assert r.policy == PublishedPolicy(
        domain="example.com", p="none", sp="reject", adkim="r", aspf="r", pct=100
    )
    (rec,) = r.records
    assert (rec.source_ip, rec.count, rec.disposition, rec.dkim, rec.spf) == (
        "12.20.127.122",
        1,
        "none",
        "fail",
        "fail",
    )
    assert rec.header_from == "example.com"
    assert rec.envelope_from is None
    assert rec.auth_results == (AuthResult("spf", "", "none"),)
    assert _codes(r) == {"aggregate.missing-field": 1}
    assert "org_name" in r.warnings[0].message


def test_sample_large_report(samples: Path) -> None:
    """The 2,286-record report gives every record in order."""
    r = _one(samples / "aggregate" / "!large-example.com!1711897200!1711983600.xml")
    assert len(r.records) == 2286
    assert r.records[0].source_ip == "12.20.121.1"
    assert r.records[-1].source_ip == "12.20.129.254"
    assert sum(rec.count for rec in r.records) == 2286
    assert {rec.header_from for rec in r.records} == {"example.com"}
    assert r.metadata.begin == _utc(1711897200)
    assert r.metadata.end == _utc(1711983600)


def test_sample_addisonfoods(samples: Path) -> None:
    """RFC 7489 report with a DKIM result and fo."""
    r = _one(samples / "aggregate" / "addisonfoods.com!example.com!1536105600!1536191999.xml")
    assert r.schema is Schema.RFC7489
    assert r.version == "1.0"
    assert r.metadata.org_name == "addisonfoods.com"
    assert r.metadata.report_id == "3ceb5548498640beaeb47327e202b0b9"
    assert r.metadata.begin == _utc(1536105600)
    assert r.metadata.end == _utc(1536191999)
    assert r.policy.fo == "0"
    assert r.policy.sp == "none"
    (rec,) = r.records
    assert rec.source_ip == "109.203.100.17"
    assert rec.envelope_from == "example.com"
    assert rec.header_from == "example.com"
    assert rec.auth_results == (
        AuthResult("dkim", "toptierhighticket.club", "pass", selector="default"),
    )
    assert r.warnings == ()


def test_sample_empty_reason(samples: Path) -> None:
    """An empty <reason> is skipped with a warning; envelope_to and human_result are kept."""
    r = _one(samples / "aggregate" / "empty_reason.xml")
    assert r.metadata.extra_contact_info == "https://support.example.org/dmarc"
    assert r.policy.p == "quarantine"
    (rec,) = r.records
    assert rec.count == 2
    assert (rec.disposition, rec.dkim, rec.spf) == ("none", "pass", "fail")
    assert rec.reasons == ()
    assert rec.envelope_to == "example.net"
    assert rec.envelope_from == "example.edu"
    assert rec.auth_results == (
        AuthResult("dkim", "example.com", "pass", selector="example", human_result="2048-bit key"),
        AuthResult("spf", "example.edu", "pass", scope="mfrom"),
    )
    assert _codes(r) == {"aggregate.empty-reason": 1}


def test_sample_zip(samples: Path) -> None:
    """A zipped report: the member is named in the source."""
    path = (
        samples
        / "aggregate"
        / ("estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip")
    )
    r = _one(path)
    assert r.source.endswith(
        ".zip!estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml"
    )
    assert r.metadata.org_name == "XYZ Corporation"
    assert r.metadata.report_id == "2940"
    assert r.policy == PublishedPolicy(domain="example.com", p="none")
    (rec,) = r.records
    assert rec.source_ip == "148.243.137.254"
    assert rec.envelope_to == "estadocuenta1.infonacot.gob.mx"
    assert rec.auth_results == ()
    assert _codes(r) == {"aggregate.default-applied": 3}
    assert _defaults(r) == {"sp", "adkim", "aspf"}


def test_sample_stray_text(samples: Path) -> None:
    """Stray text between elements is ignored with a warning."""
    r = _one(samples / "aggregate" / "example.net!example.com!1529366400!1529452799.xml")
    assert r.metadata.org_name == "example.net"
    assert r.policy.sp == "none"
    assert r.policy.pct == 100
    (rec,) = r.records
    assert rec.source_ip == "199.230.200.36"
    assert rec.auth_results == ()
    assert _codes(r) == {"aggregate.stray-text": 1}


def test_sample_gzip(samples: Path) -> None:
    """A gzipped report; the comment inside identifiers is ignored."""
    r = _one(
        samples / "aggregate" / "fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz"
    )
    assert r.metadata.org_name == "FastMail Pty Ltd"
    assert r.metadata.report_id == "102675056"
    assert r.policy.domain == "indemed.com"
    (rec,) = r.records
    assert rec.source_ip == "104.195.80.20"
    assert rec.envelope_to == "fastmail.fm"
    assert rec.auth_results == (AuthResult("spf", "example.com", "softfail", scope="mfrom"),)
    assert _defaults(r) == {"adkim", "aspf"}
    assert set(_codes(r)) == {"aggregate.default-applied"}


def test_sample_invalid_xml(samples: Path) -> None:
    """Unescaped '<' in text is repaired and counted; the text is kept."""
    r = _one(samples / "aggregate" / "invalid_xml.xml")
    assert r.metadata.org_name == "veeam.com"
    assert r.metadata.email == "<bad-xml@bad-xml.net>"
    assert r.metadata.report_id == "sonexushealth.com:1530233361"
    (rec,) = r.records
    assert rec.header_from == "bad<xml.net"
    assert _codes(r) == {"aggregate.unescaped-character": 2, "aggregate.repaired": 1}


def test_sample_old_draft(samples: Path) -> None:
    """The pre-RFC draft schema (no <version>) parses; the missing selector is noted."""
    r = _one(samples / "aggregate" / "old_draft_from_wiki.xml")
    assert r.schema is Schema.DRAFT
    assert r.version is None
    assert r.metadata.org_name == "acme.com"
    assert r.metadata.report_id == "9391651994964116463"
    (rec,) = r.records
    assert (rec.source_ip, rec.count, rec.spf) == ("72.150.241.94", 2, "pass")
    assert rec.auth_results == (
        AuthResult("dkim", "example.com", "fail"),
        AuthResult("spf", "example.com", "pass"),
    )
    assert _codes(r) == {"aggregate.missing-field": 1}


def test_sample_rfc9990(samples: Path) -> None:
    """The RFC 9990 schema: namespace, np, testing, discovery_method, generator."""
    r = _one(samples / "aggregate" / "rfc9990-sample.xml")
    assert r.schema is Schema.RFC9990
    assert r.namespace == "urn:ietf:params:xml:ns:dmarc-2.0"
    assert r.metadata.generator == "Example DMARC Aggregate Reporter v1.2"
    assert r.policy == PublishedPolicy(
        domain="example.com",
        p="quarantine",
        sp="none",
        np="none",
        testing="n",
        discovery_method="treewalk",
    )
    (rec,) = r.records
    assert (rec.source_ip, rec.count, rec.disposition) == ("192.0.2.123", 123, "pass")
    assert rec.auth_results == (
        AuthResult("dkim", "example.com", "pass", selector="abc123"),
        AuthResult("spf", "example.com", "fail"),
    )
    assert _defaults(r) == {"adkim", "aspf"}
    assert set(_codes(r)) == {"aggregate.default-applied"}


def test_sample_mail_with_zip(samples: Path) -> None:
    """A mail with a base64 zip attachment and a text part gives one report."""
    r = _one(samples / "aggregate" / "twilight.eml")
    assert r.metadata.org_name == "google.com"
    assert r.metadata.report_id == "1627703331531660819"
    assert r.policy.domain == "twlnet.com"
    assert (r.policy.adkim, r.policy.aspf) == ("s", "s")
    (rec,) = r.records
    assert rec.source_ip == "87.106.127.28"
    assert rec.auth_results == (
        AuthResult("dkim", "twlnet.com", "pass", selector="201810"),
        AuthResult("spf", "twlnet.com", "pass"),
    )


def test_sample_arf_failure(samples: Path) -> None:
    """The ARF failure report: feedback fields, original headers and message."""
    (r,) = parse_reports(samples / "failure" / "dmarc_ruf_report_linkedin.eml")
    assert isinstance(r, FailureReport)
    assert r.format == "arf"
    assert r.feedback_type == "auth-failure"
    assert r.reporter == "linkedin.com"
    assert r.report_id == "BB.91.26019.C3EA7CC5@mail516.prod.linkedin.com"
    assert r.reported_domain == "example.com"
    assert r.arrival_date == dt.datetime(2019, 4, 30, 2, 9, tzinfo=dt.UTC)
    assert r.auth_failure == ("dmarc",)
    assert r.source_ip == "10.10.10.10"
    assert r.delivery_result == "delivered"
    assert r.original_rcpt_to == ("recipient@linkedin.com",)
    assert r.original_mail_from is None
    assert r.user_agent == "Lua/1.0"
    assert r.version == "1.0"
    assert r.authentication_results == ("dmarc=fail (p=none; dis=none) header.from=example.com",)
    assert ("Reported-Domain", "example.com") in r.fields
    headers = dict(r.original_headers)
    assert headers["From"] == "Sender <sender@example.com>"
    assert headers["Subject"] == "Subject line, could be UTF8 encoded"
    assert r.original_message is not None and "HTML Text" in r.original_message
    assert r.identity.domain == "example.com"
    assert r.warnings == ()


def test_sample_plain_text_failure(samples: Path) -> None:
    """A plain-text failure report without an ARF part is read from its labelled lines."""
    (r,) = parse_reports(samples / "failure" / "exim_plain_text_only_no_arf_part.eml")
    assert isinstance(r, FailureReport)
    assert r.format == "text"
    assert r.reported_domain == "example.com"
    assert r.source_ip == "203.0.113.68"
    assert r.arrival_date == dt.datetime(2025, 4, 7, 21, 16, 9, tzinfo=dt.UTC)
    assert r.identity_alignment == ("dkim", "spf")
    assert r.delivery_result == "None, Accept"
    assert r.report_id == "E1u1tpB-00AA5u-ED@node04.mailgate.example.net"
    headers = dict(r.original_headers)
    assert headers["Subject"] == "Payment from your account."
    assert headers["From"] == "<user@example.com>"
    assert len(r.authentication_results) == 2
    assert {w.code for w in r.warnings} == {"failure.no-arf-part"}


def test_sample_tlsrpt_mail(samples: Path) -> None:
    """The gzipped SMTP TLS report attached to Google's mail."""
    (r,) = parse_reports(samples / "smtp_tls" / "google.com_smtp_tls_report.eml")
    assert isinstance(r, TlsReport)
    assert r.organization_name == "Google Inc."
    assert r.report_id == "2024-09-03T00:00:00Z_cardinalhealth.ca"
    assert r.begin == dt.datetime(2024, 9, 3, tzinfo=dt.UTC)
    assert r.end == dt.datetime(2024, 9, 3, 23, 59, 59, tzinfo=dt.UTC)
    assert r.contact_info == "smtp-tls-reporting@google.com"
    (policy,) = r.policies
    assert (policy.policy_type, policy.policy_domain) == ("no-policy-found", "cardinalhealth.ca")
    assert (policy.successful_session_count, policy.failure_session_count) == (48, 0)
    assert policy.failure_details == ()
    assert r.warnings == ()


def test_sample_tlsrpt_json(samples: Path) -> None:
    """The RFC 8460 example: policy, summary and every failure detail."""
    (r,) = parse_reports(samples / "smtp_tls" / "rfc8460.json")
    assert isinstance(r, TlsReport)
    assert r.organization_name == "Company-X"
    assert r.report_id == "5065427c-23d3-47ca-b6e0-946ea0e8c4be"
    (policy,) = r.policies
    assert policy.policy_type == "sts"
    assert policy.policy_domain == "company-y.example"
    assert policy.mx_host == ("*.mail.company-y.example",)
    assert len(policy.policy_string) == 4
    assert (policy.successful_session_count, policy.failure_session_count) == (5326, 303)
    details = policy.failure_details
    assert [d.result_type for d in details] == [
        "certificate-expired",
        "starttls-not-supported",
        "validation-failure",
    ]
    assert [d.failed_session_count for d in details] == [100, 200, 3]
    assert details[1].receiving_ip == "203.0.113.56"
    assert details[1].additional_information is not None
    assert details[2].failure_reason_code == "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"
    assert r.warnings == ()
