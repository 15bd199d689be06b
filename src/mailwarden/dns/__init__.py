"""The DNS seam: one Resolver protocol, answers as statuses; real, caching, in-memory resolvers."""

from mailwarden.dns.answer import (
    AddressRecord,
    Answer,
    GenericRecord,
    MXRecord,
    NameRecord,
    Record,
    Resolver,
    Status,
    TXTRecord,
)
from mailwarden.dns.cache import CachingResolver
from mailwarden.dns.client import DnsResolver, Nameserver, parse_nameserver
from mailwarden.dns.fastclient import FastResolver
from mailwarden.dns.names import normalize_name, to_ascii, to_unicode, validate_domain
from mailwarden.dns.overlay import OverlayResolver
from mailwarden.dns.zones import ZoneResolver

__all__ = [
    "AddressRecord",
    "Answer",
    "CachingResolver",
    "DnsResolver",
    "FastResolver",
    "GenericRecord",
    "MXRecord",
    "NameRecord",
    "Nameserver",
    "OverlayResolver",
    "Record",
    "Resolver",
    "Status",
    "TXTRecord",
    "ZoneResolver",
    "normalize_name",
    "parse_nameserver",
    "to_ascii",
    "to_unicode",
    "validate_domain",
]
