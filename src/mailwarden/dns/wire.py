"""A lean DNS message codec for bulk surveys: build queries, decode responses into ``Answer``s.

Only what a survey asks is decoded by hand: A, AAAA, TXT/SPF, MX, CNAME, NS, PTR, DNAME, CAA,
TLSA/SMIMEA, DS, and SOA in the authority section for the negative-caching TTL. Any other
record type in an answer is handed to dnspython's rdata parser so that its presentation form
is exactly dnspython's. The decoded ``Answer`` follows ``DnsResolver`` to the letter (CNAME
chains, NXDOMAIN / NODATA, negative TTL from the SOA, AD bit, duplicate records merged like
dnspython's RRsets). A malformed message gives a SERVFAIL ``Answer`` whose ``detail`` says what
is wrong; no exception escapes ``decode_response``.

Two shortcuts serve a survey's commonest traffic, both giving exactly what the general path
gives: a negative answer of the usual shape (no answer records, one SOA owned by the question
name or an ancestor, EDNS0) is read from its header, SOA and OPT record alone; and a question
whose parent name was asked recently (a DKIM probe's ``selector._domainkey.<domain>``) is
built from that parent's cached wire form plus one label.
"""

from __future__ import annotations

import re
import socket
import struct
from typing import Any, NamedTuple

import dns.exception
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from mailwarden.dns.answer import (
    AddressRecord,
    Answer,
    GenericRecord,
    MXRecord,
    NameRecord,
    Record,
    Status,
    TXTRecord,
)
from mailwarden.errors import ParseError

__all__ = ["EDNS_PAYLOAD", "Question", "build_question", "decode_response"]

EDNS_PAYLOAD = 1232
MAX_CHAIN = 16
MAX_POINTER_HOPS = 16
MAX_TTL = 2**32 - 1
NEGATIVE_TTL_WITHOUT_SOA = 300

_HEADER = struct.Struct("!HHHHHH")
_RR = struct.Struct("!HHIH")
_TYPE_CLASS = struct.Struct("!HH")
_U16 = struct.Struct("!H")
_DS_HEAD = struct.Struct("!HBB")

_QR, _AD, _RD, _OPCODE = 0x8000, 0x0020, 0x0100, 0x7800
_CNAME, _SOA, _SIG, _OPT, _RRSIG, _TSIG = 5, 6, 24, 41, 46, 250
_SINGLETONS = frozenset({5, 6, 30, 39, 47})  # CNAME SOA NXT DNAME NSEC keep only the last rdata
_NAME_TYPES = {5: "CNAME", 12: "PTR", 2: "NS", 39: "DNAME"}
_TYPE_NAMES = {1: "A", 28: "AAAA", 16: "TXT", 99: "SPF", 15: "MX", 6: "SOA", 257: "CAA"}
_TYPE_NAMES.update(_NAME_TYPES)
_TYPE_NAMES.update({52: "TLSA", 53: "SMIMEA", 43: "DS"})
_DS_DIGEST_LENGTHS = {1: 20, 2: 32, 3: 32, 4: 48}
_TLSA_LENGTHS = {1: 32, 2: 64}
_HEX_CHUNK = 128
_PLAIN_LABEL = re.compile(r"[a-z0-9_*-]{1,63}")
_PLAIN_NAME = re.compile(r"[a-z0-9_*-]{1,63}(?:\.[a-z0-9_*-]{1,63})*")
_PLAIN_WIRE = re.compile(rb"[!#%&'*+,\-./0-9:<=>?A-Z\[\]^_`a-z{|}~]*")
_LABEL_CHARS = [
    "\\" + chr(b) if chr(b) in '"().;\\@$' else chr(b) if 0x20 < b < 0x7F else f"\\{b:03d}"
    for b in range(256)
]
_QUOTED_CHARS = [
    "\\" + chr(b) if chr(b) in '"\\' else chr(b) if 0x20 <= b < 0x7F else f"\\{b:03d}"
    for b in range(256)
]

