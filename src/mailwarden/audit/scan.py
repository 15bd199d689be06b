"""Bulk scans: audit a list of domains concurrently into a JSON Lines file that can be resumed."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from mailwarden.audit.domain import AuditOptions, DomainAudit, audit_domain
from mailwarden.audit.schema import audit_to_dict
from mailwarden.dns import Resolver
from mailwarden.errors import InputError

__all__ = [
    "ScanConfig",
    "ScanCounters",
    "bulk_gc",
    "completed_domains",
    "scan_domains",
    "scan_one",
    "tune_gc_for_bulk",
]

_RETRYABLE = frozenset({"timeout", "servfail"})
# One encoder for every line; the dicts are built fresh per domain, so no cycle check.
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)
_BULK_GC_THRESHOLDS = (50_000, 20, 2)


def tune_gc_for_bulk() -> None:
    """Make the cyclic garbage collector run rarely in this process, for bulk scans.

    A scan allocates a few dozen short-lived objects per DNS query while the cache holds up to
    100,000 answers; with the default thresholds the collector walks that cache hundreds of
    times a minute (a third of a scan's CPU time). Objects alive now (modules, the CLI) are
    moved out of its sight (``gc.freeze``). Young collections run every 50,000 allocations and
    a full one every 2,000,000, often enough that cyclic garbage which outlived the young
    collections does not pile up over a long scan. Returns nothing.
    """
    gc.freeze()
    gc.set_threshold(*_BULK_GC_THRESHOLDS)


@contextlib.contextmanager
def bulk_gc() -> Iterator[None]:
    """Apply :func:`tune_gc_for_bulk` for the duration of the block, then restore the previous
    thresholds and unfreeze. Yields nothing."""
    previous = gc.get_threshold()
    tune_gc_for_bulk()
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """How to scan: concurrency, a per-domain deadline in seconds, retries of domains whose
    lookups timed out or failed (with exponential backoff from ``backoff`` seconds), and what
    to check (by default everything, each domain's areas one after another)."""

    concurrency: int = 1000
    deadline: float = 30.0
    retries: int = 1
    backoff: float = 0.5
    options: AuditOptions = field(default_factory=lambda: AuditOptions(parallel=False))


@dataclass
class ScanCounters:
    """Running totals for a progress display."""

    done: int = 0
    errors: int = 0
    started: float = 0.0


async def scan_one(domain: str, *, resolver: Resolver, config: ScanConfig) -> DomainAudit:
    """Return the audit of ``domain`` within the deadline, retrying transient failures."""
    audit = await _within_deadline(domain, resolver, config)
    for attempt in range(config.retries):
        if audit.error_class not in _RETRYABLE:
            break
        await asyncio.sleep(config.backoff * 2**attempt)
        audit = await _within_deadline(domain, resolver, config)
    return audit


async def _within_deadline(domain: str, resolver: Resolver, config: ScanConfig) -> DomainAudit:
    try:
        async with asyncio.timeout(config.deadline):  # no task per domain, unlike wait_for
            return await audit_domain(domain, resolver=resolver, options=config.options)
    except TimeoutError:
        message = f"not finished within the {config.deadline:g}s deadline"
        return DomainAudit(domain, domain, error_class="deadline", error=message)


async def scan_domains(
    domains: Iterable[str],
    *,
    resolver: Resolver,
    out: IO[str],
    config: ScanConfig,
    counters: ScanCounters | None = None,
    on_result: Callable[[DomainAudit], None] | None = None,
) -> ScanCounters:
    """Audit ``domains`` and write one JSON line to ``out`` per domain as each completes.

    ``config.concurrency`` workers take domains from the list as they free up (constant work
    per domain, however many are in flight). Lines are flushed at least twice a second, so an
    interrupted scan leaves every finished domain on disk. Returns the counters.
    """
    counters = counters or ScanCounters(started=time.monotonic())
    source = iter(domains)
    last_flush = time.monotonic()

    def write(audit: DomainAudit) -> None:
        nonlocal last_flush
        out.write(_ENCODER.encode(audit_to_dict(audit)) + "\n")
        counters.done += 1
        counters.errors += audit.error_class is not None
        if on_result is not None:
            on_result(audit)
        if time.monotonic() - last_flush > 0.5:
            out.flush()
            last_flush = time.monotonic()

    async def worker() -> None:
        for domain in source:
            write(await scan_one(domain, resolver=resolver, config=config))

    workers = [asyncio.create_task(worker()) for _ in range(config.concurrency)]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        out.flush()
    return counters


def completed_domains(path: Path) -> set[str]:
    """Return the domains already in the results file ``path``, repairing a torn last line.

    A scan killed while writing may leave a partial last line: it is cut off so that the file
    again holds only whole JSON lines. Raises ``InputError`` when a line in the middle of the
    file is not JSON (that file is not a results file).
    """
    if not path.exists():
        return set()
    data = path.read_bytes()
    done: set[str] = set()
    good_end = 0
    lines = data.split(b"\n")
    for index, line in enumerate(lines):
        if not line.strip():
            good_end += len(line) + (1 if index < len(lines) - 1 else 0)
            continue
        try:
            domain = json.loads(line)["domain"]
        except (ValueError, KeyError, TypeError):
            if index == len(lines) - 1:
                break
            raise InputError(f"{path}: line {index + 1} is not a scan result") from None
        done.add(str(domain))
        good_end += len(line) + 1
    if good_end < len(data):
        with path.open("r+b") as handle:
            handle.truncate(good_end)
    elif good_end > len(data):  # a whole last line that lost only its newline
        with path.open("ab") as handle:
            handle.write(b"\n")
    return done
