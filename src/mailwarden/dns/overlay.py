"""Answer names inside loaded zones from the zones, everything else from another resolver."""

from __future__ import annotations

from mailwarden.dns.answer import Answer, Resolver
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