# A parsed resource record: (owner offset, type, class, ttl, rdata offset, rdata length).
_RRTuple = tuple[int, int, int, int, int, int]
# Records of one RRset: (ttl, rdata offset, rdata length) in message order.
_RRList = list[tuple[int, int, int]]
# Decoded names by offset: (text, offset after the name in place, wire length).
_NameCache = dict[int, tuple[str, int, int]]


class _Malformed(Exception):
    """A message that does not follow RFC 1035; the text says what and where."""


class _BadResponse(Exception):
    """A well-formed response that cannot be an answer (dnspython's chaining errors)."""


class Question(NamedTuple):
    """One question ready to send: ``name`` as asked, its type, and the query wire form.

    ``text`` is the name as dnspython would print it (lower case, escaped), ``section`` the
    question section (name, type, class) in lower case and ``tail`` the query after its 2-octet
    ID (flags, counts, question, EDNS0 OPT record).
    """

    name: str
    rdtype: str
    qtype: int
    text: str
    section: bytes
    tail: bytes

    def query(self, ident: int) -> bytes:
        """Return the query message with the 16-bit ``ident`` as its ID."""
        return _U16.pack(ident) + self.tail


_QTYPES: dict[str, int] = {}
_TYPE_CLASS_WIRE: dict[int, bytes] = {}
# Wire form of recently asked parent names (a plain name minus its first label): the selector
# names of a DKIM probe share ``_domainkey.<domain>``, so each is one label and a lookup.
_SUFFIXES: dict[str, bytes] = {}
_SUFFIXES_KEPT = 4096
_LENGTH = [bytes((i,)) for i in range(64)]
_TAIL = (_HEADER.pack(0, _RD, 1, 0, 0, 1)[2:], b"\0" + _RR.pack(_OPT, EDNS_PAYLOAD, 0, 0))
_TAIL_DNSSEC = (
    _HEADER.pack(0, _RD | _AD, 1, 0, 0, 1)[2:],
    b"\0" + _RR.pack(_OPT, EDNS_PAYLOAD, 0x8000, 0),
)


def build_question(name: str, rdtype: str, *, dnssec: bool = False) -> Question:
    """Return the ``Question`` for ``name`` / ``rdtype`` with EDNS0 (payload 1232).

    ``name`` is normalized like ``DnsResolver`` does (lower case, no trailing dot). With
    ``dnssec`` the DO and AD bits are set. Raises ``ParseError`` for a name that is not a valid
    DNS name or an unknown type.
    """
    qname = name.rstrip(".").lower()
    qtype = _QTYPES.get(rdtype)
    if qtype is None:
        qtype = _qtype(rdtype)
    first, dot, rest = qname.partition(".")
    known = _SUFFIXES.get(rest) if dot else None
    if known is not None and len(qname) <= 253 and _PLAIN_LABEL.fullmatch(first):
        text = qname
        wire = _LENGTH[len(first)] + first.encode() + known
    elif len(qname) <= 253 and _PLAIN_NAME.fullmatch(qname):
        text = qname
        wire = b"".join([_LENGTH[len(x)] + x for x in qname.encode().split(b".")]) + b"\0"
        if dot:
            if len(_SUFFIXES) >= _SUFFIXES_KEPT:
                _SUFFIXES.clear()
            _SUFFIXES[rest] = wire[len(first) + 1 :]
    else:
        text, wire = _name_wire(qname)
    section = wire + _TYPE_CLASS_WIRE[qtype] if qtype in _TYPE_CLASS_WIRE else _section(wire, qtype)
    head, opt = _TAIL_DNSSEC if dnssec else _TAIL
    return Question(qname, rdtype, qtype, text, section, head + section + opt)


def _section(wire: bytes, qtype: int) -> bytes:
    type_class = _TYPE_CLASS.pack(qtype, 1)
    if len(_TYPE_CLASS_WIRE) < 1024:
        _TYPE_CLASS_WIRE[qtype] = type_class
    return wire + type_class


def _qtype(rdtype: str) -> int:
    try:
        value = int(dns.rdatatype.from_text(rdtype))
    except (dns.exception.DNSException, ValueError) as exc:
        raise ParseError(str(exc), rdtype) from None
    if len(_QTYPES) < 1024:
        _QTYPES[rdtype] = value
    return value


