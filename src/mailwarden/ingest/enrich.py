"""Enrichment of source IPs at ingest, all optional and offline.

Reverse DNS goes through the injected resolver (asynchronous, cached, with bounded concurrency
and a time budget per batch); the base domain of the reverse name comes from the Public Suffix
List shipped with ``publicsuffixlist``; country and ASN come from MaxMind-format databases the
user supplies (``maxminddb``). Nothing is fetched from the internet.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from publicsuffixlist import PublicSuffixList

from mailwarden.dns import Resolver, Status
from mailwarden.errors import ConfigError
from mailwarden.store.base import SourceInfo

__all__ = ["GeoDatabase", "SourceEnricher", "open_geo_databases"]


class GeoDatabase(Protocol):
    """A MaxMind-format database reader (``maxminddb.Reader``)."""

    def get(self, address: str) -> Any:
        """Return the record for ``address`` or ``None``."""
        ...


def open_geo_databases(paths: Iterable[Path]) -> list[GeoDatabase]:
    """Open each MaxMind-format database file; ``ConfigError`` for a missing or bad file."""
    paths = list(paths)
    if not paths:
        return []
    try:
        import maxminddb
    except ImportError as error:
        raise ConfigError(
            "--geoip needs the maxminddb package: pip install 'mailwarden[ingest]'"
        ) from error
    readers: list[GeoDatabase] = []
    for path in paths:
        try:
            readers.append(maxminddb.open_database(str(path)))
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as error:
            raise ConfigError(f"{path}: not a MaxMind database: {error}") from error
    return readers


class SourceEnricher:
    """Callable enricher for the store: maps source IPs to :class:`SourceInfo`."""

    def __init__(
        self,
        resolver: Resolver | None = None,
        *,
        geo: Iterable[GeoDatabase] = (),
        concurrency: int = 20,
        budget: float = 10.0,
        cache_size: int = 100_000,
    ) -> None:
        self.resolver = resolver
        self.geo = list(geo)
        self.concurrency = concurrency
        self.budget = budget
        self.cache_size = cache_size
        self._cache: OrderedDict[str, SourceInfo] = OrderedDict()
        self._psl = PublicSuffixList()

    def __call__(self, ips: Iterable[str]) -> Mapping[str, SourceInfo]:
        """Return what is known about each IP (looked up once, then cached)."""
        wanted = [ip for ip in dict.fromkeys(ips) if ip not in self._cache]
        names = asyncio.run(self._reverse_all(wanted)) if self.resolver and wanted else {}
        for ip in wanted:
            self._remember(ip, self._info(ip, names.get(ip)))
        return {ip: self._cache[ip] for ip in ips if ip in self._cache}

    def _remember(self, ip: str, info: SourceInfo) -> None:
        self._cache[ip] = info
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def _info(self, ip: str, name: str | None) -> SourceInfo:
        base = self._psl.privatesuffix(name) if name else None
        country, asn, as_org = self._geo(ip)
        return SourceInfo(name=name, base_domain=base, country=country, asn=asn, as_org=as_org)

    def _geo(self, ip: str) -> tuple[str | None, int | None, str | None]:
        country: str | None = None
        asn: int | None = None
        as_org: str | None = None
        for reader in self.geo:
            try:
                found = reader.get(ip)
            except ValueError:
                continue
            if not isinstance(found, dict):
                continue
            country = country or _country(found)
            asn = asn or found.get("autonomous_system_number")
            as_org = as_org or found.get("autonomous_system_organization")
        return country, asn, as_org

    async def _reverse_all(self, ips: list[str]) -> dict[str, str]:
        assert self.resolver is not None
        resolver = self.resolver
        gate = asyncio.Semaphore(self.concurrency)
        found: dict[str, str] = {}

        async def one(ip: str) -> None:
            async with gate:
                name = await _reverse(resolver, ip)
            if name:
                found[ip] = name

        tasks = [asyncio.ensure_future(one(ip)) for ip in ips]
        _done, pending = await asyncio.wait(tasks, timeout=self.budget)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return found


def _country(found: dict[str, Any]) -> str | None:
    for key in ("country", "registered_country"):
        entry = found.get(key)
        if isinstance(entry, dict) and isinstance(entry.get("iso_code"), str):
            return str(entry["iso_code"])
    return None


async def _reverse(resolver: Resolver, ip: str) -> str | None:
    try:
        pointer = ipaddress.ip_address(ip).reverse_pointer
    except ValueError:
        return None
    answer = await resolver.resolve(pointer, "PTR")
    if answer.status is not Status.NOERROR:
        return None
    targets = answer.targets()
    return targets[0].rstrip(".").lower() if targets else None
