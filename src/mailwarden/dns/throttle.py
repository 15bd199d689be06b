"""A resolver wrapper that counts questions and can cap them at a rate (queries per second)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from mailwarden.dns.answer import Answer, Resolver
from mailwarden.dns.batch import resolve_many

__all__ = ["ThrottledResolver"]


class ThrottledResolver:
    """Pass questions to ``inner``, at most ``qps`` per second when given (a token bucket with
    one second of burst), counting them in ``queries``."""

    def __init__(
        self,
        inner: Resolver,
        *,
        qps: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if qps is not None and qps <= 0:
            raise ValueError("qps must be positive")
        self.inner = inner
        self.qps = qps
        self.clock = clock
        self.queries = 0
        self._tokens = qps or 0.0
        self._updated = clock()
        self._lock: asyncio.Lock | None = None

    async def resolve(self, name: str, rdtype: str) -> Answer:
        """Wait for a token when rate-limited, then return the inner resolver's answer."""
        if self.qps is not None:
            await self._take()
        self.queries += 1
        return await self.inner.resolve(name, rdtype)

    async def resolve_many(self, names: Sequence[str], rdtype: str) -> list[Answer]:
        """Wait for a token per name when rate-limited, then return the inner resolver's
        answers in order (its ``resolve_many`` when it has one)."""
        if self.qps is not None:
            for _ in names:
                await self._take()
        self.queries += len(names)
        return await resolve_many(self.inner, names, rdtype)

    async def _take(self) -> None:
        assert self.qps is not None
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            while True:
                now = self.clock()
                self._tokens = min(self.qps, self._tokens + (now - self._updated) * self.qps)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.qps)