def _name_wire(qname: str) -> tuple[str, bytes]:
    import dns.name  # only for names outside the plain-label fast path

    try:
        name = dns.name.from_text(qname or ".").canonicalize()
    except (dns.exception.DNSException, ValueError) as exc:
        raise ParseError(str(exc), qname) from None
    text = "" if name == dns.name.root else name.to_text(omit_final_dot=True).lower()
    return text, name.to_wire() or b"\0"


def decode_response(
    wire: bytes, qname: str, rdtype: str, question: Question | None = None
) -> Answer:
    """Return the ``Answer`` a response message gives for ``qname`` / ``rdtype``.

    ``qname`` and ``rdtype`` are copied into the answer as asked; the question section of the
    message drives the CNAME chain. ``question``, when given, is the question that was sent:
    a matching question section then need not be decoded again. Never raises: a malformed
    message is a SERVFAIL answer.
    """
    names: _NameCache = {}
    if question is not None:
        section = question.section
        end = 8 + len(section)
        if wire.startswith(section, 12):  # the question as asked: name, type and class
            if not wire[6] and not wire[7]:  # no answer records
                negative = _negative_answer(wire, qname, rdtype, question.text, end + 4)
                if negative is not None:
                    return negative
            names[12] = (question.text, end, end - 12)
        else:
            asked = section[:-4]
            got = wire[12:end]
            if got == asked or got.lower() == asked:
                names[12] = (question.text, end, end - 12)
    try:
        return _decode(wire, qname, rdtype, names)
    except _BadResponse as exc:
        return Answer(qname, rdtype, Status.SERVFAIL, detail=f"bad response: {exc}")
    except _Malformed as exc:
        return Answer(qname, rdtype, Status.SERVFAIL, detail=f"malformed response: {exc}")
    except (IndexError, ValueError, struct.error, dns.exception.DNSException) as exc:
        detail = f"malformed response: {type(exc).__name__}: {exc}"
        return Answer(qname, rdtype, Status.SERVFAIL, detail=detail)


def _negative_answer(wire: bytes, qname: str, rdtype: str, qtext: str, pos: int) -> Answer | None:
    """Return the NXDOMAIN or NODATA ``Answer`` of the common negative response, or None.

    The common shape, nearly every answer of a survey's probes: the question as asked, no
    answer records, at most one authority record, an SOA whose owner points into the question
    name at a label boundary (so it is the question name or one of its ancestors), and at most
    an EDNS0 OPT record. Only the header, the SOA's TTL and minimum and the OPT record are read;
    anything else (or anything odd) returns None and the message takes the full decode, which
    gives the same ``Answer`` for this shape.
    """
    size = len(wire)
    # QR set, opcode QUERY, one question, at most one authority and one additional record.
    if wire[2] & 0xF8 != 0x80 or wire[4] or wire[5] != 1 or wire[8] or wire[10]:
        return None
    low_rcode = wire[3] & 0xF
    if low_rcode != 0 and low_rcode != 3:
        return None
    min_ttl = NEGATIVE_TTL_WITHOUT_SOA
    nscount = wire[9]
    if nscount == 1:
        if pos + 12 > size or wire[pos] < 0xC0:
            return None
        target = ((wire[pos] & 0x3F) << 8) | wire[pos + 1]
        label = 12
        while label < target and wire[label]:
            label += wire[label] + 1
        rtype, rclass, ttl, rdlen = _RR.unpack_from(wire, pos + 2)
        if label != target or rtype != _SOA or rclass != 1:
            return None
        pos += 12
        if pos + rdlen > size:
            return None
        try:
            minimum = _soa_minimum(wire, pos, rdlen)
        except _Malformed:
            return None
        min_ttl = min(ttl if ttl <= 0x7FFFFFFF else 0, minimum)
        pos += rdlen
    elif nscount:
        return None
    ednsflags = 0
    arcount = wire[11]
    if arcount == 1:
        if pos + 11 > size or wire[pos] != 0:
            return None
        rtype, _, ednsflags, rdlen = _RR.unpack_from(wire, pos + 1)
        pos += 11
        if rtype != _OPT or pos + rdlen != size:
            return None
        if rdlen:
            try:
                _check_options(wire, pos, size)
            except _Malformed:
                return None
        pos = size
    elif arcount:
        return None
    if pos != size:
        return None
    rcode = low_rcode | ((ednsflags >> 20) & 0xFF0)
    if rcode == 3:
        status = Status.NXDOMAIN
    elif rcode == 0:
        status = Status.NODATA
    else:
        return None
    canonical = qtext if qtext != qname else None
    return Answer(qname, rdtype, status, (), min_ttl, canonical, bool(wire[3] & 0x20))


