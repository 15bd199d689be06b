"""Daily roll-ups of the aggregate records, kept beside the store's tables for the dashboard.

Pages must answer in well under a second on millions of records, so the dashboard reads daily
sums instead of raw records. The roll-up tables are derived data: they are (re)built from the
store's tables at any time by :func:`refresh`, which adds every aggregate report not rolled up
yet, in batches, each batch in one transaction. A report is marked rolled up in the same
transaction as its sums (``dash_rolled`` has the report's key as primary key), so two
concurrent refreshes never count a report twice and a crash never loses one.

These tables live in their own metadata (created with ``CREATE TABLE IF NOT EXISTS``), not in
the store's Alembic migrations, so that dropping them is always safe: they are rebuilt.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from mailwarden.errors import StorageError
from mailwarden.store.schema import Key, aggregate_records, aggregate_reports

__all__ = [
    "BATCH",
    "COUNTS",
    "RollupState",
    "create_once",
    "dash_days",
    "dash_metadata",
    "dash_reporters",
    "dash_rolled",
    "dash_source_days",
    "dash_sources",
    "ensure_tables",
    "outcome_counts",
    "refresh",
    "reset",
]

#: Aggregate reports rolled up per transaction.
BATCH = 2000

dash_metadata = MetaData()

dash_rolled = Table(
    "dash_rolled",
    dash_metadata,
    Column("report_id", Key, primary_key=True, autoincrement=False),
)

#: Outcome counts kept per row of the roll-up: all messages, those that passed aligned SPF,
#: aligned DKIM and DMARC, and those that failed DMARC and were quarantined or rejected.
COUNTS = ("messages", "spf_pass", "dkim_pass", "dmarc_pass", "quarantined", "rejected")


def _counts() -> list[Column[int]]:
    return [Column(name, BigInteger, nullable=False) for name in COUNTS]


#: Messages per policy domain, day and source IP by outcome (summed over reporters). The index
#: covers every column, so a ranking of the sources of a period never reads the table itself.
dash_source_days = Table(
    "dash_source_days",
    dash_metadata,
    Column("domain", String(255), nullable=False),
    Column("day", Date, nullable=False),
    Column("source_ip", String(45), nullable=False),
    *_counts(),
    Index("ix_dash_source_days_cover", "domain", "day", "source_ip", *COUNTS),
)

#: Messages per policy domain and day by outcome: the daily figures without the source IPs.
dash_days = Table(
    "dash_days",
    dash_metadata,
    Column("domain", String(255), nullable=False),
    Column("day", Date, nullable=False),
    *_counts(),
    Index("ix_dash_days_domain_day", "domain", "day"),
    Index("ix_dash_days_day", "day"),
)

#: Roll-up tables of earlier versions: dropped (with the rest, which is then rebuilt).
LEGACY = ("dash_daily", "dash_outcomes")

#: Reports and messages per policy domain, day and reporting organisation.
dash_reporters = Table(
    "dash_reporters",
    dash_metadata,
    Column("domain", String(255), nullable=False),
    Column("day", Date, nullable=False),
    Column("org_name", String(255), nullable=False),
    Column("reports", Integer, nullable=False),
    Column("messages", BigInteger, nullable=False),
    Index("ix_dash_reporters_domain_day", "domain", "day"),
)

#: What is known about each source IP (the latest enrichment stored with its records).
dash_sources = Table(
    "dash_sources",
    dash_metadata,
    Column("source_ip", String(45), primary_key=True),
    Column("name", String(255)),
    Column("base_domain", String(255)),
    Column("country", String(2)),
    Column("asn", Integer),
    Column("as_org", String(255)),
)


_created: weakref.WeakKeyDictionary[Engine, set[int]] = weakref.WeakKeyDictionary()
_create_lock = threading.Lock()


def create_once(engine: Engine, metadata: MetaData) -> None:
    """Create the tables of ``metadata`` when missing, once per engine and process.

    A concurrent creator winning the race is fine. Raises ``StorageError`` when the tables
    can neither be created nor found.
    """
    with _create_lock:
        done = _created.setdefault(engine, set())
        if id(metadata) in done:
            return
        try:
            metadata.create_all(engine, checkfirst=True)
        except SQLAlchemyError as error:
            present = set(inspect(engine).get_table_names())
            if not set(metadata.tables) <= present:
                raise StorageError(f"cannot create the dashboard tables: {error}") from error
        done.add(id(metadata))


def reset(engine: Engine) -> None:
    """Drop the roll-up tables (the next :func:`refresh` rebuilds them from the store)."""
    try:
        dash_metadata.drop_all(engine, checkfirst=True)
        _drop_legacy(engine)
    except SQLAlchemyError as error:
        raise StorageError(f"cannot drop the dashboard tables: {error}") from error
    with _create_lock:
        _created.get(engine, set()).discard(id(dash_metadata))


def _drop_legacy(engine: Engine) -> bool:
    """Drop the tables of an earlier roll-up layout; return True when there were any."""
    present = set(inspect(engine).get_table_names())
    legacy = [name for name in LEGACY if name in present]
    if not legacy:
        return False
    with engine.begin() as connection:
        for name in legacy:
            connection.execute(text(f"DROP TABLE IF EXISTS {name}"))
    return True


def ensure_tables(engine: Engine) -> None:
    """Create the roll-up tables when missing; raise ``StorageError`` when that fails.

    A roll-up of an earlier layout is dropped first, so that it is rebuilt in this one.
    """
    with _create_lock:
        done = id(dash_metadata) in _created.get(engine, set())
    if not done:
        try:
            if _drop_legacy(engine):
                dash_metadata.drop_all(engine, checkfirst=True)
        except SQLAlchemyError as error:
            raise StorageError(f"cannot replace the old dashboard tables: {error}") from error
    create_once(engine, dash_metadata)


class RollupState:
    """Remembers when the roll-up was last checked, so requests do not all re-check it."""

    def __init__(self, interval: float = 5.0) -> None:
        self.interval = interval
        self._checked = -1e18
        self._lock = threading.Lock()

    def due(self) -> bool:
        """Return True (and start a new interval) when the roll-up should be checked now."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked < self.interval:
                return False
            self._checked = now
            return True


