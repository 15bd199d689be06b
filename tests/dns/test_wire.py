"""The lean codec: queries dnspython reads back, answers identical to DnsResolver's decoding."""

from __future__ import annotations

import ipaddress

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailwarden.dns import Answer, GenericRecord, Status
from mailwarden.dns.client import _answer_from_response
from mailwarden.dns.convert import name_text
from mailwarden.dns.wire import EDNS_PAYLOAD, build_question, decode_response
from mailwarden.errors import ParseError

IN = dns.rdataclass.IN
TYPES = ["A", "AAAA", "TXT", "MX", "CNAME", "NS", "PTR", "SOA", "CAA", "TLSA", "DS", "SRV", "DNAME"]

plain_labels = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=10
)
odd_labels = st.binary(min_size=1, max_size=6)
labels = st.one_of(plain_labels.map(str.encode), plain_labels.map(str.encode), odd_labels)
bases = st.sampled_from(["example.com.", "Example.NET.", "a.b.example.org.", "x."]).map(
    dns.name.from_text
)


@st.composite
def names(draw: st.DrawFn, base: dns.name.Name | None = None) -> dns.name.Name:
    """A name below ``base`` (or a drawn base), sometimes in mixed case."""
    parent = base if base is not None else draw(bases)
    prefix = draw(st.lists(labels, max_size=2))
    name = dns.name.Name([*prefix, *parent.labels])
    if draw(st.booleans()):
        name = dns.name.Name([label.upper() for label in name.labels])
    return name


def _ipv6(data: bytes) -> str:
    return str(ipaddress.IPv6Address(data))


ipv6_bytes = st.one_of(
    st.binary(min_size=16, max_size=16),
    st.binary(min_size=4, max_size=4).map(lambda b: bytes(10) + b"\xff\xff" + b),
    st.binary(min_size=4, max_size=4).map(lambda b: bytes(12) + b),
    st.lists(st.sampled_from([b"\0\0", b"\0\1", b"\xff\xff"]), min_size=8, max_size=8).map(
        b"".join
    ),
)


@st.composite
def rdatas(draw: st.DrawFn, rdtype: str, base: dns.name.Name) -> dns.rdata.Rdata:
    """One rdata of ``rdtype`` with drawn contents."""
    u8, u16, u32 = st.integers(0, 255), st.integers(0, 65535), st.integers(0, 2**32 - 1)
    target = draw(names(base))
    text = {
        "A": lambda: str(ipaddress.IPv4Address(draw(st.binary(min_size=4, max_size=4)))),
        "AAAA": lambda: _ipv6(draw(ipv6_bytes)),
        "MX": lambda: f"{draw(u16)} {target}",
        "CNAME": lambda: str(target),
        "NS": lambda: str(target),
        "PTR": lambda: str(target),
        "DNAME": lambda: str(target),
        "SRV": lambda: f"{draw(u16)} {draw(u16)} {draw(u16)} {target}",
        "SOA": lambda: (
            f"{target} h.{base} {draw(u32)} {draw(u32)} {draw(u32)} {draw(u32)} {draw(u32)}"
        ),
    }
    if rdtype in text:
        return dns.rdata.from_text(IN, rdtype, text[rdtype]())
    if rdtype == "TXT":
        strings = draw(st.lists(st.binary(max_size=255), min_size=1, max_size=3))
        return dns.rdata.from_wire(
            IN,
            16,
            b"".join(bytes([len(s)]) + s for s in strings),
            0,
            sum(len(s) + 1 for s in strings),
        )
    if rdtype == "CAA":
        tag = draw(st.text("abcdefXYZ019", min_size=1, max_size=8)).encode()
        wire = bytes([draw(u8), len(tag)]) + tag + draw(st.binary(max_size=40))
        return dns.rdata.from_wire(IN, 257, wire, 0, len(wire))
    if rdtype == "TLSA":
        mtype = draw(st.sampled_from([0, 1, 2, 3]))
        size = {1: 32, 2: 64}.get(mtype)
        data = draw(st.binary(min_size=size or 0, max_size=size or 100))
        wire = bytes([draw(u8), draw(u8), mtype]) + data
        return dns.rdata.from_wire(IN, 52, wire, 0, len(wire))
    digest_type = draw(st.sampled_from([1, 2, 3, 4, 5, 200]))
    size = {1: 20, 2: 32, 3: 32, 4: 48}.get(digest_type)
    digest = draw(st.binary(min_size=size or 1, max_size=size or 90))
    wire = draw(u16).to_bytes(2, "big") + bytes([draw(u8), digest_type]) + digest
    return dns.rdata.from_wire(IN, 43, wire, 0, len(wire))