def _decode(wire: bytes, qname: str, rdtype: str, names: _NameCache) -> Answer:
    size = len(wire)
    if size < 12:
        raise _Malformed(f"{size} octets, shorter than a header")
    _, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack_from(wire)
    if not flags & _QR:
        raise _BadResponse("Message is not a response to a query.")
    if flags & _OPCODE:
        raise _Malformed(f"opcode {(flags & _OPCODE) >> 11} is not QUERY")
    if qdcount != 1:
        raise _BadResponse("DNS message is malformed.")
    known = names.get(12)
    if known is not None:
        qtext, pos, _ = known
    else:
        qtext, pos = _read_name(wire, 12, size, names)
    if pos + 4 > size:
        raise _Malformed("question runs past the end")
    qtype, qclass = _TYPE_CLASS.unpack_from(wire, pos)
    rrsets, soas, ednsflags = _scan(
        wire, pos + 4, (ancount, nscount, arcount), qtype, qclass, names
    )
    rcode = (flags & 0xF) | ((ednsflags >> 20) & 0xFF0)
    found = rrsets.get((qtext, qtype))
    if found is not None:
        canonical = qtext
        min_ttl = found[0][0] if len(found) == 1 else min(entry[0] for entry in found)
    elif not rrsets:
        canonical, min_ttl = qtext, MAX_TTL
    else:
        canonical, found, min_ttl = _follow_chain(wire, rrsets, qtext, qtype, names)
    if found is None:
        if rcode == 3 or rcode == 0:
            min_ttl = _negative_ttl(wire, soas, canonical, min_ttl)
    elif rcode == 3:
        raise _BadResponse("The rcode is NXDOMAIN but an answer was found.")
    canonical_name = canonical if canonical != qname else None
    if rcode == 3:
        return Answer(
            qname, rdtype, Status.NXDOMAIN, (), min_ttl, canonical_name, bool(flags & _AD)
        )
    if rcode != 0:
        return Answer(qname, rdtype, Status.SERVFAIL, detail=f"rcode {dns.rcode.to_text(rcode)}")
    if found is None:
        return Answer(qname, rdtype, Status.NODATA, (), min_ttl, canonical_name, bool(flags & _AD))
    if len(found) == 1:
        records: tuple[Record, ...] = (
            _record(wire, qtype, qclass, found[0][1], found[0][2], names)[0],
        )
    else:
        records = _rrset_records(wire, found, qtype, qclass, names)
    return Answer(
        qname, rdtype, Status.NOERROR, records, min_ttl, canonical_name, bool(flags & _AD)
    )


