"""What a DNS lookup returns: a status, typed records and a TTL. Never an exception."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Protocol

__all__ = [
    "AddressRecord",
    "Answer",
    "GenericRecord",
    "MXRecord",
    "NameRecord",
    "Record",
    "Resolver",
    "Status",
    "TXTRecord",
]


class Status(StrEnum):
    """Outcome of one lookup. NXDOMAIN and NODATA are ordinary outcomes, not errors."""

    NOERROR = "NOERROR"
    NXDOMAIN = "NXDOMAIN"
    NODATA = "NODATA"
    SERVFAIL = "SERVFAIL"
    TIMEOUT = "TIMEOUT"


@dataclass(frozen=True, slots=True)
class TXTRecord:
    """A TXT (or SPF type 99) record with its character-strings kept apart."""

    strings: tuple[bytes, ...]
    rdtype: str = "TXT"

    @property
    def text(self) -> str:
        """Return the character-strings joined without separator, decoded as UTF-8 (replacing)."""
        return b"".join(self.strings).decode("utf-8", "replace")

    def to_text(self) -> str:
        """Return the record in zone-file presentation form (quoted strings)."""
        return " ".join(_quote(s) for s in self.strings)


@dataclass(frozen=True, slots=True)
class AddressRecord:
    """An A or AAAA record."""

    rdtype: str
    address: str

    def to_text(self) -> str:
        """Return the address."""
        return self.address


@dataclass(frozen=True, slots=True)
class MXRecord:
    """An MX record; ``exchange`` has no trailing dot (empty string for the null MX ``.``)."""

    preference: int
    exchange: str
    rdtype: ClassVar[str] = "MX"

    def to_text(self) -> str:
        """Return ``preference exchange.``."""
        return f"{self.preference} {self.exchange}."


@dataclass(frozen=True, slots=True)
class NameRecord:
    """A record whose data is one domain name: CNAME, PTR, NS or DNAME (no trailing dot)."""

    rdtype: str
    target: str

    def to_text(self) -> str:
        """Return the target with a trailing dot."""
        return f"{self.target}."


@dataclass(frozen=True, slots=True)
class GenericRecord:
    """Any other record, kept in presentation form (SOA, CAA, TLSA, DS, ...)."""

    rdtype: str
    text: str

    def to_text(self) -> str:
        """Return the presentation form."""
        return self.text


Record = TXTRecord | AddressRecord | MXRecord | NameRecord | GenericRecord


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of resolving ``name`` for ``rdtype``.

    ``records`` holds the records of the asked type at the end of any CNAME chain;
    ``canonical_name`` is that end when a CNAME was followed. ``ttl`` is the lowest TTL of the
    answer, or the negative-caching TTL for NXDOMAIN / NODATA. ``authenticated`` reflects the
    AD bit from a validating resolver. ``detail`` says why a lookup failed (which server
    timed out, which rcode came back).
    """

    name: str
    rdtype: str
    status: Status
    records: tuple[Record, ...] = ()
    ttl: int = 0
    canonical_name: str | None = None
    authenticated: bool = False
    detail: str = ""

    @property
    def is_void(self) -> bool:
        """Return True for NXDOMAIN and NODATA (the SPF notion of a void lookup)."""
        return self.status in (Status.NXDOMAIN, Status.NODATA)

    @property
    def is_error(self) -> bool:
        """Return True for SERVFAIL and TIMEOUT (temporary failures)."""
        return self.status in (Status.SERVFAIL, Status.TIMEOUT)

    def texts(self) -> list[str]:
        """Return each TXT record's strings joined and decoded (UTF-8 with replacement)."""
        return [r.text for r in self.records if isinstance(r, TXTRecord)]

    def txt_strings(self) -> list[tuple[bytes, ...]]:
        """Return each TXT record's character-strings, unjoined."""
        return [r.strings for r in self.records if isinstance(r, TXTRecord)]

    def addresses(self) -> list[str]:
        """Return the addresses of A / AAAA records."""
        return [r.address for r in self.records if isinstance(r, AddressRecord)]

    def mx(self) -> list[MXRecord]:
        """Return the MX records sorted by preference, then name."""
        found = [r for r in self.records if isinstance(r, MXRecord)]
        return sorted(found, key=lambda r: (r.preference, r.exchange))

    def targets(self) -> list[str]:
        """Return the targets of CNAME / PTR / NS / DNAME records."""
        return [r.target for r in self.records if isinstance(r, NameRecord)]


class Resolver(Protocol):
    """The one DNS seam. Implementations never raise for DNS outcomes; they return a status."""

    async def resolve(self, name: str, rdtype: str) -> Answer:
        """Return the answer for ``name`` / ``rdtype`` (``"TXT"``, ``"A"``, ``"MX"``, ...)."""
        ...


def _quote(data: bytes) -> str:
    out = []
    for byte in data:
        ch = chr(byte)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= byte < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'
