"""OverlayResolver: names inside the loaded zones come from them, the rest from the fallback."""

from __future__ import annotations

from mailwarden.dns import OverlayResolver, Status
from mailwarden.testing import ZoneResolver

ZONE = """$TTL 300
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@ IN TXT "v=spf1 -all"
"""


async def test_zone_names_answered_from_zone_others_from_fallback() -> None:
    """The zone being prepared wins for its names; other names go to the fallback."""
    zones = ZoneResolver.from_text(ZONE, "example.com")
    live = ZoneResolver.from_dict(
        {"example.com": {"TXT": "v=spf1 +all"}, "example.net": {"TXT": "live"}}
    )
    overlay = OverlayResolver(zones, live)
    assert (await overlay.resolve("example.com", "TXT")).texts() == ["v=spf1 -all"]
    assert (await overlay.resolve("example.net", "TXT")).texts() == ["live"]
    missing = await overlay.resolve("nope.example.com", "TXT")
    assert missing.status is Status.NXDOMAIN  # inside the zone: never asked live
    assert live.queries == [("example.net", "TXT")]
    assert zones.queries == [("example.com", "TXT"), ("nope.example.com", "TXT")]