def _scan(
    wire: bytes,
    pos: int,
    counts: tuple[int, int, int],
    qtype: int,
    qclass: int,
    names: _NameCache,
) -> tuple[dict[tuple[str, int], _RRList], dict[str, _RRList], int]:
    """Walk the three sections once; return the answer RRsets that matter, the authority
    SOAs by owner, and the EDNS flags (OPT TTL field)."""
    size = len(wire)
    rrsets: dict[tuple[str, int], _RRList] = {}
    soas: dict[str, _RRList] = {}
    ednsflags, seen_opt = 0, False
    qtext = names[12][0] if 12 in names else ""
    for section, count in enumerate(counts):
        for _ in range(count):
            start = pos
            first = wire[pos] if pos < size else -1
            if first >= 0xC0 and pos + 2 <= size and ((first & 0x3F) << 8) | wire[pos + 1] < pos:
                pos += 2
            elif first == 0:
                pos += 1
            else:
                pos = _skip_name(wire, pos, size)
            if pos + 10 > size:
                raise _Malformed(f"record header at {start} runs past the end")
            rtype, rclass, ttl, rdlen = _RR.unpack_from(wire, pos)
            pos += 10
            if pos + rdlen > size:
                raise _Malformed(f"record data at {pos} runs past the end")
            if rtype in (_OPT, _TSIG):
                if section != 2 or rtype == _TSIG or seen_opt or first != 0:
                    raise _Malformed(f"unexpected type {rtype} record at {start}")
                _check_options(wire, pos, pos + rdlen)
                ednsflags, seen_opt = ttl, True
            elif rclass != qclass:
                pass
            elif section == 0:
                if (rtype in (qtype, _CNAME)) and rtype != _SIG and rtype != _RRSIG:
                    if first == 0xC0 and wire[start + 1] == 12 and qtext:
                        owner = qtext
                    else:
                        owner = _read_name(wire, start, size, names)[0]
                    entry = (ttl if ttl <= 0x7FFFFFFF else 0, pos, rdlen)
                    found = rrsets.get((owner, rtype))
                    if found is None:
                        rrsets[(owner, rtype)] = [entry]
                    else:
                        found.append(entry)
            elif section == 1 and rtype == _SOA:
                owner = _read_name(wire, start, size, names)[0]
                entry = (ttl if ttl <= 0x7FFFFFFF else 0, pos, rdlen)
                soas.setdefault(owner, []).append(entry)
            pos += rdlen
    if pos != size:
        raise _Malformed(f"{size - pos} octets of trailing data")
    return rrsets, soas, ednsflags


def _skip_name(wire: bytes, pos: int, size: int) -> int:
    start = pos
    while pos < size:
        length = wire[pos]
        if length == 0:
            return pos + 1
        if length < 64:
            pos += length + 1
        elif length >= 0xC0:
            if pos + 2 > size:
                break
            if ((length & 0x3F) << 8) | wire[pos + 1] >= start:
                raise _Malformed(f"compression pointer at {pos} does not point backwards")
            return pos + 2
        else:
            raise _Malformed(f"label type {length:#x} at {pos}")
    raise _Malformed(f"name at {start} runs past the end")


def _read_name(wire: bytes, pos: int, limit: int, names: _NameCache) -> tuple[str, int]:
    """Return the name at ``pos`` (lower case, escaped like dnspython) and the offset after it.

    Compression pointers must point strictly backwards of the previous one and may not overlap
    the part of the name that points to them, which bounds the work on hostile input.
    """
    origin = segment = biggest = pos
    labels: list[bytes] = []
    wirelen, hops, after = 1, 0, -1
    suffix = ""
    while True:
        hit = names.get(pos)
        if hit is not None:
            suffix, hit_after, hit_len = hit
            wirelen += hit_len - 1
            if after < 0:
                after = hit_after
            break
        if pos >= limit:
            raise _Malformed(f"name at {origin} runs past its end")
        length = wire[pos]
        if length == 0:
            if after < 0:
                after = pos + 1
            break
        if length < 64:
            end = pos + 1 + length
            if end > limit:
                raise _Malformed(f"label at {pos} runs past its end")
            labels.append(wire[pos + 1 : end])
            wirelen += length + 1
            pos = end
        elif length >= 0xC0:
            if pos + 2 > limit:
                raise _Malformed(f"compression pointer at {pos} runs past its end")
            target = ((length & 0x3F) << 8) | wire[pos + 1]
            hops += 1
            if target >= biggest or hops > MAX_POINTER_HOPS:
                raise _Malformed(f"compression pointer at {pos} does not point backwards")
            if after < 0:
                after = pos + 2
            biggest, limit, segment, pos = target, segment, target, target
        else:
            raise _Malformed(f"label type {length:#x} at {pos}")
    if wirelen > 255:
        raise _Malformed(f"name at {origin} is longer than 255 octets")
    text = _labels_text(labels, suffix) if labels else suffix
    names[origin] = (text, after, wirelen)
    return text, after


