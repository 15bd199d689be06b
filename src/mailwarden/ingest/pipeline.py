"""Ingest one raw input (a mail, a file) into the store: one message, one transaction.

A message's reports are stored together or not at all. A report already stored counts as a
duplicate; input that cannot be parsed is kept whole in the quarantine with the reason.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from mailwarden.errors import StorageError
from mailwarden.ingest.prepare import NoReportError, ParsePool, prepare_input, reason_of
from mailwarden.store.base import Enricher, IngestCounts, ReportStore, StoreTransaction

__all__ = ["Ingestor", "Outcome", "Parser", "RawInput", "RetryOutcome"]

#: Turns the raw bytes of one input into its reports; raises on input it cannot parse.
Parser = Callable[[bytes], Iterable[object]]

#: How often a message is tried again when a concurrent writer stored the same report first.
ATTEMPTS = 3

#: Inputs larger than this are parsed in the main process, streaming, so memory stays bounded.
AHEAD_MAX_INPUT = 1 << 20

#: Raw bytes, and inputs, being parsed ahead at most (bounds the memory of the results).
AHEAD_BYTES = 16 << 20
AHEAD_INPUTS = 64


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


class Ingestor:
    """Parses inputs and stores their reports exactly once.

    With ``workers`` > 0 (and a picklable ``parse``), :meth:`process_many` parses inputs
    ahead in that many worker processes while earlier ones are stored; call :meth:`close`
    (or use the ingestor as a context manager) to stop them.
    """

    def __init__(
        self,
        store: ReportStore,
        parse: Parser,
        *,
        enrich: Enricher | None = None,
        workers: int = 0,
    ) -> None:
        self.store = store
        self.parse = parse
        self.enrich = enrich
        self.workers = workers if workers > 0 and ParsePool.usable(parse) else 0
        self._pool: ParsePool | None = None

    def __enter__(self) -> Ingestor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def ingest(self, item: RawInput) -> IngestCounts:
        """Store the reports of ``item`` in one transaction and return the counts.

        Unparseable input is quarantined (a duplicate when these bytes already are).
        Raises ``StorageError`` when the store fails: then nothing of ``item`` is stored.
        """
        return self.process(item).counts

    def process(self, item: RawInput) -> Outcome:
        """Like :meth:`ingest`, and also tell whether ``item`` parsed or was quarantined.

        The outcome is durable when this returns: the source may then acknowledge ``item``.
        """
        outcome = self._finish(item, None)
        self.store.sync()
        return outcome

    def process_many(self, items: Iterable[RawInput]) -> Iterator[tuple[RawInput, Outcome]]:
        """Yield each of ``items`` with its outcome (see :meth:`process`), in order.

        The outcomes are durable once the iteration ends (acknowledge the inputs only then,
        not as each is yielded). With workers, inputs are parsed ahead in worker processes
        (a bounded number of bytes at a time) while the earlier ones are stored; each is
        still stored in its own transaction, in order. Raises ``StorageError`` like :meth:`ingest`.
        """
        if not self.workers:
            for item in items:
                yield item, self._finish(item, None)
            self.store.sync()
            return
        window: deque[tuple[RawInput, Future[list[object] | str] | None]] = deque()
        ahead = 0
        for item in items:
            future = None
            if len(item.data) <= AHEAD_MAX_INPUT:
                future = self._parse_pool().submit(item.data)
                ahead += len(item.data)
            window.append((item, future))
            while window and (ahead > AHEAD_BYTES or len(window) > AHEAD_INPUTS):
                self._help(window)
                done, prepared = window.popleft()
                ahead -= len(done.data) if prepared is not None else 0
                yield done, self._finish(done, prepared)
        while window:
            self._help(window)
            done, prepared = window.popleft()
            yield done, self._finish(done, prepared)
        self.store.sync()

    def _help(self, window: deque[tuple[RawInput, Future[list[object] | str] | None]]) -> None:
        """While the next input is still being parsed, parse inputs queued further ahead here,
        rather than wait (the last one not yet started, taken back from the workers)."""
        head = window[0][1]
        index = len(window) - 1
        while head is not None and not head.done() and index > 0:
            item, future = window[index]
            if future is not None and future.cancel():
                local: Future[list[object] | str] = Future()
                local.set_result(prepare_input(self.parse, item.data))
                window[index] = (item, local)
            index -= 1

    def _parse_pool(self) -> ParsePool:
        if self._pool is None:
            self._pool = ParsePool(self.parse, self.workers)
        return self._pool

    def _finish(self, item: RawInput, prepared: Future[list[object] | str] | None) -> Outcome:
        digest = hashlib.sha256(item.data).hexdigest()
        reports: list[object] | None = None
        if prepared is not None:
            try:
                result = prepared.result()
            except Exception:  # a worker died or a result could not be sent: parse here
                result = None
            if isinstance(result, str):
                return Outcome(self._quarantine(item, digest, result), parsed=False)
            reports = result
        for attempt in range(ATTEMPTS):
            try:
                return Outcome(self._store(item, digest, reports), parsed=True)
            except IntegrityError as error:
                if attempt == ATTEMPTS - 1:
                    raise StorageError(f"{item.source}: {error.orig}") from error
            except StorageError:
                raise
            except Exception as error:  # any parse failure must keep the input, never lose it
                return Outcome(self._quarantine(item, digest, reason_of(error)), parsed=False)
        raise AssertionError("unreachable")

    def ingest_all(self, items: Iterable[RawInput]) -> IngestCounts:
        """Ingest each of ``items`` in turn and return the summed counts."""
        total = IngestCounts()
        for _, outcome in self.process_many(items):
            total += outcome.counts
        return total

    def _store(self, item: RawInput, digest: str, reports: list[object] | None) -> IngestCounts:
        with self.store.transaction() as tx:
            tx.start_log(item.source, digest)
            found = self.parse(item.data) if reports is None else reports
            counts = self._add_reports(tx, found)
            outcome = "stored" if counts.reports_new else "duplicate"
            tx.log(item.source, digest, outcome, counts, "")
        return counts

    def _add_reports(self, tx: StoreTransaction, reports: Iterable[object]) -> IngestCounts:
        new = duplicates = 0
        for report in reports:
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
                    counts = self._add_reports(tx, self.parse(raw))
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
