"""The dashboard's roll-ups: sums of the aggregate reports, kept exact at ingest time.

Pages must answer in well under a second on millions of records, so the dashboard reads sums
per domain and day (and per source IP) instead of raw records. The store adds a report's sums
in the same transaction as the report (:class:`RollupDelta`, flushed just before the commit),
so a duplicate report, which the store refuses, adds nothing, and a rolled-back message takes
its sums with it. The tables are part of the store's schema (Alembic revision 0002, which
back-fills them with :func:`rebuild`).

A message's sums are written in key order, table after table, so that two concurrent
ingesters adding to the same rows wait for each other instead of deadlocking.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Engine,
    MetaData,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from mailwarden.errors import StorageError
from mailwarden.store.dberrors import describe_db_error
from mailwarden.store.driver import Driver
from mailwarden.store.schema import (
    ROLLUP_COUNTS,
    aggregate_records,
    aggregate_reports,
    rollup_days,
    rollup_reporters,
    rollup_source_days,
    rollup_sources,
)

__all__ = [
    "LEGACY_TABLES",
    "SOURCE_INFO",
    "ReportSums",
    "RollupDelta",
    "create_once",
    "drop_legacy",
    "outcome_counts",
    "rebuild",
    "report_sums",
]

#: Tables of the earlier roll-up that the dashboard rebuilt itself: derived data, dropped.
LEGACY_TABLES = ("dash_daily", "dash_outcomes", "dash_reporters", "dash_sources", "dash_rolled")

#: Where the enrichment of a source is kept, by column of ``aggregate_records``.
SOURCE_INFO = {
    "name": "source_name",
    "base_domain": "source_base_domain",
    "country": "country",
    "asn": "asn",
    "as_org": "as_org",
}

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
                reason = describe_db_error(error)
                raise StorageError(f"cannot create the dashboard tables: {reason}") from error
        done.add(id(metadata))


def _word(value: str | None) -> str:
    """Return an outcome word as the roll-up compares it (the SQL of :func:`_is` does alike)."""
    return (value or "").strip(" ").lower()


def outcome_counts(
    messages: int, disposition: str | None, dkim: str | None, spf: str | None
) -> tuple[int, ...]:
    """Return ``messages`` spread over :data:`ROLLUP_COUNTS` for one policy-evaluated outcome.

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


def _add(target: dict[Any, list[int]], key: Any, counts: Sequence[int]) -> None:
    entry = target.get(key)
    if entry is None:
        target[key] = list(counts)
    else:
        for index, count in enumerate(counts):
            entry[index] += count


#: :func:`outcome_counts` of one message, by (disposition, dkim, spf): reports repeat a few.
_UNIT_COUNTS: dict[tuple[str | None, str | None, str | None], tuple[int, ...]] = {}
_UNIT_COUNTS_SIZE = 1024


def _unit_counts(disposition: str | None, dkim: str | None, spf: str | None) -> tuple[int, ...]:
    key = (disposition, dkim, spf)
    found = _UNIT_COUNTS.get(key)
    if found is None:
        if len(_UNIT_COUNTS) >= _UNIT_COUNTS_SIZE:
            _UNIT_COUNTS.clear()
        found = _UNIT_COUNTS[key] = outcome_counts(1, disposition, dkim, spf)
    return found


@dataclass(frozen=True, slots=True)
class ReportSums:
    """The roll-up rows of one aggregate report's records, ready for the upserts.

    ``source_days`` holds (domain, day, source_ip, *ROLLUP_COUNTS) rows in source IP order,
    ``day`` the (domain, day, *ROLLUP_COUNTS) row; days are ISO text (``2026-11-28``), as
    SQLite stores them and PostgreSQL reads them. Plain tuples: built in a parse worker.
    """

    source_days: list[tuple[Any, ...]]
    day: tuple[Any, ...]


def report_sums(domain: str, day: dt.date, records: Iterable[Sequence[Any]]) -> ReportSums:
    """Return the roll-up rows of ``records`` (rows from ``source_ip`` on: source IP, count,
    disposition, dkim, spf, ...) of a report on ``domain`` beginning on ``day``."""
    by_source: dict[str, list[int]] = {}
    units = _UNIT_COUNTS
    for fields in records:
        count = fields[1]
        outcome = (fields[2], fields[3], fields[4])
        unit = units.get(outcome) or _unit_counts(*outcome)
        entry = by_source.get(fields[0])
        if entry is None:
            by_source[fields[0]] = [count * flag for flag in unit]
        else:
            for index, flag in enumerate(unit):
                entry[index] += count * flag
    iso = day.isoformat()
    totals = [0] * len(ROLLUP_COUNTS)
    rows = []
    for source_ip in sorted(by_source):
        counts = by_source[source_ip]
        rows.append((domain, iso, source_ip, *counts))
        for index, count in enumerate(counts):
            totals[index] += count
    return ReportSums(rows, (domain, iso, *totals))