def refresh(engine: Engine, *, batch: int = BATCH) -> int:
    """Roll up every aggregate report not rolled up yet; return how many were added.

    Raises ``StorageError`` when the database fails.
    """
    try:
        ensure_tables(engine)
        if _up_to_date(engine):
            return 0
        added = 0
        while keys := _pending(engine, batch):
            added += _roll(engine, keys)
        return added
    except SQLAlchemyError as error:
        raise StorageError(f"cannot refresh the dashboard roll-up: {error}") from error


def _up_to_date(engine: Engine) -> bool:
    with engine.connect() as connection:
        reports = connection.execute(select(func.count()).select_from(aggregate_reports))
        rolled = connection.execute(select(func.count()).select_from(dash_rolled))
        return bool(reports.scalar_one() == rolled.scalar_one())


def _pending(engine: Engine, batch: int) -> list[int]:
    done = select(dash_rolled.c.report_id).where(dash_rolled.c.report_id == aggregate_reports.c.id)
    query = (
        select(aggregate_reports.c.id)
        .where(~done.exists())
        .order_by(aggregate_reports.c.id)
        .limit(batch)
    )
    with engine.connect() as connection:
        return [int(key) for key in connection.execute(query).scalars()]


def _roll(engine: Engine, keys: list[int]) -> int:
    """Add the sums of reports ``keys`` in one transaction; 0 when another refresh was first."""
    try:
        with engine.begin() as connection:
            connection.execute(insert(dash_rolled), [{"report_id": k} for k in keys])
            reports = _report_rows(connection, keys)
            by_source = _source_day_rows(connection, keys, reports)
            if by_source:
                connection.execute(insert(dash_source_days), by_source)
                connection.execute(insert(dash_days), _day_rows(by_source))
            connection.execute(insert(dash_reporters), _reporter_rows(reports))
            _merge_sources(connection, keys)
    except IntegrityError:
        return 0
    return len(keys)


