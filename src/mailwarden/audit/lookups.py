"""Small DNS helpers shared by the audit areas."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from mailwarden.dns import Answer, Resolver
from mailwarden.findings import Finding, Severity

__all__ = ["dns_failure", "run_all", "txt_with_prefix"]

T = TypeVar("T")


async def run_all(coroutines: Sequence[Coroutine[Any, Any, T]], *, parallel: bool) -> list[T]:
    """Return the results of ``coroutines`` in order: run concurrently when ``parallel`` (the
    lowest latency for one domain), else awaited one after another.

    A bulk scan runs without ``parallel``: it keeps hundreds of domains in flight, so their
    lookups already overlap, and a task per coroutine would only cost CPU (about a tenth of a
    scan's). A lone coroutine is always just awaited.
    """
    if not parallel or len(coroutines) == 1:
        return [await coroutine for coroutine in coroutines]
    return list(await asyncio.gather(*coroutines))


async def txt_with_prefix(resolver: Resolver, name: str, prefix: str) -> tuple[list[str], Answer]:
    """Return the TXT records at ``name`` that start with ``prefix`` (and the raw answer).

    The comparison is case-insensitive, and the prefix is deliberately short (``v=STSv``, not
    ``v=STSv1;``) so that a record with a wrong version is found, and then reported as invalid
    by its parser, rather than taken for no record at all.
    """
    answer = await resolver.resolve(name, "TXT")
    wanted = prefix.lower()
    found = [text for text in answer.texts() if text.lstrip()[: len(prefix)].lower() == wanted]
    return found, answer


def dns_failure(area: str, answer: Answer) -> Finding:
    """Return the finding for a lookup that failed temporarily (SERVFAIL or TIMEOUT)."""
    return Finding(
        f"{area}.dns-error",
        Severity.WARNING,
        f"Looking up {answer.name} {answer.rdtype} failed ({answer.status.value}"
        f"{': ' + answer.detail if answer.detail else ''}), so this area could not be checked.",
        "Check that the domain's nameservers answer, then run the check again.",
    )
