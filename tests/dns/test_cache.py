"""CachingResolver: TTLs respected, negative answers kept, size bounded, questions shared."""

from __future__ import annotations

import asyncio

from mailwarden.dns import Answer, CachingResolver, Status
from mailwarden.testing import ZoneResolver


class Clock:
    """A manual monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _zone() -> ZoneResolver:
    zone = ZoneResolver.from_dict(
        {"example.com": {"A": "192.0.2.1"}, "slow.example.com": {"TIMEOUT": True}}
    )
    zone.ttl = 60
    return zone


async def test_positive_answer_cached_until_ttl() -> None:
    """A second question within the TTL is answered from memory; after it, asked again."""
    zone, clock = _zone(), Clock()
    cache = CachingResolver(zone, clock=clock)
    await cache.resolve("example.com", "A")
    await cache.resolve("EXAMPLE.com.", "a")
    assert len(zone.queries) == 1
    clock.now += 61
    await cache.resolve("example.com", "A")
    assert len(zone.queries) == 2


async def test_negative_answers_cached() -> None:
    """NXDOMAIN is cached like any answer."""
    zone = _zone()
    cache = CachingResolver(zone, clock=Clock())
    for _ in range(3):
        assert (await cache.resolve("nope.example.com", "A")).status is Status.NXDOMAIN
    assert len(zone.queries) == 1


async def test_timeouts_not_cached() -> None:
    """A TIMEOUT is asked again next time."""
    zone = _zone()
    cache = CachingResolver(zone, clock=Clock())
    await cache.resolve("slow.example.com", "TXT")
    await cache.resolve("slow.example.com", "TXT")
    assert len(zone.queries) == 2


async def test_size_is_bounded() -> None:
    """The least recently used answer is dropped past max_entries."""
    zone = _zone()
    cache = CachingResolver(zone, max_entries=2, clock=Clock())
    for name in ("a.example.com", "b.example.com", "c.example.com"):
        await cache.resolve(name, "A")
    assert len(cache) == 2
    await cache.resolve("a.example.com", "A")
    assert len(zone.queries) == 4


async def test_concurrent_questions_share_one_query() -> None:
    """Ten concurrent identical questions cause one upstream query."""

    class Slow:
        calls = 0

        async def resolve(self, name: str, rdtype: str) -> Answer:
            Slow.calls += 1
            await asyncio.sleep(0.01)
            return Answer(name, rdtype, Status.NODATA, ttl=30)

    cache = CachingResolver(Slow())
    answers = await asyncio.gather(*(cache.resolve("x.example", "TXT") for _ in range(10)))
    assert Slow.calls == 1
    assert all(a.status is Status.NODATA for a in answers)


async def test_uncached_names_go_straight_to_the_inner_resolver() -> None:
    """Names matched by ``uncached`` are asked every time and never stored."""
    from mailwarden.dkim.probe import is_selector_name

    zones = ZoneResolver.from_dict(
        {"s1._domainkey.example.com": {"TXT": "v=DKIM1; p="}, "example.com": {"TXT": "x"}}
    )
    cache = CachingResolver(zones, uncached=is_selector_name)
    for _ in range(2):
        assert (await cache.resolve("s1._domainkey.example.com", "TXT")).texts() == ["v=DKIM1; p="]
        assert (await cache.resolve("example.com", "TXT")).texts() == ["x"]
    assert [q[0] for q in zones.queries].count("s1._domainkey.example.com") == 2
    assert [q[0] for q in zones.queries].count("example.com") == 1
    assert len(cache) == 1
    assert is_selector_name("S1._DomainKey.Example.COM") and not is_selector_name("_domainkey.a")
