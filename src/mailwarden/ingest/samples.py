"""Generate realistic report mails: the demo's bundled samples, test data and benchmark input.

Everything is deterministic for a given seed: aggregate reports (RFC 7489 XML, gzipped or
zipped, attached to a mail the way large receivers send them), SMTP TLS reports (RFC 8460 JSON,
gzipped) and ARF failure reports. Addresses are from the documentation ranges.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from xml.sax.saxutils import escape

__all__ = [
    "REPORTERS",
    "SampleRecord",
    "aggregate_mail",
    "aggregate_xml",
    "failure_mail",
    "generate_mailbox",
    "tls_mail",
]

#: (organization, report address, attachment style) of typical aggregate report senders.
REPORTERS = (
    ("google.com", "noreply-dmarc-support@google.com", "gzip"),
    ("Yahoo", "dmarchelp@yahooinc.com", "gzip"),
    ("Enterprise Outlook", "dmarcreport@microsoft.com", "gzip"),
    ("Mail.Ru", "dmarc_support@corp.mail.ru", "zip"),
    ("comcast.net", "dmarc_reports@comcast.net", "zip"),
)

_NETS = ("192.0.2.", "198.51.100.", "203.0.113.")


@dataclass(frozen=True, slots=True)
class SampleRecord:
    """One row of a generated aggregate report."""

    source_ip: str
    count: int
    disposition: str
    dkim: str
    spf: str
    header_from: str
    dkim_domain: str
    spf_domain: str


def _record_xml(r: SampleRecord) -> str:
    dkim_result = "pass" if r.dkim == "pass" else "fail"
    spf_result = "pass" if r.spf == "pass" else "softfail"
    return (
        "  <record>\n    <row>\n"
        f"      <source_ip>{r.source_ip}</source_ip>\n      <count>{r.count}</count>\n"
        "      <policy_evaluated>\n"
        f"        <disposition>{r.disposition}</disposition>\n"
        f"        <dkim>{r.dkim}</dkim>\n        <spf>{r.spf}</spf>\n"
        "      </policy_evaluated>\n    </row>\n"
        f"    <identifiers>\n      <header_from>{escape(r.header_from)}</header_from>\n"
        "    </identifiers>\n    <auth_results>\n"
        f"      <dkim>\n        <domain>{escape(r.dkim_domain)}</domain>\n"
        f"        <selector>s2026</selector>\n        <result>{dkim_result}</result>\n"
        "      </dkim>\n"
        f"      <spf>\n        <domain>{escape(r.spf_domain)}</domain>\n"
        f"        <scope>mfrom</scope>\n        <result>{spf_result}</result>\n"
        "      </spf>\n    </auth_results>\n  </record>\n"
    )


def aggregate_xml(
    org: str,
    email: str,
    report_id: str,
    domain: str,
    begin: dt.datetime,
    records: list[SampleRecord],
    policy: str = "quarantine",
) -> bytes:
    """Return an RFC 7489 aggregate report covering the day from ``begin``."""
    start = int(begin.timestamp())
    head = (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<feedback>\n  <version>1.0</version>\n'
        "  <report_metadata>\n"
        f"    <org_name>{escape(org)}</org_name>\n    <email>{escape(email)}</email>\n"
        f"    <report_id>{escape(report_id)}</report_id>\n"
        f"    <date_range>\n      <begin>{start}</begin>\n      <end>{start + 86399}</end>\n"
        "    </date_range>\n  </report_metadata>\n  <policy_published>\n"
        f"    <domain>{escape(domain)}</domain>\n    <adkim>r</adkim>\n    <aspf>r</aspf>\n"
        f"    <p>{policy}</p>\n    <sp>{policy}</sp>\n    <pct>100</pct>\n"
        "  </policy_published>\n"
    )
    body = "".join(_record_xml(r) for r in records)
    return (head + body + "</feedback>\n").encode()


def _records(rng: random.Random, domain: str, count: int) -> list[SampleRecord]:
    found = []
    for _ in range(count):
        ip = rng.choice(_NETS) + str(rng.randint(1, 254))
        good = rng.random() < 0.8
        forwarded = not good and rng.random() < 0.5
        found.append(
            SampleRecord(
                source_ip=ip,
                count=rng.choice((1, 1, 1, 2, 3, 5, 8, 40, 120)),
                disposition="none" if good or forwarded else "quarantine",
                dkim="pass" if good or forwarded else "fail",
                spf="pass" if good else "fail",
                header_from=domain,
                dkim_domain=domain if good or forwarded else f"bulk.{domain}",
                spf_domain=domain if good else "forwarder.example.net",
            )
        )
    return found


def _mail(sender: str, to: str, subject: str, when: dt.datetime, seed: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = f"<{seed}@{sender.split('@')[1]}>"
    return message


def aggregate_mail(
    org: str,
    sender: str,
    style: str,
    report_id: str,
    domain: str,
    begin: dt.datetime,
    records: list[SampleRecord],
) -> bytes:
    """Return a mail carrying one aggregate report as a gzip or zip attachment."""
    xml = aggregate_xml(org, sender, report_id, domain, begin, records)
    start = int(begin.timestamp())
    name = f"{org.replace(' ', '_')}!{domain}!{start}!{start + 86399}"
    subject = f"Report Domain: {domain} Submitter: {org} Report-ID: <{report_id}>"
    message = _mail(
        sender, f"dmarc@{domain}", subject, begin + dt.timedelta(days=1, hours=2), report_id
    )
    message.set_content(f"This is an aggregate report from {org}.\n")
    if style == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{name}.xml", xml)
        message.add_attachment(buffer.getvalue(), "application", "zip", filename=f"{name}.zip")
    else:
        packed = gzip.compress(xml, mtime=0)
        message.add_attachment(packed, "application", "gzip", filename=f"{name}.xml.gz")
    return message.as_bytes()


def tls_mail(report_id: str, domain: str, begin: dt.datetime, failures: int) -> bytes:
    """Return a mail carrying a gzipped SMTP TLS report for ``domain``."""
    document = {
        "organization-name": "Example TLS Reporter",
        "date-range": {
            "start-datetime": begin.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end-datetime": (begin + dt.timedelta(days=1) - dt.timedelta(seconds=1)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
        },
        "contact-info": "smtp-tls-reporting@example.net",
        "report-id": report_id,
        "policies": [
            {
                "policy": {
                    "policy-type": "sts",
                    "policy-string": ["version: STSv1", "mode: enforce", f"mx: mx1.{domain}"],
                    "policy-domain": domain,
                    "mx-host": [f"mx1.{domain}"],
                },
                "summary": {
                    "total-successful-session-count": 1200,
                    "total-failure-session-count": failures,
                },
                "failure-details": [
                    {
                        "result-type": "certificate-expired",
                        "sending-mta-ip": "198.51.100.25",
                        "receiving-mx-hostname": f"mx1.{domain}",
                        "failed-session-count": failures,
                    }
                ]
                if failures
                else [],
            }
        ],
    }
    sender = "tlsrpt-noreply@example.net"
    message = _mail(
        sender,
        f"tlsrpt@{domain}",
        f"Report Domain: {domain} Submitter: example.net Report-ID: <{report_id}>",
        begin + dt.timedelta(days=1),
        report_id,
    )
    message["TLS-Report-Domain"] = domain
    message["TLS-Report-Submitter"] = "example.net"
    message.set_content("This is an aggregate TLS report from example.net.\n")
    packed = gzip.compress(json.dumps(document, indent=1).encode(), mtime=0)
    message.add_attachment(
        packed, "application", "tlsrpt+gzip", filename=f"example.net!{domain}!{report_id}.json.gz"
    )
    return message.as_bytes()


def failure_mail(domain: str, when: dt.datetime, source_ip: str, number: int) -> bytes:
    """Return an ARF (RFC 6591) DMARC failure report about a message claiming ``domain``."""
    sender = "dmarc-failures@mx.example.net"
    message = _mail(sender, f"ruf@{domain}", f"FW: Report for {domain}", when, f"ruf{number}")
    message.set_content(
        f"This is an authentication failure report for an email message received from IP\n"
        f"{source_ip} on {format_datetime(when)}.\n"
    )
    feedback = (
        "Feedback-Type: auth-failure\r\nUser-Agent: ExampleReporter/1.0\r\nVersion: 1\r\n"
        f"Original-Mail-From: <billing@{domain}>\r\nOriginal-Rcpt-To: <user@example.net>\r\n"
        f"Arrival-Date: {format_datetime(when)}\r\nSource-IP: {source_ip}\r\n"
        f"Reported-Domain: {domain}\r\nAuth-Failure: dmarc\r\nDelivery-Result: reject\r\n"
        f"Authentication-Results: mx.example.net; dmarc=fail header.from={domain}\r\n"
    )
    original = (
        f"From: Billing <billing@{domain}>\r\nTo: user@example.net\r\n"
        f"Subject: Your invoice {number}\r\nDate: {format_datetime(when)}\r\n"
        f"Message-ID: <invoice{number}@{domain}>\r\n\r\nPlease pay.\r\n"
    )
    message.make_mixed()
    message.replace_header(
        "Content-Type", message["Content-Type"].replace("multipart/mixed", "multipart/report")
    )
    message.set_param("report-type", "feedback-report")
    part = EmailMessage()
    part.set_payload(feedback)
    part["Content-Type"] = "message/feedback-report"
    message.attach(part)
    headers = EmailMessage()
    headers.set_payload(original)
    headers["Content-Type"] = "text/rfc822-headers"
    message.attach(headers)
    return message.as_bytes()


def generate_mailbox(
    mails: int,
    *,
    records: tuple[int, int] = (20, 200),
    domains: tuple[str, ...] = ("example.com", "example.net", "example.org"),
    seed: int = 1,
    start: dt.datetime = dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
) -> Iterator[bytes]:
    """Yield ``mails`` aggregate report mails, each with ``records`` (min, max) records.

    Report ids and days differ between mails, so every mail holds a distinct report.
    """
    rng = random.Random(seed)
    for number in range(mails):
        org, sender, style = REPORTERS[number % len(REPORTERS)]
        domain = domains[number % len(domains)]
        begin = start + dt.timedelta(days=number // (len(REPORTERS) * len(domains)))
        count = rng.randint(*records)
        report_id = f"{seed}.{number}.{rng.getrandbits(40):010x}"
        yield aggregate_mail(
            org, sender, style, report_id, domain, begin, _records(rng, domain, count)
        )