@st.composite
def rrsets(
    draw: st.DrawFn, owner: dns.name.Name, rdtype: str, base: dns.name.Name
) -> dns.rrset.RRset:
    """An RRset of 1 to 3 drawn rdatas with a drawn TTL (some over 2**31)."""
    ttl = draw(st.one_of(st.integers(0, 100_000), st.integers(0, 2**32 - 1)))
    rrset = dns.rrset.RRset(owner, IN, dns.rdatatype.from_text(rdtype))
    for _ in range(draw(st.integers(1, 3))):
        rrset.add(draw(rdatas(rdtype, base)), ttl)
    return rrset


@st.composite
def responses(draw: st.DrawFn) -> tuple[bytes, str, str]:
    """A response built with dnspython: CNAME chains, answers, SOA, noise, odd rcodes."""
    base = draw(bases)
    qname = draw(names(base))
    rdtype = draw(st.sampled_from(TYPES))
    query = dns.message.make_query(qname, rdtype, use_edns=draw(st.sampled_from([None, 0])), id=7)
    response = dns.message.make_response(query)
    response.set_rcode(draw(st.sampled_from([0, 0, 0, 3, 3, 2, 5])))
    if draw(st.booleans()):
        response.flags |= dns.flags.AD
    current = qname
    for step in range(draw(st.integers(0, 3))):
        target = draw(names(base))
        if draw(st.integers(0, 5)):  # mostly a fresh name; sometimes a loop
            target = dns.name.Name([f"c{step}".encode(), *target.labels])
        cname = dns.rrset.RRset(current, IN, dns.rdatatype.CNAME)
        cname.add(dns.rdata.from_text(IN, "CNAME", str(target)), draw(st.integers(0, 9999)))
        response.answer.append(cname)
        current = target
    if draw(st.booleans()):
        response.answer.append(draw(rrsets(current, rdtype, base)))
        if draw(st.booleans()):  # the same RRset again: duplicates merge on parse
            response.answer.append(draw(rrsets(current, rdtype, base)))
    if draw(st.booleans()):
        response.answer.append(draw(rrsets(draw(names(base)), draw(st.sampled_from(TYPES)), base)))
    for _ in range(draw(st.integers(0, 2))):
        owner = draw(st.sampled_from([base, current, qname, draw(names(base)), dns.name.root]))
        response.authority.append(draw(rrsets(owner, draw(st.sampled_from(["SOA", "NS"])), base)))
    if draw(st.booleans()):
        response.additional.append(draw(rrsets(draw(names(base)), "A", base)))
    wire = response.to_wire(max_size=65535)
    return wire, name_text(qname), rdtype


_QUIET = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")


@_QUIET
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses())
def test_decode_equals_dnspython(case: tuple[bytes, str, str]) -> None:
    """For dnspython-built responses the codec gives exactly DnsResolver's Answer."""
    wire, qname, rdtype = case
    expected = _answer_from_response(dns.message.from_wire(wire), qname, rdtype)
    assert decode_response(wire, qname, rdtype) == expected
    question = build_question(qname, rdtype)
    assert decode_response(wire, qname, rdtype, question) == expected


