"""The DNS seam: one Resolver protocol, answers as statuses; real, caching, in-memory resolvers.

``DnsResolver``, ``OverlayResolver`` and ``ZoneResolver`` are imported when first used: they
need dnspython's query and zone modules (about a tenth of a second to import), which a scan
with the lean ``FastResolver`` never touches.
"""

import importlib
from typing import TYPE_CHECKING, Any

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
from mailwarden.dns.fastclient import FastResolver
from mailwarden.dns.names import normalize_name, to_ascii, to_unicode, validate_domain
from mailwarden.dns.servers import Nameserver, parse_nameserver

if TYPE_CHECKING:
    from mailwarden.dns.client import DnsResolver
    from mailwarden.dns.overlay import OverlayResolver
    from mailwarden.dns.zones import ZoneResolver

_LAZY = {"DnsResolver": "client", "OverlayResolver": "overlay", "ZoneResolver": "zones"}

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


def __getattr__(name: str) -> Any:
    """Return a resolver class imported on first use; raise ``AttributeError`` for any other
    unknown name."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
