"""Turn dnspython rdata into mailwarden's typed records."""

from __future__ import annotations

from typing import Any

import dns.name
import dns.rdatatype

from mailwarden.dns.answer import (
    AddressRecord,
    GenericRecord,
    MXRecord,
    NameRecord,
    Record,
    TXTRecord,
)

__all__ = ["name_text", "record_from_rdata"]

_NAME_TYPES = frozenset({"CNAME", "PTR", "NS", "DNAME"})


def name_text(name: dns.name.Name) -> str:
    """Return ``name`` in lower case without the final dot; the root name is ``""``."""
    if name == dns.name.root:
        return ""
    return name.to_text(omit_final_dot=True).lower()


def record_from_rdata(rdata: Any) -> Record:
    """Return the typed record for one dnspython ``Rdata``."""
    rdtype = dns.rdatatype.to_text(rdata.rdtype)
    if rdtype in ("TXT", "SPF"):
        return TXTRecord(tuple(rdata.strings), rdtype)
    if rdtype in ("A", "AAAA"):
        return AddressRecord(rdtype, str(rdata.address))
    if rdtype == "MX":
        return MXRecord(int(rdata.preference), name_text(rdata.exchange))
    if rdtype in _NAME_TYPES:
        return NameRecord(rdtype, name_text(rdata.target))
    return GenericRecord(rdtype, rdata.to_text())
