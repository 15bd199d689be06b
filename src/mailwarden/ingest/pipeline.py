"""Ingest one raw input (a mail, a file) into the store: one message, one transaction.

A message's reports are stored together or not at all. A report already stored counts as a
duplicate; input that cannot be parsed is kept whole in the quarantine with the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from mailwarden.errors import StorageError
from mailwarden.store.base import Enricher, IngestCounts, ReportStore, StoreTransaction

__all__ = ["Ingestor", "Outcome", "Parser", "RawInput", "RetryOutcome"]

#: Turns the raw bytes of one input into its reports; raises on input it cannot parse.
Parser = Callable[[bytes], Iterable[object]]

#: How often a message is tried again when a concurrent writer stored the same report first.
ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class RawInput:
    """The raw bytes of one message or file, and where they came from."""

    source: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    """What ingesting one input did, and whether it parsed (False: it is in the quarantine)."""

    counts: IngestCounts
    parsed: bool


@dataclass(frozen=True, slots=True)
class RetryOutcome:
    """What retrying the quarantine did: inputs now parsed, their reports, inputs still failing."""

    resolved: int
    counts: IngestCounts
    still_failing: int


class NoReportError(Exception):
    """The input parsed, but held no report at all."""


class Ingestor:
    """Parses inputs and stores their reports exactly once."""

    def __init__(
        self, store: ReportStore, parse: Parser, *, enrich: Enricher | None = None
    ) -> None:
        self.store = store
        self.parse = parse
        self.enrich = enrich

    def ingest(self, item: RawInput) -> IngestCounts:
        """Store the reports of ``item`` in one transaction and return the counts.

        Unparseable input is quarantined (a duplicate when these bytes already are).
        Raises ``StorageError`` when the store fails: then nothing of ``item`` is stored.
        """
        return self.process(item).counts

    def process(self, item: RawInput) -> Outcome:
        """Like :meth:`ingest`, and also tell whether ``item`` parsed or was quarantined."""
        digest = hashlib.sha256(item.data).hexdigest()
        for attempt in range(ATTEMPTS):
            try:
                return Outcome(self._store(item, digest), parsed=True)
            except IntegrityError as error:
                if attempt == ATTEMPTS - 1:
                    raise StorageError(f"{item.source}: {error.orig}") from error
            except StorageError:
                raise
            except Exception as error:  # any parse failure must keep the input, never lose it
                return Outcome(self._quarantine(item, digest, _reason(error)), parsed=False)
        raise AssertionError("unreachable")

    def ingest_all(self, items: Iterable[RawInput]) -> IngestCounts:
        """Ingest each of ``items`` in turn and return the summed counts."""
        total = IngestCounts()
        for item in items:
            total += self.ingest(item)
        return total

    def _store(self, item: RawInput, digest: str) -> IngestCounts:
        with self.store.transaction() as tx:
            tx.start_log(item.source, digest)
            counts = self._add_reports(tx, item.data)
            outcome = "stored" if counts.reports_new else "duplicate"
            tx.log(item.source, digest, outcome, counts, "")
        return counts

    def _add_reports(self, tx: StoreTransaction, data: bytes) -> IngestCounts:
        new = duplicates = 0
        for report in self.parse(data):
            if tx.add_report(report, enrich=self.enrich):
                new += 1
            else:
                duplicates += 1
        if new + duplicates == 0:
            raise NoReportError("no report found in the input")
        return IngestCounts(reports_new=new, duplicates=duplicates)

    def _quarantine(self, item: RawInput, digest: str, reason: str) -> IngestCounts:
        with self.store.transaction() as tx:
            kept = tx.quarantine(item.data, reason, item.source)
            counts = IngestCounts(quarantined=1) if kept else IngestCounts(duplicates=1)
            outcome = "quarantined" if kept else "duplicate"
            tx.log(item.source, digest, outcome, IngestCounts(), reason)
        return counts

    def retry_quarantined(self, ids: Iterable[int] | None = None) -> RetryOutcome:
        """Parse quarantined inputs again (all, or ``ids``); store and resolve those that parse.

        Raises ``StorageError`` when the store fails and ``InputError`` for an unknown id.
        """
        wanted = list(ids) if ids is not None else [e.id for e in self.store.quarantine_entries()]
        resolved = failing = 0
        total = IngestCounts()
        for entry_id in wanted:
            entry, raw = self.store.quarantine_raw(entry_id)
            try:
                with self.store.transaction() as tx:
                    tx.start_log(entry.source, entry.sha256)
                    counts = self._add_reports(tx, raw)
                    tx.resolve_quarantine(entry_id)
                    tx.log(entry.source, entry.sha256, "resolved", counts, "retry")
            except (StorageError, IntegrityError):
                raise
            except Exception:
                failing += 1
                continue
            resolved += 1
            total += counts
        return RetryOutcome(resolved=resolved, counts=total, still_failing=failing)


def _reason(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    if isinstance(error, NoReportError):
        return text
    name = type(error).__name__
    return text if name in ("ParseError", "ReportError") else f"{name}: {text}"