@_QUIET
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses(), st.data())
def test_damaged_messages_never_raise(case: tuple[bytes, str, str], data: st.DataObject) -> None:
    """Truncated and bit-flipped responses give an Answer, never an exception."""
    wire, qname, rdtype = case
    cut = data.draw(st.integers(0, len(wire)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(wire) - 1), st.integers(0, 255))))
    damaged = bytearray(wire)
    for index, value in flips:
        damaged[index] = value
    for message in (wire[:cut], bytes(damaged)):
        assert isinstance(decode_response(message, qname, rdtype), Answer)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=700))
def test_random_bytes_never_raise(data: bytes) -> None:
    """Random bytes give an Answer (SERVFAIL unless they happen to be a response)."""
    answer = decode_response(data, "example.com", "TXT")
    assert isinstance(answer, Answer)


def _header(ancount: int) -> bytes:
    return bytes.fromhex("1234 8180 0001") + ancount.to_bytes(2, "big") + bytes(4)


def test_compression_loop_is_servfail() -> None:
    """A pointer that points at itself is caught and reported, not followed forever."""
    question = b"\x07example\x03com\x00\x00\x10\x00\x01"
    record = b"\xc0\x1d" + bytes.fromhex("0010 0001 0000 012c 0002") + b"\x01a"
    answer = decode_response(_header(1) + question + record, "example.com", "TXT")
    assert answer.status is Status.SERVFAIL
    assert "pointer" in answer.detail


def test_forward_pointer_is_servfail() -> None:
    """A compression pointer to a later offset is rejected."""
    question = b"\xc0\x20\x00\x10\x00\x01"
    answer = decode_response(_header(0) + question + bytes(20), "example.com", "TXT")
    assert answer.status is Status.SERVFAIL


def test_rdata_length_is_checked() -> None:
    """An A record with 5 octets of data is malformed, not an address."""
    question = b"\x07example\x03com\x00\x00\x01\x00\x01"
    record = b"\xc0\x0c" + bytes.fromhex("0001 0001 0000 012c 0005") + bytes(5)
    answer = decode_response(_header(1) + question + record, "example.com", "A")
    assert answer.status is Status.SERVFAIL
    assert "length" in answer.detail


def test_query_is_what_dnspython_reads() -> None:
    """The query carries one question, RD, EDNS0 with payload 1232 and DO when asked."""
    question = build_question("Mail.Example.COM.", "MX", dnssec=True)
    message = dns.message.from_wire(question.query(0xBEEF))
    assert message.id == 0xBEEF
    assert message.question[0].name == dns.name.from_text("mail.example.com.")
    assert message.question[0].rdtype == dns.rdatatype.MX
    assert message.flags & dns.flags.RD and message.flags & dns.flags.AD
    assert message.edns == 0 and message.payload == EDNS_PAYLOAD
    assert message.ednsflags & dns.flags.DO
    plain = dns.message.from_wire(build_question("example.com", "TXT").query(1))
    assert not plain.ednsflags & dns.flags.DO


def test_generic_presentation_matches_dnspython() -> None:
    """CAA and an unknown type are shown exactly as dnspython shows them."""
    for rdtype, text in [
        ("CAA", '0 issue "ca.example; x=\\"y\\""'),
        ("TYPE65000", "\\# 3 abcdef"),
        ("HINFO", '"cpu" "os"'),
    ]:
        response = dns.message.make_response(dns.message.make_query("example.com", rdtype))
        response.answer.append(dns.rrset.from_text("example.com.", 60, "IN", rdtype, text))
        wire = response.to_wire()
        answer = decode_response(wire, "example.com", rdtype)
        assert answer == _answer_from_response(dns.message.from_wire(wire), "example.com", rdtype)
        assert isinstance(answer.records[0], GenericRecord)


def test_bad_name_cannot_be_built() -> None:
    """A label over 63 octets is refused when the query is built."""
    with pytest.raises(ParseError):
        build_question("a" * 64 + ".example", "A")
