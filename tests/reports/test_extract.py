"""Unwrapping: gzip, zlib, zip, base64, MIME mail; content wins over labels."""

from __future__ import annotations

import base64
import email
import email.policy
import gzip
import io
import zipfile
import zlib
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailwarden.reports import (
    AggregateReport,
    InvalidReport,
    TlsReport,
    iter_payloads,
    parse_reports,
)
from mailwarden.reports.extract import sniff
from tests.reports.helpers import report

XML = report().encode()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _mail(*attachments: tuple[bytes, str, str], text: str = "Report attached.") -> bytes:
    message = EmailMessage()
    message["From"] = "noreply@reporter.example"
    message["Subject"] = "Report domain: example.com"
    message.set_content(text)
    for data, ctype, name in attachments:
        maintype, subtype = ctype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def _ids(data: bytes) -> list[str]:
    return [r.identity.report_id for r in parse_reports(data, source="in")]


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x1f\x8b\x08", "gzip"),
        (b"PK\x03\x04", "zip"),
        (zlib.compress(b"x")[:2], "zlib"),
        (b"\xef\xbb\xbf<?xml", "xml"),
        (b"  \n<feedback>", "xml"),
        (b'{"a": 1}', "json"),
        (b"Return-Path: <a@b>\r\n", "mail"),
        (base64.b64encode(b"x" * 40), "base64"),
        (b"", "empty"),
        (b"\x00\x01binary", "unknown"),
    ],
)
def test_sniff(head: bytes, kind: str) -> None:
    """Content is recognized by its first bytes."""
    assert sniff(head) == kind


def test_plain_gzip_zlib_and_base64() -> None:
    """The same report plain, gzipped, zlib-compressed and base64-encoded."""
    for data in (XML, gzip.compress(XML), zlib.compress(XML), base64.encodebytes(XML)):
        assert _ids(data) == ["id-1"]


def test_multi_member_gzip() -> None:
    """A gzip file made of two members is read to the end."""
    half = len(XML) // 2
    assert _ids(gzip.compress(XML[:half]) + gzip.compress(XML[half:])) == ["id-1"]


def test_gzip_with_trailing_garbage_is_warned() -> None:
    """Bytes after the gzip stream are tolerated and recorded on the report."""
    (r,) = parse_reports(gzip.compress(XML) + b"garbage\n")
    assert "extract.trailing-garbage" in {w.code for w in r.warnings}
    assert r.identity.report_id == "id-1"


def test_zip_every_member() -> None:
    """Every member of a zip is a report, named in its source."""
    data = _zip({"a.xml": XML, "b.xml.gz": gzip.compress(XML.replace(b"id-1", b"id-2"))})
    reports = list(parse_reports(data, source="r.zip"))
    assert [r.identity.report_id for r in reports] == ["id-1", "id-2"]
    assert [r.source for r in reports] == ["r.zip!a.xml", "r.zip!b.xml.gz"]


def test_mail_with_several_attachments() -> None:
    """A mail with a gzip and a zip attachment gives both reports; the text part is skipped."""
    data = _mail(
        (gzip.compress(XML), "application/gzip", "a.xml.gz"),
        (_zip({"b.xml": XML.replace(b"id-1", b"id-2")}), "application/zip", "b.zip"),
    )
    assert _ids(data) == ["id-1", "id-2"]


@pytest.mark.parametrize("encoded", [False, True], ids=["7bit", "base64"])
def test_nested_message_rfc822(encoded: bool) -> None:
    """A report mail forwarded as message/rfc822 is found inside the outer mail."""
    inner = _mail((gzip.compress(XML), "application/gzip", "a.xml.gz"))
    outer = EmailMessage()
    outer["Subject"] = "Fwd: report"
    outer.set_content("see attached")
    if encoded:  # not allowed by RFC 2046, sent all the same
        outer.add_attachment(inner, maintype="message", subtype="rfc822")
    else:
        outer.add_attachment(email.message_from_bytes(inner, policy=email.policy.default))
    assert _ids(outer.as_bytes()) == ["id-1"]


def test_mislabelled_content_type() -> None:
    """A zip labelled as gzip is read as a zip, with a warning."""
    data = _mail((_zip({"a.xml": XML}), "application/gzip", "a.xml.gz"))
    (r,) = parse_reports(data)
    assert isinstance(r, AggregateReport)
    assert "extract.mislabelled" in {w.code for w in r.warnings}


def test_octet_stream_label_is_not_a_warning() -> None:
    """A generic label is not a mislabel."""
    (r,) = parse_reports(_mail((gzip.compress(XML), "application/octet-stream", "r.bin")))
    assert r.warnings == ()


def test_tlsrpt_gzip_attachment() -> None:
    """An SMTP TLS report as application/tlsrpt+gzip in a mail."""
    document = b'{"organization-name": "O", "report-id": "t1", "date-range": {}, "policies": []}'
    data = _mail((gzip.compress(document), "application/tlsrpt+gzip", "t.json.gz"))
    (r,) = parse_reports(data)
    assert isinstance(r, TlsReport)
    assert r.report_id == "t1"


def test_mail_without_report() -> None:
    """A mail with only a text body is not a report."""
    with pytest.raises(InvalidReport, match="no report found") as info:
        list(parse_reports(_mail(), source="m.eml"))
    assert info.value.source == "m.eml"


def test_unreadable_and_empty(tmp_path: Path) -> None:
    """A missing file and an empty one fail with a reason naming them."""
    with pytest.raises(InvalidReport, match="cannot read"):
        list(iter_payloads(tmp_path / "missing.xml"))
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(InvalidReport, match="empty input") as info:
        list(iter_payloads(empty))
    assert info.value.source == str(empty)


def test_corrupt_zip_and_gzip() -> None:
    """Corrupt archives fail with a reason, not a traceback."""
    with pytest.raises(InvalidReport, match="corrupt"):
        list(parse_reports(b"PK\x03\x04garbage", source="z"))
    with pytest.raises(InvalidReport, match="corrupt compressed data"):
        list(parse_reports(b"\x1f\x8b\x08\x00" + b"\xff" * 40, source="g"))


def test_report_in_the_message_text() -> None:
    """A report sent inline as the text/xml body is found; an HTML body is not a report."""
    message = EmailMessage()
    message["Subject"] = "Report domain: example.com"
    message.set_content(report(), subtype="xml")
    assert _ids(message.as_bytes()) == ["id-1"]
    html = EmailMessage()
    html.set_content("<html><body>hi</body></html>", subtype="html")
    html.add_attachment(XML, maintype="application", subtype="xml", filename="r.xml")
    assert _ids(html.as_bytes()) == ["id-1"]