def _report_rows(connection: Any, keys: list[int]) -> dict[int, tuple[str, dt.date, str, int]]:
    r = aggregate_reports.c
    query = select(r.id, r.domain, r.begin, r.org_name, r.message_count).where(r.id.in_(keys))
    return {
        int(key): (domain, _day(begin), org, int(messages or 0))
        for key, domain, begin, org, messages in connection.execute(query)
    }


def _day(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def outcome_counts(
    messages: int, disposition: str | None, dkim: str | None, spf: str | None
) -> tuple[int, ...]:
    """Return ``messages`` spread over :data:`COUNTS` for one policy-evaluated outcome.

    DMARC passes when aligned DKIM or aligned SPF passes; a failing message counts as
    quarantined or rejected when the receiver says so.
    """
    dkim_pass, spf_pass = _word(dkim) == "pass", _word(spf) == "pass"
    passed = dkim_pass or spf_pass
    verdict = _word(disposition)
    return (
        messages,
        messages if spf_pass else 0,
        messages if dkim_pass else 0,
        messages if passed else 0,
        messages if not passed and verdict == "quarantine" else 0,
        messages if not passed and verdict == "reject" else 0,
    )


def _source_day_rows(
    connection: Any, keys: list[int], reports: dict[int, tuple[str, dt.date, str, int]]
) -> list[dict[str, Any]]:
    c = aggregate_records.c
    query = (
        select(c.report_id, c.source_ip, c.disposition, c.dkim, c.spf, func.sum(c.count))
        .where(c.report_id.in_(keys))
        .group_by(c.report_id, c.source_ip, c.disposition, c.dkim, c.spf)
    )
    sums: dict[tuple[str, dt.date, str], list[int]] = defaultdict(lambda: [0] * len(COUNTS))
    for report_key, ip, disposition, dkim, spf, messages in connection.execute(query):
        domain, day, _org, _count = reports[int(report_key)]
        entry = sums[(domain, day, ip)]
        for index, count in enumerate(outcome_counts(int(messages or 0), disposition, dkim, spf)):
            entry[index] += count
    return [
        {"domain": domain, "day": day, "source_ip": ip, **dict(zip(COUNTS, counts, strict=True))}
        for (domain, day, ip), counts in sums.items()
    ]


def _day_rows(by_source: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sums: dict[tuple[str, dt.date], list[int]] = defaultdict(lambda: [0] * len(COUNTS))
    for row in by_source:
        entry = sums[(row["domain"], row["day"])]
        for index, name in enumerate(COUNTS):
            entry[index] += row[name]
    return [
        {"domain": domain, "day": day, **dict(zip(COUNTS, counts, strict=True))}
        for (domain, day), counts in sums.items()
    ]


def _word(value: str | None) -> str:
    return (value or "none").strip().lower() or "none"


def _reporter_rows(reports: dict[int, tuple[str, dt.date, str, int]]) -> list[dict[str, Any]]:
    sums: dict[tuple[str, dt.date, str], list[int]] = defaultdict(lambda: [0, 0])
    for domain, day, org, messages in reports.values():
        entry = sums[(domain, day, org)]
        entry[0] += 1
        entry[1] += messages
    return [
        {"domain": d, "day": day, "org_name": org, "reports": n, "messages": m}
        for (d, day, org), (n, m) in sums.items()
    ]


def _merge_sources(connection: Any, keys: list[int]) -> None:
    c = aggregate_records.c
    query = (
        select(c.source_ip, c.source_name, c.source_base_domain, c.country, c.asn, c.as_org)
        .where(c.report_id.in_(keys))
        .where(
            (c.source_name.is_not(None))
            | (c.country.is_not(None))
            | (c.asn.is_not(None))
            | (c.source_base_domain.is_not(None))
        )
    )
    latest: dict[str, dict[str, Any]] = {}
    for ip, name, base, country, asn, as_org in connection.execute(query):
        latest[ip] = {
            "source_ip": ip,
            "name": name,
            "base_domain": base,
            "country": country,
            "asn": asn,
            "as_org": as_org,
        }
    _replace_sources(connection, latest.values())


def _replace_sources(connection: Any, rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        ips = [row["source_ip"] for row in chunk]
        connection.execute(delete(dash_sources).where(dash_sources.c.source_ip.in_(ips)))
        connection.execute(insert(dash_sources), chunk)