def _labels_text(labels: list[bytes], suffix: str) -> str:
    raw = b".".join(labels)
    if _PLAIN_WIRE.fullmatch(raw) and raw.count(b".") == len(labels) - 1:
        text = raw.lower().decode("ascii")
    else:
        text = ".".join("".join([_LABEL_CHARS[b] for b in label]) for label in labels).lower()
    return f"{text}.{suffix}" if suffix else text


def _check_options(wire: bytes, pos: int, end: int) -> None:
    while pos < end:
        if pos + 4 > end:
            raise _Malformed(f"EDNS option at {pos} runs past the record")
        pos += 4 + _U16.unpack_from(wire, pos + 2)[0]
    if pos != end:
        raise _Malformed("EDNS option runs past the record")


def _follow_chain(
    wire: bytes,
    rrsets: dict[tuple[str, int], _RRList],
    qtext: str,
    qtype: int,
    names: _NameCache,
) -> tuple[str, _RRList | None, int]:
    current, min_ttl, count = qtext, MAX_TTL, 0
    found: _RRList | None = None
    while count < MAX_CHAIN:
        found = rrsets.get((current, qtype))
        if found is not None:
            min_ttl = min(min_ttl, min(entry[0] for entry in found))
            break
        cnames = rrsets.get((current, _CNAME)) if qtype != _CNAME else None
        if cnames is None:
            break
        min_ttl = min(min_ttl, min(entry[0] for entry in cnames))
        for _, rstart, rdlen in cnames:  # every rdata is checked; the last one is kept
            current = _rdata_name(wire, rstart, rdlen, names)
        count += 1
    if count >= MAX_CHAIN:
        raise _BadResponse("The CNAME chain is too long.")
    return current, found, min_ttl


def _negative_ttl(wire: bytes, soas: dict[str, _RRList], name: str, min_ttl: int) -> int:
    while True:
        found = soas.get(name)
        if found is not None:
            minimum = 0
            for _, rstart, rdlen in found:  # singleton: the last SOA is kept
                minimum = _soa_minimum(wire, rstart, rdlen)
            return min(min_ttl, min(entry[0] for entry in found), minimum)
        if not name:
            return min(min_ttl, NEGATIVE_TTL_WITHOUT_SOA)
        name = _parent(name)


def _parent(name: str) -> str:
    if "\\" not in name:
        dot = name.find(".")
        return "" if dot < 0 else name[dot + 1 :]
    i = 0
    while i < len(name):
        if name[i] == "\\":
            i += 4 if name[i + 1 : i + 2].isdigit() else 2
        elif name[i] == ".":
            return name[i + 1 :]
        else:
            i += 1
    return ""


def _soa_minimum(wire: bytes, rstart: int, rdlen: int) -> int:
    end = rstart + rdlen
    pos = _skip_name(wire, _skip_name(wire, rstart, end), end)
    if pos + 20 != end:
        raise _Malformed(f"SOA record at {rstart} has the wrong length")
    return int(struct.unpack_from("!I", wire, pos + 16)[0])


def _rdata_name(wire: bytes, rstart: int, rdlen: int, names: _NameCache) -> str:
    end = rstart + rdlen
    text, after = _read_name(wire, rstart, end, names)
    if after != end:
        raise _Malformed(f"record data at {rstart} has {end - after} extra octets")
    return text


def _rrset_records(
    wire: bytes, found: _RRList, rtype: int, rclass: int, names: _NameCache
) -> tuple[Record, ...]:
    if len(found) == 1:
        return (_record(wire, rtype, rclass, found[0][1], found[0][2], names)[0],)
    kept: dict[Any, Record] = {}
    for _, rstart, rdlen in found:
        record, key = _record(wire, rtype, rclass, rstart, rdlen, names)
        if rtype in _SINGLETONS:
            kept.clear()
        kept.setdefault(key, record)
    return tuple(kept.values())


