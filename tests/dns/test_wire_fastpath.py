"""The codec's shortcuts: negative answers decoded from the header and SOA alone, and questions
built from a cached parent name, checked against the full decode and dnspython."""

from __future__ import annotations

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailwarden.dns import Status
from mailwarden.dns.client import _answer_from_response
from mailwarden.dns.convert import name_text
from mailwarden.dns.wire import _negative_answer, build_question, decode_response

from .test_wire import bases, names

IN = dns.rdataclass.IN
NEGATIVE_TYPES = ["TXT", "A", "MX", "AAAA", "CNAME", "SOA"]
_QUIET = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")

# A real NXDOMAIN for a probed selector, as NSD sends it: the SOA's owner points into the
# question, the OPT record last.
NSD_NXDOMAIN = bytes.fromhex(
    "04d2 8503 0001 0000 0001 0001 0764656661756c74 0a5f646f6d61696e6b6579 07643030303030"
    "30 0474657374 00 0010 0001 c01f 0006 0001 0000012c 0031 036e7331 096d61696c686f737430"
    "c027 0a686f73746d6173746572 c01f 78c275f5 00001c20 00000e10 00127500 0000012c"
    "0000290 4d0 0000 0000 0000".replace(" ", "")
)


def _soa(owner: dns.name.Name, ttl: int, minimum: int, rdclass: int = IN) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(owner, rdclass, dns.rdatatype.SOA)
    text = f"ns1.example. hostmaster.example. 1 7200 3600 1209600 {minimum}"
    rrset.add(dns.rdata.from_text(rdclass, dns.rdatatype.SOA, text), ttl)
    return rrset


@st.composite
def negative_responses(draw: st.DrawFn) -> tuple[bytes, str, str]:
    """An answerless response as servers send them, with some variations off the common shape:
    SOA owners at or above the name or elsewhere, two SOAs, an NS, another class, extended
    rcodes, no EDNS, extra additional records."""
    base = draw(bases)
    qname = draw(names(base))
    rdtype = draw(st.sampled_from(NEGATIVE_TYPES))
    query = dns.message.make_query(qname, rdtype, use_edns=draw(st.sampled_from([None, 0])), id=9)
    response = dns.message.make_response(query)
    response.set_rcode(draw(st.sampled_from([0, 3, 3, 3, 2, 5, 16])))
    if draw(st.booleans()):
        response.flags |= dns.flags.AD
    ttls = st.one_of(st.integers(0, 100_000), st.integers(0, 2**32 - 1))
    owners = [qname, qname.parent() if qname != dns.name.root else qname, base, dns.name.root]
    for _ in range(draw(st.sampled_from([1, 1, 1, 0, 2]))):
        owner = draw(st.one_of(st.sampled_from(owners), names(base)))
        rdclass = draw(st.sampled_from([IN, IN, IN, dns.rdataclass.CH]))
        if draw(st.integers(0, 6)):
            response.authority.append(_soa(owner, draw(ttls), draw(ttls), rdclass))
        else:
            ns = dns.rrset.RRset(owner, IN, dns.rdatatype.NS)
            ns.add(dns.rdata.from_text(IN, dns.rdatatype.NS, "ns1.example."), draw(ttls))
            response.authority.append(ns)
    if draw(st.integers(0, 5)) == 0:
        extra = dns.rrset.RRset(dns.name.from_text("ns1.example."), IN, dns.rdatatype.A)
        extra.add(dns.rdata.from_text(IN, dns.rdatatype.A, "192.0.2.1"), 60)
        response.additional.append(extra)
    if response.edns >= 0 and draw(st.booleans()):
        response.use_edns(0, options=[dns.edns.GenericOption(65001, b"x")])
    wire = response.to_wire(max_size=65535)
    return wire, name_text(qname), rdtype


@_QUIET
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(negative_responses())
def test_negative_shortcut_equals_full_decode_and_dnspython(case: tuple[bytes, str, str]) -> None:
    """With the question sent (the shortcut's path) the answer is the full decode's and
    DnsResolver's."""
    wire, qname, rdtype = case
    expected = _answer_from_response(dns.message.from_wire(wire), qname, rdtype)
    question = build_question(qname, rdtype)
    assert decode_response(wire, qname, rdtype, question) == expected
    assert decode_response(wire, qname, rdtype) == expected


@_QUIET
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(negative_responses(), st.data())
def test_damaged_negative_responses_decode_alike(
    case: tuple[bytes, str, str], data: st.DataObject
) -> None:
    """A truncated or bit-flipped negative response gives the same Answer with or without the
    shortcut (never an exception)."""
    wire, qname, rdtype = case
    question = build_question(qname, rdtype)
    cut = data.draw(st.integers(len(question.section) + 8, len(wire)))
    start = data.draw(st.integers(0, len(wire) - 1))
    flips = data.draw(st.lists(st.tuples(st.integers(start, len(wire) - 1), st.integers(0, 255))))
    damaged = bytearray(wire)
    for index, value in flips:
        damaged[index] = value
    for message in (wire[:cut], bytes(damaged)):
        assert decode_response(message, qname, rdtype, question) == decode_response(
            message, qname, rdtype
        )


def test_nsd_nxdomain_takes_the_shortcut() -> None:
    """NSD's NXDOMAIN for a probed selector is decoded by the shortcut, to dnspython's answer."""
    qname = "default._domainkey.d000000.test"
    question = build_question(qname, "TXT")
    end = 12 + len(question.section)
    shortcut = _negative_answer(NSD_NXDOMAIN, qname, "TXT", question.text, end)
    expected = _answer_from_response(dns.message.from_wire(NSD_NXDOMAIN), qname, "TXT")
    assert shortcut is not None
    assert shortcut == expected
    assert shortcut.status is Status.NXDOMAIN and shortcut.ttl == 300
    assert decode_response(NSD_NXDOMAIN, qname, "TXT", question) == expected


def test_shortcut_declines_other_shapes() -> None:
    """An answer record, a second authority record or an uncompressed SOA owner is left to the
    full decode."""
    qname = "default._domainkey.d000000.test"
    question = build_question(qname, "TXT")
    end = 12 + len(question.section)
    two_authority = NSD_NXDOMAIN[:8] + b"\0\2" + NSD_NXDOMAIN[10:]
    uncompressed = NSD_NXDOMAIN[:end] + b"\4test\0" + NSD_NXDOMAIN[end + 2 :]
    for wire in (two_authority, uncompressed):
        assert _negative_answer(wire, qname, "TXT", question.text, end) is None
    full = decode_response(uncompressed, qname, "TXT")
    assert decode_response(uncompressed, qname, "TXT", question) == full
    assert full.status is Status.NXDOMAIN


@settings(max_examples=300, deadline=None)
@given(st.lists(names(), min_size=1, max_size=6), st.sampled_from(["TXT", "MX", "A", "TYPE65"]))
def test_questions_from_cached_parents_match_dnspython(
    drawn: list[dns.name.Name], rdtype: str
) -> None:
    """A question built after its parent was cached has dnspython's wire form."""
    for name in drawn:
        for qname in (name, dns.name.Name([b"sel", *name.labels])):
            question = build_question(name_text(qname), rdtype)
            wanted = qname.canonicalize().to_wire()
            assert wanted is not None
            assert (
                question.section
                == wanted + dns.rdatatype.from_text(rdtype).to_bytes(2, "big") + b"\0\1"
            )
            message = dns.message.from_wire(question.query(5))
            assert message.question[0].name == qname
