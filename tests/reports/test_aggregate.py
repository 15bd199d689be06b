"""The aggregate parser: schemas, tolerated deviations, streaming, repair."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailwarden.reports import (
    AggregateStream,
    InvalidReport,
    OverrideReason,
    Schema,
    parse_aggregate,
)
from tests.reports.helpers import record, report


def _codes(data: str | bytes) -> dict[str, int]:
    raw = data.encode() if isinstance(data, str) else data
    counts: dict[str, int] = {}
    for w in parse_aggregate(raw).warnings:
        counts[w.code] = counts.get(w.code, 0) + w.count
    return counts


def test_clean_report_has_no_warnings() -> None:
    """A report that follows RFC 7489 gives its record and no warning."""
    r = parse_aggregate(report().encode())
    assert r.schema is Schema.RFC7489
    assert r.warnings == ()
    assert r.records[0].auth_results[0].selector == "s1"


def test_uppercase_words_are_normalized_and_counted() -> None:
    """Upper-case result words become the RFC words; each occurrence is counted."""
    data = report(record(disposition="None", dkim="PASS") * 3)
    r = parse_aggregate(data.encode())
    assert {rec.disposition for rec in r.records} == {"none"}
    assert {rec.dkim for rec in r.records} == {"pass"}
    assert _codes(data) == {"aggregate.uppercase-value": 9}


def test_unknown_word_is_kept_with_warning() -> None:
    """A result word outside the schema is kept as reported, with a warning."""
    data = report(record(disposition="discard"))
    assert parse_aggregate(data.encode()).records[0].disposition == "discard"
    assert _codes(data) == {"aggregate.unknown-value": 1}


def test_reasons_with_comment() -> None:
    """Override reasons keep type and comment; several are allowed."""
    rec = record().replace(
        "<spf>fail</spf>\n",
        "<spf>fail</spf><reason><type>forwarded</type><comment>list</comment></reason>"
        "<reason><type>Local_Policy</type></reason>",
    )
    r = parse_aggregate(report(rec).encode())
    assert r.records[0].reasons == (
        OverrideReason("forwarded", "list"),
        OverrideReason("local_policy", None),
    )
    assert {w.code for w in r.warnings} == {"aggregate.uppercase-value"}


def test_missing_required_fields_are_warned() -> None:
    """A record without count and header_from still parses; each gap is named."""
    rec = (
        record()
        .replace("<count>1</count>", "")
        .replace("<header_from>example.com</header_from>", "")
    )
    r = parse_aggregate(report(rec).encode())
    assert r.records[0].count == 0
    assert r.records[0].header_from == ""
    messages = {w.message for w in r.warnings}
    assert messages == {
        "row/count is missing or empty",
        "identifiers/header_from is missing or empty",
    }


def test_invalid_utf8_is_replaced_and_counted() -> None:
    """Invalid UTF-8 bytes become U+FFFD, counted in a warning, the rest is kept."""
    data = report().replace("Reporter", "Rep\udcffor\udcfeter").encode("utf-8", "surrogateescape")
    r = parse_aggregate(data)
    assert r.metadata.org_name == "Rep\ufffdor\ufffdter"
    codes = {w.code: w.count for w in r.warnings}
    assert codes["aggregate.invalid-utf8"] == 2
    assert codes["aggregate.repaired"] == 1


def test_unescaped_ampersand_is_repaired() -> None:
    """A bare '&' and an unknown entity are kept as text."""
    data = report().replace("Reporter", "A & B &nbsp; C")
    r = parse_aggregate(data.encode())
    assert r.metadata.org_name == "A & B &nbsp; C"
    assert _codes(data)["aggregate.unescaped-character"] == 2


def test_latin1_declared_encoding() -> None:
    """A declared single-byte encoding is honoured."""
    data = report().replace('version="1.0"?>', 'version="1.0" encoding="ISO-8859-1"?>')
    r = parse_aggregate(data.replace("Reporter", "Repörter").encode("latin-1"))
    assert r.metadata.org_name == "Repörter"
    assert r.warnings == ()


def test_namespace_prefix_and_extensions() -> None:
    """Prefixed elements are read; extension elements are kept on the report and record."""
    data = (
        '<d:feedback xmlns:d="urn:ietf:params:xml:ns:dmarc-2.0" xmlns:x="urn:x">'
        "<d:report_metadata><d:org_name>R</d:org_name><d:email>a@b</d:email>"
        "<d:report_id>1</d:report_id><d:date_range><d:begin>0</d:begin><d:end>1</d:end>"
        "</d:date_range></d:report_metadata><d:policy_published><d:domain>example.com</d:domain>"
        "<d:p>none</d:p></d:policy_published><d:extension><x:a>1</x:a></d:extension>"
        "<d:record><d:row><d:source_ip>2001:DB8::1</d:source_ip><d:count>4</d:count>"
        "<d:policy_evaluated><d:disposition>none</d:disposition><d:dkim>fail</d:dkim>"
        "<d:spf>fail</d:spf></d:policy_evaluated></d:row><d:identifiers>"
        "<d:header_from>example.com</d:header_from></d:identifiers><d:auth_results/>"
        "<x:extra>yes</x:extra></d:record></d:feedback>"
    )
    r = parse_aggregate(data.encode())
    assert r.schema is Schema.RFC9990
    assert r.extensions == (("extension", "a=1"),)
    rec = r.records[0]
    assert rec.source_ip == "2001:db8::1"
    assert rec.count == 4
    assert rec.extensions == (("extra", "yes"),)


def test_not_feedback_root_is_rejected() -> None:
    """A document whose root is not <feedback> is not an aggregate report."""
    with pytest.raises(InvalidReport, match="not <feedback>"):
        parse_aggregate(b"<html><body/></html>", source="x.xml")


def test_truncated_report_is_an_error() -> None:
    """A report cut off in the middle fails with its position."""
    data = report().encode()[:-40]
    with pytest.raises(InvalidReport, match="not well-formed XML"):
        parse_aggregate(data, source="cut.xml")


def test_trailing_garbage_after_root_is_warned() -> None:
    """Text after </feedback> is ignored with a warning."""
    r = parse_aggregate((report() + "\ngarbage").encode())
    assert len(r.records) == 1
    assert "aggregate.trailing-text" in {w.code for w in r.warnings}


class _CountingReader(io.BytesIO):
    """A stream that remembers how far it has been read."""

    high_water = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        type(self).high_water = max(type(self).high_water, self.tell())
        return data


def test_records_are_produced_while_reading() -> None:
    """The first record is available before the whole input has been read."""
    data = report(record() * 5000).encode()
    _CountingReader.high_water = 0
    stream = AggregateStream(lambda: _CountingReader(data))
    first = next(iter(stream))
    assert first.source_ip == "192.0.2.1"
    assert _CountingReader.high_water < len(data) // 4
    assert stream.metadata.report_id == "id-1"
    assert sum(1 for _ in stream) == 4999


def test_repair_restart_yields_each_record_once() -> None:
    """A defect after many records restarts in repair mode without repeating records."""
    records = "".join(record(ip=f"192.0.2.{i % 250}", count=i) for i in range(1, 3001))
    records += record(ip="198.51.100.7", count=7).replace(
        "example.com</header_from>", "a<b</header_from>"
    )
    data = report(records).encode()
    seen = [rec.count for rec in AggregateStream(lambda: io.BytesIO(data))]
    assert seen == [*range(1, 3001), 7]


def test_element_text_limit() -> None:
    """A huge text node is refused instead of held in memory."""
    from mailwarden.reports import Limits

    data = report().replace("Reporter", "x" * 300_000).encode()
    stream = AggregateStream(lambda: io.BytesIO(data), limits=Limits(max_field_bytes=100_000))
    with pytest.raises(InvalidReport, match="text exceeds"):
        stream.report()


_XML_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(org=_XML_TEXT, header_from=_XML_TEXT)
def test_escaped_text_round_trips(org: str, header_from: str) -> None:
    """Any text, XML-escaped, comes back exactly (leading/trailing blanks stripped)."""
    from xml.sax.saxutils import escape

    rec = record().replace("example.com</header_from>", escape(header_from) + "</header_from>")
    data = report(rec).replace("<org_name>Reporter", "<org_name>" + escape(org))
    r = parse_aggregate(data.encode())
    assert r.metadata.org_name == (org.strip() or "reporter.example")
    assert r.records[0].header_from == header_from.strip()
    assert not {w.code for w in r.warnings} - {"aggregate.missing-field"}


def test_report_without_records_is_warned() -> None:
    """A report with no <record> parses, with a warning."""
    r = parse_aggregate(report(records="").encode())
    assert r.records == ()
    assert _codes(report(records="")) == {"aggregate.no-records": 1}


def test_metadata_after_records_is_warned() -> None:
    """Header elements after the records are still read, with a warning."""
    data = report()
    head, body = data.split("<report_metadata>", 1)
    meta, rest = body.split("<record>", 1)
    moved = (
        head + "<record>" + rest.replace("</feedback>", "<report_metadata>" + meta + "</feedback>")
    )
    r = parse_aggregate(moved.encode())
    assert r.metadata.report_id == "id-1"
    assert r.policy.domain == "example.com"
    assert len(r.records) == 1
    assert _codes(moved) == {"aggregate.misplaced-element": 2}


def test_blank_lines_before_declaration_are_tolerated() -> None:
    """Blank lines before the XML declaration do not make the report malformed."""
    r = parse_aggregate(b"\r\n\n" + report().encode())
    assert r.warnings == ()
    assert r.metadata.org_name == "Reporter"


def test_unknown_declared_encoding_is_read_as_utf8() -> None:
    """An encoding name no codec knows is read as UTF-8, with a warning."""
    data = report().replace('version="1.0"?>', 'version="1.0" encoding="utf8mb4"?>')
    r = parse_aggregate(data.encode())
    assert r.metadata.org_name == "Reporter"
    assert "aggregate.unknown-encoding" in _codes(data)


def test_bytes_invalid_in_declared_encoding_are_counted() -> None:
    """Bytes outside a declared single-byte encoding are replaced and counted."""
    data = report().replace('version="1.0"?>', 'version="1.0" encoding="us-ascii"?>')
    raw = data.replace("Reporter", "Rep\xf6rter").encode("latin-1")
    r = parse_aggregate(raw)
    assert r.metadata.org_name == "Rep\ufffdrter"
    assert {w.code: w.count for w in r.warnings}["aggregate.invalid-bytes"] == 1


def test_blanks_cut_by_a_chunk_boundary_are_not_stray_text() -> None:
    """Indentation that straddles the parser's 64 KiB read boundary gives no warning."""
    head = report("").removesuffix("</feedback>")
    pad = (1 << 16) - len(head.encode()) - 10
    data = head + " " * pad + "\n" + " " * 40 + record() + "</feedback>"
    r = parse_aggregate(data.encode())
    assert len(r.records) == 1
    assert r.warnings == ()
