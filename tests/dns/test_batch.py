"""Batches through the resolver stack: resolve_many is used when offered and passed on by the
caching, throttling and overlay wrappers; answers equal those resolve gives."""

from __future__ import annotations

from collections.abc import Sequence

from mailwarden.dkim.probe import is_selector_name
from mailwarden.dns import Answer, CachingResolver, OverlayResolver, Status
from mailwarden.dns.batch import resolve_many
from mailwarden.dns.throttle import ThrottledResolver
from mailwarden.testing import ZoneResolver

DATA = {
    "example.com": {"TXT": "v=spf1 -all"},
    "s1._domainkey.example.com": {"TXT": "v=DKIM1; p="},
    "k1._domainkey.example.com": {"TXT": "v=DKIM1; k=ed25519; p="},
}
NAMES = ["example.com", "s1._domainkey.example.com", "no._domainkey.example.com"]
NAMES += ["k1._domainkey.example.com", "example.com"]


class Batching(ZoneResolver):
    """A ZoneResolver that also answers batches, recording each one."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    async def resolve_many(self, names: Sequence[str], rdtype: str) -> list[Answer]:
        """Return the answers resolve gives, recording the batch."""
        self.batches.append(list(names))
        return [await self.resolve(name, rdtype) for name in names]


def batching() -> Batching:
    """Return the test data as a batching resolver."""
    resolver = Batching.from_dict(DATA)
    assert isinstance(resolver, Batching)
    return resolver


async def expected() -> list[Answer]:
    """Return the answers resolve gives for NAMES."""
    plain = ZoneResolver.from_dict(DATA)
    return [await plain.resolve(name, "TXT") for name in NAMES]


async def test_without_resolve_many_names_are_asked_one_by_one() -> None:
    """A resolver without resolve_many answers each name with resolve, in order."""
    plain = ZoneResolver.from_dict(DATA)
    assert await resolve_many(plain, NAMES, "TXT", concurrency=2) == await expected()
    assert len(plain.queries) == len(NAMES)
    assert await resolve_many(plain, [], "TXT") == []


async def test_caching_resolver_batches_uncached_names_only() -> None:
    """Selector names go to the inner resolver's batch; the others through the cache."""
    inner = batching()
    cache = CachingResolver(inner, uncached=is_selector_name)
    await cache.resolve("example.com", "TXT")
    got = await resolve_many(cache, NAMES, "TXT")
    assert got == await expected()
    assert inner.batches == [[n for n in NAMES if is_selector_name(n)]]
    assert cache.hits == 2  # example.com twice from the cache
    plain_cache = CachingResolver(batching())
    assert await resolve_many(plain_cache, NAMES, "TXT") == await expected()


async def test_throttled_resolver_counts_and_passes_batches_on() -> None:
    """The throttle counts every name of a batch and hands the batch to the inner resolver."""
    inner = batching()
    throttled = ThrottledResolver(CachingResolver(inner, uncached=is_selector_name), qps=1000)
    assert await resolve_many(throttled, NAMES, "TXT") == await expected()
    assert throttled.queries == len(NAMES)
    assert len(inner.batches) == 1


async def test_overlay_batches_names_outside_the_zones() -> None:
    """Names inside the zones are answered by them; the rest go to the fallback's batch."""
    zones = ZoneResolver.from_dict({"example.com": {"TXT": "zone"}})
    live = batching()
    overlay = OverlayResolver(zones, live)
    got = await resolve_many(overlay, ["example.com", "s1._domainkey.example.com"], "TXT")
    assert got[0].texts() == ["zone"]
    assert got[1].status is Status.NOERROR and got[1].texts() == ["v=DKIM1; p="]
    assert live.batches == [["s1._domainkey.example.com"]]
    assert zones.queries == [("example.com", "TXT")]
