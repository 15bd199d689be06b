"""Many questions of one type at once: a resolver may offer ``resolve_many`` to answer them
together (the lean client sends them in one go); :func:`resolve_many` uses it when offered
and asks one question at a time otherwise."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, runtime_checkable

from mailwarden.dns.answer import Answer, Resolver

__all__ = ["BatchResolver", "resolve_each", "resolve_many", "resolve_split"]

BatchCall = Callable[[Sequence[str], str], Awaitable[list[Answer]]]


@runtime_checkable
class BatchResolver(Resolver, Protocol):
    """A resolver that also answers many names of one type in one call."""

    async def resolve_many(self, names: Sequence[str], rdtype: str) -> list[Answer]:
        """Return the answers for ``names`` / ``rdtype`` in order, each the one ``resolve``
        would give."""
        ...


async def resolve_many(
    resolver: Resolver, names: Sequence[str], rdtype: str, *, concurrency: int = 16
) -> list[Answer]:
    """Return the answers for ``names`` / ``rdtype`` in order.

    ``resolver.resolve_many`` answers them when the resolver has one; otherwise they are asked
    with ``resolve``, at most ``concurrency`` at a time. Never raises for DNS outcomes.
    """
    many: BatchCall | None = getattr(resolver, "resolve_many", None)
    if many is not None:
        return await many(names, rdtype)
    return await resolve_each(resolver, names, rdtype, concurrency=concurrency)


async def resolve_each(
    resolver: Resolver, names: Sequence[str], rdtype: str, *, concurrency: int = 16
) -> list[Answer]:
    """Return the answers for ``names`` / ``rdtype`` in order, asked one by one with
    ``resolve``, at most ``concurrency`` at a time (a few runners, not a task per name)."""
    answers: list[Answer | None] = [None] * len(names)
    turns = iter(range(len(names)))

    async def runner() -> None:
        for index in turns:
            answers[index] = await resolver.resolve(names[index], rdtype)

    await asyncio.gather(*(runner() for _ in range(min(max(1, concurrency), len(names)))))
    return [answer for answer in answers if answer is not None]


async def resolve_split(
    names: Sequence[str],
    rdtype: str,
    *,
    batched: Callable[[str], bool],
    many: Resolver,
    each: Resolver,
) -> list[Answer]:
    """Return the answers for ``names`` / ``rdtype`` in order: the names ``batched`` picks
    asked of ``many`` with :func:`resolve_many`, the others of ``each`` one by one."""
    picked = [batched(name) for name in names]
    if all(picked):
        return await resolve_many(many, names, rdtype)
    if not any(picked):
        return await resolve_each(each, names, rdtype)
    first = [name for name, flag in zip(names, picked, strict=True) if flag]
    rest = [name for name, flag in zip(names, picked, strict=True) if not flag]
    got_first, got_rest = await asyncio.gather(
        resolve_many(many, first, rdtype), resolve_each(each, rest, rdtype)
    )
    firsts, rests = iter(got_first), iter(got_rest)
    return [next(firsts) if flag else next(rests) for flag in picked]
