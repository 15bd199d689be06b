"""``SqlReportStore``: the report store on SQLite or PostgreSQL through SQLAlchemy Core."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from mailwarden.errors import ConfigError, InputError, StorageError
from mailwarden.store import rows
from mailwarden.store.base import (
    DomainStats,
    Enricher,
    IngestCounts,
    QuarantineEntry,
    StoreStats,
)
from mailwarden.store.dashboard import SOURCE_INFO, RollupDelta, report_sums
from mailwarden.store.dberrors import describe_db_error
from mailwarden.store.driver import Driver
from mailwarden.store.location import database_url, display_url
from mailwarden.store.migrate import upgrade
from mailwarden.store.schema import (
    aggregate_records,
    aggregate_reports,
    failure_reports,
    ingest_log,
    quarantine,
    tls_failures,
    tls_policies,
    tls_reports,
)

__all__ = ["CHUNK", "SqlReportStore", "SqlTransaction", "open_store"]

#: Records inserted per statement: bounds memory whatever the size of a report.
CHUNK = 1000

Clock = Callable[[], dt.datetime]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def open_store(
    db: str | None = None, *, migrate: bool = True, now: Clock = _utcnow
) -> SqlReportStore:
    """Open (creating and migrating when needed) the store at ``db`` (a ``--db`` value).

    ``None`` is the SQLite file in the user's data directory. Raises ``ConfigError`` for an
    unsupported or malformed URL (or a ``sqlite://`` one naming no file) and ``StorageError``
    when the database cannot be opened or migrated.
    """
    url = database_url(db)
    engine = _engine(url)
    try:
        if migrate:
            upgrade(engine)
    except SQLAlchemyError as error:
        engine.dispose()
        raise StorageError(
            f"cannot open database {display_url(url)}: {describe_db_error(error)}"
        ) from error
    return SqlReportStore(engine, url, now=now)


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except (SQLAlchemyError, ValueError) as error:
        raise ConfigError(f"malformed database URL {display_url(url)}: {error}") from None
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if not parsed.database:
        raise ConfigError(f"database URL {url!r} names no file: use sqlite:///PATH")
    if parsed.database and parsed.database != ":memory:":
        try:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(f"cannot create {Path(parsed.database).parent}: {error}") from error
    engine = create_engine(url, connect_args={"timeout": 60})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Concurrent-safe SQLite: WAL, foreign keys; we issue BEGIN ourselves.

    ``synchronous=NORMAL``: a commit is atomic and survives the process being killed; it is
    on disk once the write-ahead log is synced (:meth:`SqlReportStore.sync`), which callers
    do before they acknowledge input (move a mail, delete a spool file).
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "busy_timeout=60000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Take the write lock at BEGIN, so that two writers queue instead of deadlocking."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class SqlTransaction:
    """The writes of one message inside one database transaction."""

    def __init__(self, connection: Connection, now: dt.datetime) -> None:
        self.connection = connection
        self.driver = Driver(connection)
        self.now = now
        self.ingest_id: int | None = None
        self.rollup = RollupDelta()

    def add_report(self, report: object, *, enrich: Enricher | None = None) -> bool:
        """Store ``report``; return False (storing nothing) when its identity is already stored.

        Raises ``TypeError`` for an object that is not a parsed report.
        """
        kind = rows.kind_of(report)
        if kind == "aggregate":
            return self._add_aggregate(report, enrich)
        if kind == "failure":
            return self._add_simple(report, failure_reports, rows.failure_row)
        return self._add_tls(report)

    def _exists(self, table: Any, identity: rows.Identity, reporter_column: str) -> bool:
        reporter, report_id, domain, begin, end = identity
        where = {
            reporter_column: reporter,
            "report_id": report_id,
            "domain": domain,
            "begin": begin,
            "end": end,
        }
        return self.driver.exists(table, where)

    def _insert_one(self, table: Any, row: dict[str, Any]) -> int:
        return self.driver.insert(table, row)

    def _add_aggregate(self, report: Any, enrich: Enricher | None) -> bool:
        if isinstance(report, rows.PreparedAggregate):
            return self._add_prepared(report, enrich)
        identity = rows.identity_of(report)
        if self._exists(aggregate_reports, identity, "org_name"):
            return False
        org, _report_id, domain, begin, _end = identity
        day = begin.date()
        key = self._insert_one(
            aggregate_reports, rows.aggregate_row(report, self.now, self.ingest_id)
        )
        records = report.records
        record_count = message_count = 0
        for chunk in _chunks(records() if callable(records) else records, CHUNK):
            fields = [rows.record_fields(record) for record in chunk]
            self._insert_records(key, fields, enrich)
            self.rollup.add_sums(report_sums(domain, day, fields))
            record_count += len(fields)
            message_count += sum(values[1] for values in fields)
        self.connection.execute(
            update(aggregate_reports)
            .where(aggregate_reports.c.id == key)
            .values(
                record_count=record_count,
                message_count=message_count,
                warnings=rows.warnings_json(report),
            )
        )
        self.rollup.add_report(domain, day, org, message_count)
        return True

    def _add_prepared(self, report: rows.PreparedAggregate, enrich: Enricher | None) -> bool:
        """Store an aggregate report whose rows and roll-up sums were built in a parse worker."""
        if self._exists(aggregate_reports, report.identity, "org_name"):
            return False
        org, _report_id, domain, begin, _end = report.identity
        day = begin.date()
        row = {
            **report.row,
            "warnings": report.warnings,
            "ingest_id": self.ingest_id,
            "ingested_at": rows.utc(self.now),
            "record_count": len(report.records),
            "message_count": report.messages,
        }
        key = self._insert_one(aggregate_reports, row)
        self._insert_records(key, report.records, enrich)
        self.rollup.add_sums(report.sums)
        self.rollup.add_report(domain, day, org, report.messages)
        return True

    def _insert_records(
        self, key: int, records: list[tuple[Any, ...]], enrich: Enricher | None
    ) -> None:
        """Insert ``records`` (:func:`rows.record_fields` tuples) of report ``key``, enriched
        when ``enrich`` is given, with one ``executemany`` per :data:`CHUNK` records."""
        columns = rows.RECORD_COLUMNS if enrich is not None else rows.PLAIN_RECORD_COLUMNS
        for start in range(0, len(records), CHUNK):
            chunk = records[start : start + CHUNK]
            if enrich is not None:
                chunk = self._enriched(chunk, enrich)
            self.driver.insert_many(aggregate_records, columns, [(key, *row) for row in chunk])

    def _enriched(self, records: list[tuple[Any, ...]], enrich: Enricher) -> list[tuple[Any, ...]]:
        """Return ``records`` with their enrichment columns; remember what is known of each
        source for the roll-ups."""
        infos = enrich(sorted({fields[0] for fields in records}))
        unknown = rows.info_values(None)
        found = []
        for fields in records:
            info = infos.get(fields[0])
            if info is None:
                found.append(fields + unknown)
                continue
            values = rows.info_values(info)
            self.rollup.add_source(fields[0], dict(zip(SOURCE_INFO, values, strict=True)))
            found.append(fields + values)
        return found

    def _add_simple(
        self,
        report: Any,
        table: Any,
        to_row: Callable[[Any, dt.datetime, int | None], dict[str, Any]],
    ) -> bool:
        if self._exists(table, rows.identity_of(report), "reporter"):
            return False
        self._insert_one(table, to_row(report, self.now, self.ingest_id))
        return True

    def _add_tls(self, report: Any) -> bool:
        if self._exists(tls_reports, rows.identity_of(report), "org_name"):
            return False
        key = self._insert_one(tls_reports, rows.tls_row(report, self.now, self.ingest_id))
        good = bad = 0
        for policy in getattr(report, "policies", ()):
            row = rows.tls_policy_row(policy, key)
            policy_key = self._insert_one(tls_policies, row)
            details = rows.tls_failure_rows(policy, policy_key)
            if details:
                self.connection.execute(insert(tls_failures), details)
            good += row["successful_sessions"]
            bad += row["failed_sessions"]
        self.connection.execute(
            update(tls_reports)
            .where(tls_reports.c.id == key)
            .values(successful_sessions=good, failed_sessions=bad)
        )
        return True

    def quarantine(self, raw: bytes, reason: str, source: str) -> bool:
        """Keep ``raw`` whole with ``reason``; return False when these bytes are already kept."""
        digest = hashlib.sha256(raw).hexdigest()
        known = self.connection.execute(
            select(quarantine.c.id, quarantine.c.status).where(quarantine.c.sha256 == digest)
        ).first()
        if known is not None:
            if known.status == "quarantined":
                return False
            self.connection.execute(
                update(quarantine)
                .where(quarantine.c.id == known.id)
                .values(status="quarantined", reason=reason, resolved_at=None)
            )
            return True
        row = {
            "sha256": digest,
            "source": source,
            "reason": reason,
            "raw": raw,
            "size": len(raw),
            "status": "quarantined",
            "received_at": rows.utc(self.now),
        }
        self.connection.execute(insert(quarantine), row)
        return True

    def resolve_quarantine(self, entry_id: int) -> None:
        """Mark quarantined input ``entry_id`` as parsed (it is kept, with its resolution time)."""
        self.connection.execute(
            update(quarantine)
            .where(quarantine.c.id == entry_id)
            .values(status="resolved", resolved_at=rows.utc(self.now))
        )

    def start_log(self, source: str, sha256: str) -> None:
        """Write this message's ingest log line first, so stored reports can point at it."""
        row = {"at": rows.utc(self.now), "source": source, "sha256": sha256, "outcome": "pending"}
        self.ingest_id = self._insert_one(ingest_log, row)

    def log(
        self, source: str, sha256: str, outcome: str, counts: IngestCounts, detail: str
    ) -> None:
        """Complete (or append) this message's ingest log line with its outcome and counts."""
        values = {
            "at": rows.utc(self.now),
            "source": source,
            "sha256": sha256,
            "outcome": outcome,
            "reports_new": counts.reports_new,
            "duplicates": counts.duplicates,
            "detail": detail or None,
        }
        if self.ingest_id is None:
            self.ingest_id = self._insert_one(ingest_log, values)
        else:
            self.driver.update(ingest_log, self.ingest_id, values)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class SqlReportStore:
    """The report store behind a SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, url: str, *, now: Clock = _utcnow) -> None:
        self.engine = engine
        self.url = url
        self._now = now

    @property
    def dialect(self) -> str:
        """Return ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        """Yield a transaction that commits when the block ends and rolls back on any error.

        Raises ``StorageError`` when the database fails; ``IntegrityError`` (a concurrent writer
        stored the same report first) is re-raised as is so that the caller can retry.
        """
        try:
            with self.engine.begin() as connection:
                transaction = SqlTransaction(connection, self._now())
                yield transaction
                transaction.rollup.flush(connection)
        except IntegrityError:
            raise
        except SQLAlchemyError as error:
            raise StorageError(
                f"database {display_url(self.url)}: {describe_db_error(error)}"
            ) from error

    def sync(self) -> None:
        """Make every commit so far durable (on disk, surviving a power loss).

        SQLite: the write-ahead log is synced (commits are written to it, not synced, under
        ``synchronous=NORMAL``; checkpoints sync what they copy). PostgreSQL: nothing to do,
        its commits are durable. Raises ``StorageError`` when the sync fails.
        """
        path = self._sqlite_path()
        if path is None:
            return
        for name in (f"{path}-wal", str(path)):
            try:
                fd = os.open(name, os.O_RDONLY)
            except FileNotFoundError:
                continue
            except OSError as error:
                raise StorageError(f"cannot sync {name}: {error}") from error
            try:
                os.fsync(fd)
            except OSError as error:
                raise StorageError(f"cannot sync {name}: {error}") from error
            finally:
                os.close(fd)

    def _sqlite_path(self) -> Path | None:
        parsed = make_url(self.url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return None
        return Path(parsed.database)

    def _read(self, statement: Any) -> list[Row[Any]]:
        try:
            with self.engine.connect() as connection:
                return list(connection.execute(statement))
        except SQLAlchemyError as error:
            raise StorageError(
                f"database {display_url(self.url)}: {describe_db_error(error)}"
            ) from error

    def _read_tuples(self, statement: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._read(statement)]

    def stats(self) -> StoreStats:
        """Return the counts per policy domain and in total (quarantined input in total only)."""
        per_domain: dict[str, dict[str, int]] = {}
        for domain, reports, records, messages in self._read_tuples(
            select(
                aggregate_reports.c.domain,
                func.count(),
                func.coalesce(func.sum(aggregate_reports.c.record_count), 0),
                func.coalesce(func.sum(aggregate_reports.c.message_count), 0),
            ).group_by(aggregate_reports.c.domain)
        ):
            entry = per_domain.setdefault(domain, {})
            # int(): PostgreSQL's sums of bigint columns arrive as Decimal
            entry.update(
                aggregate_reports=reports, aggregate_records=int(records), messages=int(messages)
            )
        for table, key in ((failure_reports, "failure_reports"), (tls_reports, "tls_reports")):
            for domain, count in self._read_tuples(
                select(table.c.domain, func.count()).group_by(table.c.domain)
            ):
                per_domain.setdefault(domain, {})[key] = count
        domains = tuple(
            (name, DomainStats(**{k: int(v) for k, v in counts.items()}))
            for name, counts in sorted(per_domain.items())
        )
        total = DomainStats(
            **{
                field: sum(getattr(stats, field) for _, stats in domains)
                for field in DomainStats.__dataclass_fields__
            }
        )
        waiting = self._read(
            select(func.count()).select_from(quarantine).where(quarantine.c.status == "quarantined")
        )
        return StoreStats(total=total, quarantined=int(waiting[0][0]), domains=domains)

    def quarantine_entries(self, *, include_resolved: bool = False) -> list[QuarantineEntry]:
        """Return quarantined inputs, oldest first (resolved ones too with ``include_resolved``)."""
        query = select(*_ENTRY_COLUMNS).order_by(quarantine.c.id)
        if not include_resolved:
            query = query.where(quarantine.c.status == "quarantined")
        return [QuarantineEntry(*row) for row in self._read_tuples(query)]

    def quarantine_raw(self, entry_id: int) -> tuple[QuarantineEntry, bytes]:
        """Return quarantined input ``entry_id`` and its raw bytes; ``InputError`` when unknown."""
        found = self._read(
            select(*_ENTRY_COLUMNS, quarantine.c.raw).where(quarantine.c.id == entry_id)
        )
        if not found:
            raise InputError(f"no quarantined input with id {entry_id}")
        *fields, raw = tuple(found[0])
        return QuarantineEntry(*fields), bytes(raw)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


_ENTRY_COLUMNS = (
    quarantine.c.id,
    quarantine.c.sha256,
    quarantine.c.source,
    quarantine.c.reason,
    quarantine.c.size,
    quarantine.c.status,
    quarantine.c.received_at,
    quarantine.c.resolved_at,
)