def _record(
    wire: bytes, rtype: int, rclass: int, rstart: int, rdlen: int, names: _NameCache
) -> tuple[Record, Any]:
    """Return the typed record for one rdata and the key under which duplicates merge."""
    end = rstart + rdlen
    record: Record
    if rtype == 16 or rtype == 99:
        record = TXTRecord(_strings(wire, rstart, end), _TYPE_NAMES[rtype])
    elif rtype == 1 and rdlen == 4:
        record = AddressRecord("A", socket.inet_ntoa(wire[rstart:end]))
    elif rtype == 28 and rdlen == 16:
        record = AddressRecord("AAAA", socket.inet_ntop(socket.AF_INET6, wire[rstart:end]))
    elif rtype == 15 and rdlen >= 3:
        exchange = _rdata_name(wire, rstart + 2, rdlen - 2, names)
        record = MXRecord(_U16.unpack_from(wire, rstart)[0], exchange)
    elif rtype in _NAME_TYPES:
        record = NameRecord(_NAME_TYPES[rtype], _rdata_name(wire, rstart, rdlen, names))
    elif rtype in (1, 28, 15):
        raise _Malformed(f"{_TYPE_NAMES[rtype]} record at {rstart} has length {rdlen}")
    elif rtype in _GENERIC:
        text = _GENERIC[rtype](wire[rstart:end])
        record = GenericRecord(_TYPE_NAMES[rtype], text)
    else:
        import dns.rdata  # only for record types decoded by dnspython

        kind = dns.rdatatype.RdataType.make(rtype)
        rdata = dns.rdata.from_wire(
            dns.rdataclass.RdataClass.make(rclass), kind, wire, rstart, rdlen
        )
        return GenericRecord(dns.rdatatype.to_text(kind), rdata.to_text()), rdata
    return record, record


def _strings(wire: bytes, pos: int, end: int) -> tuple[bytes, ...]:
    strings: list[bytes] = []
    while pos < end:
        nxt = pos + 1 + wire[pos]
        if nxt > end:
            raise _Malformed(f"character-string at {pos} runs past its record")
        strings.append(wire[pos + 1 : nxt])
        pos = nxt
    if not strings:
        raise _Malformed(f"TXT record at {pos} has no character-string")
    return tuple(strings)


def _hexify(data: bytes) -> str:
    text = data.hex()
    return " ".join(text[i : i + _HEX_CHUNK] for i in range(0, len(text), _HEX_CHUNK))


def _quoted(data: bytes) -> str:
    return "".join([_QUOTED_CHARS[b] for b in data])


def _caa_text(rdata: bytes) -> str:
    if len(rdata) < 2 or len(rdata) < 2 + rdata[1]:
        raise _Malformed("CAA record too short")
    tag = rdata[2 : 2 + rdata[1]]
    if not tag.isalnum():
        raise _Malformed("CAA tag is not alphanumeric")
    return f'{rdata[0]} {_quoted(tag)} "{_quoted(rdata[2 + rdata[1] :])}"'


def _tlsa_text(rdata: bytes) -> str:
    if len(rdata) < 3:
        raise _Malformed("TLSA record too short")
    expected = _TLSA_LENGTHS.get(rdata[2])
    if expected is not None and len(rdata) - 3 != expected:
        raise _Malformed("TLSA data length inconsistent with its matching type")
    return f"{rdata[0]} {rdata[1]} {rdata[2]} {_hexify(rdata[3:])}"


def _ds_text(rdata: bytes) -> str:
    if len(rdata) < 4:
        raise _Malformed("DS record too short")
    key_tag, algorithm, digest_type = _DS_HEAD.unpack_from(rdata)
    expected = _DS_DIGEST_LENGTHS.get(digest_type)
    if digest_type == 0 or (expected is not None and len(rdata) - 4 != expected):
        raise _Malformed("DS digest inconsistent with its digest type")
    return f"{key_tag} {algorithm} {digest_type} {_hexify(rdata[4:])}"


_GENERIC = {257: _caa_text, 52: _tlsa_text, 53: _tlsa_text, 43: _ds_text}