class RollupDelta:
    """The sums one transaction adds to the roll-ups, written by :meth:`flush`."""

    def __init__(self) -> None:
        self.source_days: list[list[tuple[Any, ...]]] = []
        self.days: list[tuple[Any, ...]] = []
        self.reporters: dict[tuple[str, str, str], list[int]] = {}
        self.sources: dict[str, dict[str, Any]] = {}

    def add_sums(self, sums: ReportSums) -> None:
        """Add the counts of one report's records (see :func:`report_sums`)."""
        self.source_days.append(sums.source_days)
        self.days.append(sums.day)

    def add_source(self, source_ip: str, info: dict[str, Any]) -> None:
        """Remember the enrichment of ``source_ip`` (name, base_domain, country, asn, as_org)
        when any of it is known."""
        if any(value is not None for value in info.values()):
            self.sources[source_ip] = info

    def add_report(self, domain: str, day: dt.date, org_name: str, messages: int) -> None:
        """Count one aggregate report of ``org_name`` covering ``messages``."""
        _add(self.reporters, (domain, day.isoformat(), org_name), (1, messages))

    def flush(self, connection: Connection) -> None:
        """Add the sums to the roll-up tables (in key order) and forget them.

        Rows with the same key (two reports of one message) are upserted one after the other.
        """
        driver = Driver(connection)
        parts = self.source_days
        rows = parts[0] if len(parts) == 1 else sorted(row for part in parts for row in part)
        _upsert(driver, rollup_source_days, rows, ROLLUP_COUNTS)
        _upsert(driver, rollup_days, sorted(self.days), ROLLUP_COUNTS)
        reporters = [(*key, *counts) for key, counts in sorted(self.reporters.items())]
        _upsert(driver, rollup_reporters, reporters, ("reports", "messages"))
        info = tuple(SOURCE_INFO)
        sources = [(ip, *(self.sources[ip][k] for k in info)) for ip in sorted(self.sources)]
        driver.upsert_many(rollup_sources, ("source_ip", *info), sources, replace=info)
        self.source_days, self.days, self.reporters, self.sources = [], [], {}, {}


def _upsert(
    driver: Driver, table: Table, rows: list[tuple[Any, ...]], counts: tuple[str, ...]
) -> None:
    keys = tuple(c.name for c in table.primary_key.columns)
    driver.upsert_many(table, (*keys, *counts), rows, add=counts)


def _day_of(connection: Connection, column: Any) -> Any:
    """Return the SQL of the UTC day of a stored (naive UTC) datetime ``column``."""
    if connection.dialect.name == "sqlite":
        return func.date(column)
    return cast(column, Date)


def _is(column: Any, word: str) -> Any:
    """Return SQL true when outcome ``column`` is ``word`` (as :func:`_word` compares)."""
    return func.lower(func.trim(func.coalesce(column, ""))) == word


def _outcome_sums(dkim: Any, spf: Any, disposition: Any, messages: Any) -> list[Any]:
    """Return the SQL sums of :data:`ROLLUP_COUNTS` over records (as :func:`outcome_counts`)."""
    passed = or_(_is(dkim, "pass"), _is(spf, "pass"))

    def total(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, messages), else_=0)), 0)

    return [
        func.coalesce(func.sum(messages), 0),
        total(_is(spf, "pass")),
        total(_is(dkim, "pass")),
        total(passed),
        total(and_(~passed, _is(disposition, "quarantine"))),
        total(and_(~passed, _is(disposition, "reject"))),
    ]


def rebuild(connection: Connection) -> None:
    """Recompute every roll-up table from the stored aggregate reports (in the caller's
    transaction): what the migration that created them does, and a check of their sums.

    Raises SQLAlchemy errors when the database fails.
    """
    for table in (rollup_source_days, rollup_days, rollup_reporters, rollup_sources):
        connection.execute(delete(table))
    r, a = aggregate_reports.c, aggregate_records.c
    day = _day_of(connection, r.begin)
    by_source = (
        select(r.domain, day, a.source_ip, *_outcome_sums(a.dkim, a.spf, a.disposition, a.count))
        .select_from(aggregate_records.join(aggregate_reports, r.id == a.report_id))
        .group_by(r.domain, day, a.source_ip)
    )
    keys = ["domain", "day", "source_ip"]
    connection.execute(insert(rollup_source_days).from_select([*keys, *ROLLUP_COUNTS], by_source))
    s = rollup_source_days.c
    by_day = select(s.domain, s.day, *(func.sum(s[name]) for name in ROLLUP_COUNTS)).group_by(
        s.domain, s.day
    )
    connection.execute(insert(rollup_days).from_select(["domain", "day", *ROLLUP_COUNTS], by_day))
    by_reporter = select(
        r.domain, day, r.org_name, func.count(), func.coalesce(func.sum(r.message_count), 0)
    ).group_by(r.domain, day, r.org_name)
    connection.execute(
        insert(rollup_reporters).from_select(
            ["domain", "day", "org_name", "reports", "messages"], by_reporter
        )
    )
    known = or_(*(a[column].is_not(None) for column in SOURCE_INFO.values()))
    newest = select(func.max(a.id)).where(known).group_by(a.source_ip)
    info = select(a.source_ip, *(a[column] for column in SOURCE_INFO.values())).where(
        a.id.in_(newest)
    )
    connection.execute(insert(rollup_sources).from_select(["source_ip", *SOURCE_INFO], info))


def drop_legacy(connection: Connection, names: Iterable[str] = LEGACY_TABLES) -> None:
    """Drop the tables of the earlier self-rebuilt roll-up when they exist."""
    present = set(inspect(connection).get_table_names())
    for name in names:
        if name in present:
            connection.execute(text(f"DROP TABLE {name}"))
