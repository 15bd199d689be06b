"""Answer names inside loaded zones from the zones, everything else from another resolver."""

from __future__ import annotations

from collections.abc import Sequence

from mailwarden.dns.answer import Answer, Resolver
from mailwarden.dns.batch import resolve_split
from mailwarden.dns.zones import ZoneResolver

__all__ = ["OverlayResolver"]


class OverlayResolver:
    """Pre-flight resolution: the zones being prepared first, live DNS for names outside them."""

    def __init__(self, zones: ZoneResolver, fallback: Resolver) -> None:
        self.zones = zones
        self.fallback = fallback

    async def resolve(self, name: str, rdtype: str) -> Answer:
        """Return the zones' answer for names they cover, the fallback's otherwise."""
        if self.zones.covers(name):
            return await self.zones.resolve(name, rdtype)
        return await self.fallback.resolve(name, rdtype)

    async def resolve_many(self, names: Sequence[str], rdtype: str) -> list[Answer]:
        """Return the answers for ``names`` / ``rdtype`` in order: names outside the zones
        asked of the fallback together (its ``resolve_many`` when it has one)."""
        return await resolve_split(
            names, rdtype, batched=self._outside, many=self.fallback, each=self.zones
        )

    def _outside(self, name: str) -> bool:
        return not self.zones.covers(name)
