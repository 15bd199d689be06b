"""An in-memory authoritative resolver: zone files, plain dicts and SPF-suite ``zonedata``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import dns.exception
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.zone

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
from mailwarden.dns.convert import record_from_rdata
from mailwarden.dns.names import is_subdomain, normalize_name
from mailwarden.errors import InputError, ZoneError
from mailwarden.inputs import MAX_LIST_BYTES, read_input

__all__ = ["ZoneResolver"]

_MAX_CNAME_CHAIN = 8
_LINE_IN_MESSAGE = re.compile(r":(\d+):\s*(.*)$", re.S)
_GENERATE = re.compile(r"\s*\$GENERATE\s+(\d+)-(\d+)(?:/(\d+))?\s", re.I)
MAX_GENERATED = 65536
"""Most records one ``$GENERATE`` line may make; a larger range would exhaust memory."""


class ZoneResolver:
    """Answer queries from records held in memory, the way an authoritative server would.

    Names that hold records exist, and so do their ancestors up to a loaded origin (empty
    non-terminals answer NODATA); wildcards (``*.example.com``) match names that do not exist;
    CNAMEs are followed. A name marked as timing out answers TIMEOUT for every type it holds no
    records of. Every question asked is appended to ``queries`` as ``(name, rdtype)``.
    """

    def __init__(self, ttl: int = 300) -> None:
        self.ttl = ttl
        self.origins: set[str] = set()
        self.queries: list[tuple[str, str]] = []
        self._records: dict[str, dict[str, list[Record]]] = {}
        self._timeouts: set[str] = set()
        self._ttls: dict[tuple[str, str], int] = {}
        self._ancestors: set[str] = set()

    # -- building ------------------------------------------------------------------------

    @classmethod
    def from_zone_files(cls, *paths: str | Path) -> ZoneResolver:
        """Return a resolver holding every record of the RFC 1035 zone files ``paths``.

        The origin is the file's ``$ORIGIN`` or, failing that, derived from the file name
        (``db.example.com``, ``example.com.zone``, ``example.com``). Raises ``ZoneError``
        (``file:line: what is wrong``) for a file that cannot be read or parsed.
        """
        resolver = cls()
        for path in paths:
            resolver.load_zone_file(path)
        return resolver

    @classmethod
    def from_text(cls, text: str, origin: str) -> ZoneResolver:
        """Return a resolver holding the records of zone-file ``text`` at ``origin``."""
        resolver = cls()
        resolver.load_zone_text(text, origin, source="<text>")
        return resolver

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, Any]]) -> ZoneResolver:
        """Return a resolver from ``{name: {rdtype: value or [values]}}``.

        Values: TXT a string or a list of character-strings (``["part1", "part2"]`` is one
        record when given inside another list); MX ``(preference, exchange)`` or
        ``"10 mx.example.com"``; A / AAAA / CNAME / PTR / NS a string; anything else its
        presentation form. The key ``"TIMEOUT": True`` makes the name time out.
        """
        resolver = cls()
        for name, types in data.items():
            for rdtype, value in types.items():
                if rdtype.upper() == "TIMEOUT":
                    if value:
                        resolver.add_timeout(name)
                    continue
                values = value if isinstance(value, list) else [value]
                for item in values:
                    resolver.add(name, _record_from_value(rdtype.upper(), item))
        return resolver

    @classmethod
    def from_zonedata(cls, zonedata: Mapping[str, Iterable[Any]]) -> ZoneResolver:
        """Return a resolver from the ``zonedata`` mapping of the SPF test-suite YAML files.

        Entries are ``{TYPE: value}`` items or the bare word ``TIMEOUT``. As the suites ask,
        SPF (type 99) records are also served as TXT at names that list no TXT record, and
        ``TXT: NONE`` means the name holds no TXT record at all.
        """
        resolver = cls()
        for raw_name, entries in zonedata.items():
            name = normalize_name(raw_name)
            spf: list[Record] = []
            has_txt = False
            for entry in entries or []:
                if entry == "TIMEOUT":
                    resolver.add_timeout(name)
                    continue
                for rdtype, value in dict(entry).items():
                    rdtype = rdtype.upper()
                    if rdtype == "TXT":
                        has_txt = True
                        if value == "NONE":
                            continue
                    record = _record_from_value(rdtype, value)
                    resolver.add(name, record)
                    if rdtype == "SPF":
                        spf.append(record)
            if not has_txt:
                for record in spf:
                    assert isinstance(record, TXTRecord)
                    resolver.add(name, TXTRecord(record.strings, "TXT"))
            resolver._own(name)
        return resolver

    def load_zone_file(self, path: str | Path) -> None:
        """Add the records of one zone file; raises ``ZoneError`` naming file and line."""
        source = str(path)
        try:
            text = read_input(path, limit=MAX_LIST_BYTES).decode("utf-8")
        except (InputError, UnicodeDecodeError) as exc:
            raise ZoneError(source, None, f"cannot read zone file: {exc}") from None
        origin = _origin_from_text(text) or _origin_from_filename(Path(path).name)
        if origin is None:
            raise ZoneError(source, None, "no $ORIGIN line and no domain in the file name")
        self.load_zone_text(text, origin, source=source)

    def load_zone_text(self, text: str, origin: str, *, source: str) -> None:
        """Add the records of zone-file ``text`` at ``origin``; raises ``ZoneError``."""
        _check_generate(text, source)
        try:
            zone = dns.zone.from_text(
                text,
                origin=dns.name.from_text(origin),
                relativize=False,
                check_origin=False,
                filename=source,
            )
        except dns.exception.SyntaxError as exc:
            raise _zone_error(source, text, origin, exc) from None
        except (dns.exception.DNSException, ValueError) as exc:
            raise ZoneError(source, None, str(exc)) from None
        self.origins.add(normalize_name(origin))
        for name, node in zone.nodes.items():
            owner = normalize_name(name.to_text())
            self._own(owner)
            for rdataset in node.rdatasets:
                rdtype = dns.rdatatype.to_text(rdataset.rdtype)
                self._ttls[(owner, rdtype)] = int(rdataset.ttl)
                for rdata in rdataset:
                    self.add(owner, record_from_rdata(rdata))

    def add(self, name: str, record: Record) -> None:
        """Add one record at ``name``."""
        owner = self._own(name)
        self._records[owner].setdefault(record.rdtype, []).append(record)

    def add_timeout(self, name: str) -> None:
        """Make questions about ``name`` time out for every type it holds no records of."""
        self._timeouts.add(self._own(name))

    def _own(self, name: str) -> str:
        """Register ``name`` as an owner (and its ancestors as existing); return it normalized."""
        owner = normalize_name(name)
        if owner not in self._records:
            self._records[owner] = {}
            parent = owner
            while "." in parent:
                parent = parent.split(".", 1)[1]
                if parent in self._ancestors:
                    break
                self._ancestors.add(parent)
        return owner

    def covers(self, name: str) -> bool:
        """Return True when ``name`` lies in a loaded zone (or is a name the data holds)."""
        owner = normalize_name(name)
        if any(is_subdomain(owner, origin) for origin in self.origins):
            return True
        return owner in self._records

    def names(self) -> list[str]:
        """Return every owner name held, sorted."""
        return sorted(self._records)

    # -- answering -----------------------------------------------------------------------

    async def resolve(self, name: str, rdtype: str) -> Answer:
        """Return the answer for ``name`` / ``rdtype`` from the records held."""
        self.queries.append((normalize_name(name), rdtype.upper()))
        return self.lookup(name, rdtype)

    def lookup(self, name: str, rdtype: str) -> Answer:
        """Return the answer synchronously, without recording the question."""
        qname, qtype = normalize_name(name), rdtype.upper()
        current = qname
        for _ in range(_MAX_CNAME_CHAIN):
            owner = self._owner_for(current)
            if owner is None:
                return self._negative(qname, qtype, current, Status.NXDOMAIN)
            types = self._records.get(owner, {})
            if qtype in types:
                return self._positive(qname, qtype, current, owner, types[qtype])
            cnames = types.get("CNAME")
            if cnames and qtype != "CNAME":
                target = cnames[0]
                assert isinstance(target, NameRecord)
                current = target.target
                continue
            if current in self._timeouts or owner in self._timeouts:
                return Answer(qname, qtype, Status.TIMEOUT, detail=f"{current}: simulated timeout")
            return self._negative(qname, qtype, current, Status.NODATA)
        return Answer(qname, qtype, Status.SERVFAIL, detail="CNAME chain too long")

    def _positive(
        self, qname: str, qtype: str, current: str, owner: str, records: list[Record]
    ) -> Answer:
        ttl = self._ttls.get((owner, qtype), self.ttl)
        canonical = current if current != qname else None
        return Answer(qname, qtype, Status.NOERROR, tuple(records), ttl, canonical)

    def _negative(self, qname: str, qtype: str, current: str, status: Status) -> Answer:
        if current in self._timeouts:
            return Answer(qname, qtype, Status.TIMEOUT, detail=f"{current}: simulated timeout")
        canonical = current if current != qname else None
        return Answer(qname, qtype, status, (), self.ttl, canonical)

    def _owner_for(self, name: str) -> str | None:
        """Return the owner whose records answer ``name``: itself, an ENT, or a wildcard."""
        if name in self._records:
            return name
        if self._has_descendant(name):
            return name  # empty non-terminal: exists, holds nothing
        parent = name
        while "." in parent:
            parent = parent.split(".", 1)[1]
            wildcard = f"*.{parent}"
            if wildcard in self._records:
                return wildcard
            if parent in self._records or self._has_descendant(parent):
                return None
        return None

    def _has_descendant(self, name: str) -> bool:
        return name in self._ancestors


def _record_from_value(rdtype: str, value: Any) -> Record:
    if rdtype in ("TXT", "SPF"):
        if isinstance(value, list | tuple):
            return TXTRecord(tuple(_b(v) for v in value), rdtype)
        return TXTRecord((_b(value),), rdtype)
    if rdtype in ("A", "AAAA"):
        return AddressRecord(rdtype, str(value))
    if rdtype == "MX":
        if isinstance(value, str):
            pref, _, exchange = value.partition(" ")
            return MXRecord(int(pref), normalize_name(exchange.strip()))
        pref, exchange = value
        return MXRecord(int(pref), normalize_name(str(exchange)))
    if rdtype in ("CNAME", "PTR", "NS", "DNAME"):
        return NameRecord(rdtype, normalize_name(str(value)))
    return GenericRecord(rdtype, str(value))


def _b(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _origin_from_text(text: str) -> str | None:
    match = re.search(r"^\$ORIGIN\s+(\S+)", text, re.M | re.I)
    return match.group(1) if match else None


def _origin_from_filename(filename: str) -> str | None:
    stem = filename
    for prefix in ("db.",):
        if stem.startswith(prefix):
            stem = stem[len(prefix) :]
    for suffix in (".zone", ".db", ".txt"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    return stem if "." in stem else None


def _check_generate(text: str, source: str) -> None:
    """Raise ``ZoneError`` for a ``$GENERATE`` line making more than ``MAX_GENERATED`` records."""
    if "$generate" not in text.lower():
        return
    for number, line in enumerate(text.splitlines(), start=1):
        match = _GENERATE.match(line)
        if match is None:
            continue
        start, stop, step = int(match[1]), int(match[2]), int(match[3] or 1)
        count = (stop - start) // max(step, 1) + 1
        if count > MAX_GENERATED:
            raise ZoneError(
                source, number, f"$GENERATE makes {count:,} records, over {MAX_GENERATED:,}"
            )


def _zone_error(source: str, text: str, origin: str, exc: dns.exception.SyntaxError) -> ZoneError:
    match = _LINE_IN_MESSAGE.search(str(exc))
    if not match:
        return ZoneError(source, None, str(exc))
    line, message = _culprit_line(text, origin, int(match.group(1))), match.group(2).strip()
    lines = text.splitlines()
    if 0 < line <= len(lines):
        message = f"{message.rstrip('.')}: {lines[line - 1].strip()!r}"
    return ZoneError(source, line, message)


def _culprit_line(text: str, origin: str, reported: int) -> int:
    """Return the line at fault: dnspython reports the line after it once it read the newline."""
    lines = text.splitlines()
    candidate = min(reported, len(lines))
    while candidate > 1 and not _parses("\n".join(lines[: candidate - 1]), origin):
        candidate -= 1
    while candidate > 1 and not lines[candidate - 1].strip():
        candidate -= 1
    return candidate


def _parses(text: str, origin: str) -> bool:
    try:
        dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
    except (dns.exception.DNSException, ValueError):
        return False
    return True
