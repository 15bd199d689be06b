"""A caching wrapper: answers kept for their TTL, negative answers too, bounded in size."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from mailwarden.dns.answer import Answer, Resolver, Status
from mailwarden.dns.batch import resolve_each, resolve_split

__all__ = ["CachingResolver"]


class CachingResolver:
    """Wrap a ``Resolver`` so that repeated questions are answered from memory.

    Positive and negative answers (NXDOMAIN, NODATA) are kept for their TTL, clamped to
    ``[min_ttl, max_ttl]``; SERVFAIL for ``servfail_ttl`` seconds; TIMEOUT is never kept.
    At most ``max_entries`` answers are kept (least recently used dropped first). Concurrent
    identical questions share one upstream query. Names for which ``uncached(name)`` is true
    (a name asked once and never again, such as a DKIM selector probed in a survey) go straight
    to ``inner``: keeping them would only push useful answers out.
    """

    def __init__(
        self,
        inner: Resolver,
        *,
        max_entries: int = 100_000,
        min_ttl: int = 0,
        max_ttl: int = 86_400,
        servfail_ttl: int = 30,
        clock: Callable[[], float] = time.monotonic,
        uncached: Callable[[str], bool] | None = None,
    ) -> None:
        self.inner = inner
        self.uncached = uncached
        self.max_entries = max_entries
        self.min_ttl = min_ttl
        self.max_ttl = max_ttl
        self.servfail_ttl = servfail_ttl
        self.clock = clock
        self._entries: OrderedDict[tuple[str, str], tuple[float, Answer]] = OrderedDict()
        self._pending: dict[tuple[str, str], asyncio.Future[Answer]] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    async def resolve(self, name: str, rdtype: str) -> Answer:
        """Return the cached answer for ``name`` / ``rdtype`` or ask the wrapped resolver."""
        if self.uncached is not None and self.uncached(name):
            return await self.inner.resolve(name, rdtype)
        key = (name.rstrip(".").lower(), rdtype.upper())
        cached = self._lookup(key)
        if cached is not None:
            self.hits += 1
            return cached
        pending = self._pending.get(key)
        if pending is not None:
            self.hits += 1
            return await asyncio.shield(pending)
        self.misses += 1
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            answer = await self.inner.resolve(*key)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved; waiters re-raise it
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(answer)
        self._store(key, answer)
        return answer

    async def resolve_many(self, names: Sequence[str], rdtype: str) -> list[Answer]:
        """Return the answers for ``names`` / ``rdtype`` in order: the uncached names asked of
        the wrapped resolver together (its ``resolve_many`` when it has one), the others as
        ``resolve`` would answer them."""
        uncached = self.uncached
        if uncached is None:
            return await resolve_each(self, names, rdtype)
        return await resolve_split(names, rdtype, batched=uncached, many=self.inner, each=self)

    def _lookup(self, key: tuple[str, str]) -> Answer | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, answer = entry
        if expires <= self.clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return answer

    def _store(self, key: tuple[str, str], answer: Answer) -> None:
        lifetime = self._lifetime(answer)
        if lifetime <= 0:
            return
        self._entries[key] = (self.clock() + lifetime, answer)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def _lifetime(self, answer: Answer) -> float:
        if answer.status is Status.TIMEOUT:
            return 0
        if answer.status is Status.SERVFAIL:
            return self.servfail_ttl
        return min(max(answer.ttl, self.min_ttl), self.max_ttl)
