"""The ``ReportStore`` interface and the values it returns, independent of any database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "DomainStats",
    "Enricher",
    "IngestCounts",
    "QuarantineEntry",
    "ReportStore",
    "SourceInfo",
    "StoreStats",
    "StoreTransaction",
]


@dataclass(frozen=True, slots=True)
class IngestCounts:
    """What ingesting some input did: reports stored, reports already known, inputs quarantined."""

    reports_new: int = 0
    duplicates: int = 0
    quarantined: int = 0

    def __add__(self, other: IngestCounts) -> IngestCounts:
        return IngestCounts(
            self.reports_new + other.reports_new,
            self.duplicates + other.duplicates,
            self.quarantined + other.quarantined,
        )


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Enrichment of one source IP: reverse DNS name, its base domain, country and ASN."""

    name: str | None = None
    base_domain: str | None = None
    country: str | None = None
    asn: int | None = None
    as_org: str | None = None


#: Returns what is known about each of the given source IPs (missing ones are not enriched).
Enricher = Callable[[Iterable[str]], Mapping[str, SourceInfo]]


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """One input that could not be parsed, kept whole with the reason."""

    id: int
    sha256: str
    source: str
    reason: str
    size: int
    status: str
    received_at: dt.datetime
    resolved_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class DomainStats:
    """Counts for one policy domain (or for all of them)."""

    aggregate_reports: int = 0
    aggregate_records: int = 0
    messages: int = 0
    failure_reports: int = 0
    tls_reports: int = 0


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts in the whole store, and per domain sorted by name."""

    total: DomainStats
    quarantined: int
    domains: tuple[tuple[str, DomainStats], ...] = field(default=())


class StoreTransaction(Protocol):
    """The writes of one ingested message; all of them commit together or not at all."""

    def add_report(self, report: object, *, enrich: Enricher | None = None) -> bool:
        """Store ``report`` (aggregate, failure or TLS); return False when it was already stored."""
        ...

    def quarantine(self, raw: bytes, reason: str, source: str) -> bool:
        """Keep ``raw`` whole with ``reason``; return False when the same bytes already are."""
        ...

    def resolve_quarantine(self, entry_id: int) -> None:
        """Mark quarantined input ``entry_id`` as parsed now."""
        ...

    def start_log(self, source: str, sha256: str) -> None:
        """Open this message's ingest log line (reports stored next point at it)."""
        ...

    def log(
        self, source: str, sha256: str, outcome: str, counts: IngestCounts, detail: str
    ) -> None:
        """Complete this message's ingest log line, or append one."""
        ...


class ReportStore(Protocol):
    """Where parsed reports, quarantined input and the ingest log are kept."""

    url: str

    def transaction(self) -> AbstractContextManager[StoreTransaction]:
        """Return a context manager for one transaction (commit on success, roll back on error)."""
        ...

    def stats(self) -> StoreStats:
        """Return the counts per domain and in total."""
        ...

    def sync(self) -> None:
        """Make every commit so far durable; call before acknowledging input to its source."""
        ...

    def quarantine_entries(self, *, include_resolved: bool = False) -> list[QuarantineEntry]:
        """Return the quarantined inputs, oldest first."""
        ...

    def quarantine_raw(self, entry_id: int) -> tuple[QuarantineEntry, bytes]:
        """Return one quarantined input and its raw bytes; raise ``InputError`` when unknown."""
        ...

    def close(self) -> None:
        """Release the database connections."""
        ...
