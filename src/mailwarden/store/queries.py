"""Read-only queries the dashboard needs, over the store's tables and the daily roll-up.

Every function takes the store's engine and a :class:`Period` (inclusive days, UTC) and returns
frozen dataclasses. Aggregate figures come from the roll-ups the store keeps at ingest time
(:mod:`mailwarden.store.dashboard`), so they always include every stored report.
All functions raise ``StorageError`` when the database fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Table,
    cast,
    func,
    literal,
    select,
    union,
    union_all,
)
from sqlalchemy.exc import SQLAlchemyError

from mailwarden.errors import StorageError
from mailwarden.store.dberrors import describe_db_error
from mailwarden.store.schema import (
    ROLLUP_COUNTS,
    aggregate_reports,
    failure_reports,
    rollup_days,
    rollup_reporters,
    rollup_source_days,
    rollup_sources,
    tls_failures,
    tls_policies,
    tls_reports,
)

__all__ = [
    "DayVolume",
    "DomainSummary",
    "FailureRow",
    "Period",
    "PublishedPolicy",
    "Rates",
    "ReporterRow",
    "SourceRow",
    "TlsFailureRow",
    "TlsRow",
    "data_bounds",
    "domain_summaries",
    "domains",
    "failure_detail",
    "failure_list",
    "iter_sources",
    "published_policies",
    "rates",
    "reporters",
    "source_rankings",
    "sources",
    "tls_daily",
    "tls_failure_summary",
    "tls_list",
    "volume",
]

#: The outcome counts of a source, in the order of :class:`SourceRow`'s fields.
SOURCE_COUNTS = ROLLUP_COUNTS


@dataclass(frozen=True, slots=True)
class Period:
    """Inclusive range of UTC days."""

    start: dt.date
    end: dt.date

    @property
    def first(self) -> dt.datetime:
        """Return the first instant of the period (naive UTC)."""
        return dt.datetime.combine(self.start, dt.time())

    @property
    def after(self) -> dt.datetime:
        """Return the first instant after the period (naive UTC)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time())

    def days(self) -> list[dt.date]:
        """Return every day of the period in order."""
        count = (self.end - self.start).days + 1
        return [self.start + dt.timedelta(days=i) for i in range(max(count, 0))]


@dataclass(frozen=True, slots=True)
class DayVolume:
    """Messages of one day by DMARC result: passed, failed and delivered, quarantined, rejected."""

    day: dt.date
    passed: int = 0
    failed_delivered: int = 0
    quarantined: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        """Return all messages of the day."""
        return self.passed + self.failed_delivered + self.quarantined + self.rejected


@dataclass(frozen=True, slots=True)
class Rates:
    """Messages and how many of them passed aligned DKIM, aligned SPF and DMARC."""

    messages: int = 0
    dkim_pass: int = 0
    spf_pass: int = 0
    dmarc_pass: int = 0

    def share(self, count: int) -> float | None:
        """Return ``count`` as a fraction of the messages (``None`` without messages)."""
        return count / self.messages if self.messages else None


@dataclass(frozen=True, slots=True)
class PublishedPolicy:
    """The DMARC policy of a domain as reported in its latest aggregate report."""

    domain: str
    p: str | None
    sp: str | None
    pct: int | None
    adkim: str | None
    aspf: str | None
    seen: dt.datetime


@dataclass(frozen=True, slots=True)
class DomainSummary:
    """One domain on the overview: volume, DMARC passes and the daily trend."""

    domain: str
    messages: int
    dmarc_pass: int
    trend: tuple[DayVolume, ...]


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One sending source: IP, what is known about it, its volume and its outcomes."""

    source_ip: str
    name: str | None
    base_domain: str | None
    country: str | None
    asn: int | None
    as_org: str | None
    messages: int
    spf_pass: int
    dkim_pass: int
    dmarc_pass: int
    quarantined: int
    rejected: int

    @property
    def dmarc_fail(self) -> int:
        """Return the messages from this source that failed DMARC."""
        return self.messages - self.dmarc_pass


@dataclass(frozen=True, slots=True)
class ReporterRow:
    """One reporting organisation: reports sent and messages covered."""

    org_name: str
    reports: int
    messages: int


@dataclass(frozen=True, slots=True)
class FailureRow:
    """One failure report (list view)."""

    id: int
    arrival: dt.datetime
    reporter: str
    domain: str
    source_ip: str | None
    feedback_type: str | None
    auth_failure: str | None
    original_mail_from: str | None
    original_rcpt_to: str | None
    delivery_result: str | None


@dataclass(frozen=True, slots=True)
class TlsRow:
    """One SMTP TLS report: reporter, period, policies and session counts."""

    id: int
    org_name: str
    report_id: str
    domain: str
    begin: dt.datetime
    end: dt.datetime
    policies: str
    successful_sessions: int
    failed_sessions: int


@contextmanager
def _connect(engine: Engine) -> Iterator[Connection]:
    try:
        with engine.connect() as connection:
            yield connection
    except SQLAlchemyError as error:
        raise StorageError(f"cannot read the report store: {describe_db_error(error)}") from error


def _total(column: Any) -> Any:
    """Return the sum of ``column`` (0 over no rows) as a 64-bit integer: PostgreSQL sums a
    bigint column to numeric, which reaches Python as ``Decimal``, unlike SQLite's integer."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def _in_period(query: Any, period: Period, domain: str | None, table: Table) -> Any:
    d = table.c
    query = query.where(d.day >= period.start, d.day <= period.end)
    return query.where(d.domain == domain) if domain else query


def domains(engine: Engine) -> list[str]:
    """Return every policy domain with a report of any kind, sorted."""
    query = union(
        select(aggregate_reports.c.domain).distinct(),
        select(failure_reports.c.domain).distinct(),
        select(tls_reports.c.domain).distinct(),
    )
    with _connect(engine) as connection:
        return sorted({str(name) for name in connection.execute(query).scalars() if name})


def data_bounds(engine: Engine) -> tuple[dt.date, dt.date] | None:
    """Return the first and last day with a report of any kind, ``None`` when there is none."""
    firsts: list[dt.datetime] = []
    lasts: list[dt.datetime] = []
    with _connect(engine) as connection:
        for table in (aggregate_reports, failure_reports, tls_reports):
            low, high = connection.execute(
                select(func.min(table.c.begin), func.max(table.c.begin))
            ).one()
            if low is not None:
                firsts.append(low)
                lasts.append(high)
    if not firsts:
        return None
    return _date(min(firsts)), _date(max(lasts))


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.datetime.fromisoformat(str(value)).date()


def _volume_columns() -> tuple[Any, ...]:
    o = rollup_days.c
    return (_total(o.dmarc_pass), _total(o.quarantined), _total(o.rejected), _total(o.messages))


def _day_volume(day: Any, passed: int, quarantined: int, rejected: int, total: int) -> DayVolume:
    delivered = int(total) - int(passed) - int(quarantined) - int(rejected)
    return DayVolume(_date(day), int(passed), delivered, int(quarantined), int(rejected))


def volume(engine: Engine, period: Period, domain: str | None = None) -> list[DayVolume]:
    """Return the messages of every day of ``period`` by DMARC result (days without data zero)."""
    d = rollup_days.c
    query = _in_period(select(d.day, *_volume_columns()), period, domain, rollup_days)
    query = query.group_by(d.day)
    with _connect(engine) as connection:
        found = {v.day: v for v in (_day_volume(*row) for row in connection.execute(query))}
    return [found.get(day, DayVolume(day)) for day in period.days()]


def domain_summaries(
    engine: Engine, period: Period, domain: str | None = None
) -> list[DomainSummary]:
    """Return per domain the messages, DMARC passes and daily trend over ``period``."""
    d = rollup_days.c
    query = _in_period(select(d.domain, d.day, *_volume_columns()), period, domain, rollup_days)
    query = query.group_by(d.domain, d.day)
    per_domain: dict[str, dict[dt.date, DayVolume]] = {}
    with _connect(engine) as connection:
        for name, day, *sums in connection.execute(query):
            entry = _day_volume(day, *sums)
            per_domain.setdefault(name, {})[entry.day] = entry
    days = period.days()
    return [
        DomainSummary(
            name,
            sum(v.total for v in found.values()),
            sum(v.passed for v in found.values()),
            tuple(found.get(day, DayVolume(day)) for day in days),
        )
        for name, found in sorted(per_domain.items())
    ]


def published_policies(
    engine: Engine, names: Sequence[str] | None = None
) -> dict[str, PublishedPolicy]:
    """Return the policy of each domain as published in its newest aggregate report."""
    r = aggregate_reports.c
    newest = select(r.domain, func.max(r.begin).label("begin")).group_by(r.domain)
    if names is not None:
        newest = newest.where(r.domain.in_(list(names)))
    latest = newest.subquery()
    query = select(
        r.domain, r.policy_p, r.policy_sp, r.policy_pct, r.policy_adkim, r.policy_aspf, r.begin
    ).join(latest, (r.domain == latest.c.domain) & (r.begin == latest.c.begin))
    with _connect(engine) as connection:
        return {row[0]: PublishedPolicy(*row) for row in connection.execute(query)}


def rates(engine: Engine, period: Period, domain: str | None = None) -> Rates:
    """Return the messages of ``period`` and how many passed aligned DKIM, SPF and DMARC."""
    d = rollup_days.c
    query = select(
        _total(d.messages), _total(d.dkim_pass), _total(d.spf_pass), _total(d.dmarc_pass)
    )
    with _connect(engine) as connection:
        row = connection.execute(_in_period(query, period, domain, rollup_days)).one()
    return Rates(*(int(value) for value in row))


def _grouped_sources(period: Period, domain: str | None) -> Any:
    d = rollup_source_days.c
    return _in_period(
        select(
            d.source_ip,
            *(_total(d[name]).label(name) for name in SOURCE_COUNTS),
        ),
        period,
        domain,
        rollup_source_days,
    ).group_by(d.source_ip)


def _with_enrichment(top: Any, *extra: Any) -> Any:
    s = rollup_sources.c
    return select(
        top.c.source_ip,
        s.name,
        s.base_domain,
        s.country,
        s.asn,
        s.as_org,
        *(top.c[name] for name in SOURCE_COUNTS),
        *extra,
    ).outerjoin(rollup_sources, s.source_ip == top.c.source_ip)


#: How sources are ranked: by volume, by messages failing DMARC, by messages passing it.
RANKINGS = ("volume", "failing", "passing")


def _rank(columns: Any, ranking: str) -> tuple[Any, list[Any]]:
    """Return the condition and the ordering of ``ranking`` over grouped source ``columns``."""
    c = columns
    if ranking == "failing":
        return c.messages > c.dmarc_pass, [(c.messages - c.dmarc_pass).desc(), c.source_ip]
    if ranking == "passing":
        return c.dmarc_pass > literal(0), [c.dmarc_pass.desc(), c.source_ip]
    return literal(True), [c.messages.desc(), c.source_ip]


def _top(grouped: Any, ranking: str, limit: int | None) -> Any:
    """Return the top ``limit`` rows of ``grouped`` (a subquery or CTE) by ``ranking``."""
    condition, order = _rank(grouped.c, ranking)
    return select(grouped).where(condition).order_by(*order).limit(limit).subquery()


def _sort_key(ranking: str) -> Any:
    if ranking == "failing":
        return lambda r: (-r.dmarc_fail, r.source_ip)
    if ranking == "passing":
        return lambda r: (-r.dmarc_pass, r.source_ip)
    return lambda r: (-r.messages, r.source_ip)


def sources(
    engine: Engine,
    period: Period,
    domain: str | None = None,
    *,
    failing: bool = False,
    passing: bool = False,
    limit: int | None = 100,
) -> list[SourceRow]:
    """Return the sending sources of ``period`` by volume (``failing``: only those failing DMARC,
    by failing volume; ``passing``: only those with messages passing DMARC), at most ``limit``."""
    ranking = "failing" if failing else "passing" if passing else "volume"
    top = _top(_grouped_sources(period, domain).subquery(), ranking, limit)
    with _connect(engine) as connection:
        found = [SourceRow(*tuple(row)) for row in connection.execute(_with_enrichment(top))]
    return sorted(found, key=_sort_key(ranking))


def iter_sources(
    engine: Engine, period: Period, domain: str | None = None, *, ranking: str = "volume"
) -> Iterator[Sequence[Any]]:
    """Yield every sending source of ``period`` in ``ranking`` order (one of :data:`RANKINGS`)
    as a row of :class:`SourceRow`'s fields, reading them from the database as they are
    consumed (a big export starts at once and never holds every source in memory)."""
    grouped = _grouped_sources(period, domain).subquery()
    condition, order = _rank(grouped.c, ranking)
    query = _with_enrichment(grouped).where(condition).order_by(*order)
    with _connect(engine) as connection:
        yield from connection.execution_options(yield_per=1000).execute(query)


def source_rankings(
    engine: Engine, period: Period, domain: str | None = None, *, limit: int | None = 100
) -> tuple[list[SourceRow], list[SourceRow]]:
    """Return the top sources by volume and the top sources by DMARC failures, at most ``limit``
    each, grouping the period's sources once for both rankings."""
    grouped = _grouped_sources(period, domain).cte("grouped")
    both = union_all(
        select(_top(grouped, "volume", limit), literal(0).label("ranking")),
        select(_top(grouped, "failing", limit), literal(1).label("ranking")),
    ).subquery()
    top: list[SourceRow] = []
    failing: list[SourceRow] = []
    with _connect(engine) as connection:
        for row in connection.execute(_with_enrichment(both, both.c.ranking)):
            *fields, ranking = tuple(row)
            (failing if ranking else top).append(SourceRow(*fields))
    return sorted(top, key=_sort_key("volume")), sorted(failing, key=_sort_key("failing"))


def reporters(engine: Engine, period: Period, domain: str | None = None) -> list[ReporterRow]:
    """Return the organisations that reported on ``period``, by messages covered."""
    c = rollup_reporters.c
    query = select(c.org_name, func.sum(c.reports), func.sum(c.messages)).where(
        c.day >= period.start, c.day <= period.end
    )
    if domain:
        query = query.where(c.domain == domain)
    query = query.group_by(c.org_name).order_by(func.sum(c.messages).desc(), c.org_name)
    with _connect(engine) as connection:
        return [ReporterRow(org, int(n), int(m or 0)) for org, n, m in connection.execute(query)]


_FAILURE_LIST = (
    failure_reports.c.id,
    failure_reports.c.begin,
    failure_reports.c.reporter,
    failure_reports.c.domain,
    failure_reports.c.source_ip,
    failure_reports.c.feedback_type,
    failure_reports.c.auth_failure,
    failure_reports.c.original_mail_from,
    failure_reports.c.original_rcpt_to,
    failure_reports.c.delivery_result,
)


def failure_list(
    engine: Engine, period: Period, domain: str | None = None, *, limit: int | None = 200
) -> list[FailureRow]:
    """Return the failure reports that arrived in ``period``, newest first, at most ``limit``."""
    f = failure_reports.c
    query = select(*_FAILURE_LIST).where(f.begin >= period.first, f.begin < period.after)
    if domain:
        query = query.where(f.domain == domain)
    query = query.order_by(f.begin.desc(), f.id.desc()).limit(limit)
    with _connect(engine) as connection:
        return [FailureRow(*tuple(row)) for row in connection.execute(query)]


def failure_detail(engine: Engine, key: int) -> dict[str, Any] | None:
    """Return every stored field of failure report ``key``, ``None`` when there is none."""
    with _connect(engine) as connection:
        row = connection.execute(select(failure_reports).where(failure_reports.c.id == key)).first()
    return None if row is None else dict(row._mapping)


def tls_list(
    engine: Engine, period: Period, domain: str | None = None, *, limit: int | None = 500
) -> list[TlsRow]:
    """Return the SMTP TLS reports that began in ``period``, newest first, with their policies."""
    t, p = tls_reports.c, tls_policies.c
    query = select(t.id, t.org_name, t.report_id, t.domain, t.begin, t.end).where(
        t.begin >= period.first, t.begin < period.after
    )
    if domain:
        query = query.where(t.domain == domain)
    query = query.order_by(t.begin.desc(), t.id.desc()).limit(limit)
    with _connect(engine) as connection:
        reports = list(connection.execute(query))
        keys = [row[0] for row in reports]
        policies: dict[int, list[tuple[str, str, int, int]]] = {}
        if keys:
            found = (
                select(
                    p.report_id,
                    p.policy_type,
                    p.policy_domain,
                    p.successful_sessions,
                    p.failed_sessions,
                )
                .where(p.report_id.in_(keys))
                .order_by(p.id)
            )
            for key, kind, name, good, bad in connection.execute(found):
                policies.setdefault(key, []).append((kind, name, int(good), int(bad)))
    return [
        TlsRow(
            key,
            org,
            report_id,
            name,
            begin,
            end,
            ", ".join(f"{kind} {pd}" for kind, pd, _, _ in policies.get(key, [])),
            sum(g for _, _, g, _ in policies.get(key, [])),
            sum(b for _, _, _, b in policies.get(key, [])),
        )
        for key, org, report_id, name, begin, end in reports
    ]


@dataclass(frozen=True, slots=True)
class TlsFailureRow:
    """Failed TLS sessions of the period by result type, receiving MX and sending MTA."""

    result_type: str
    receiving_mx_hostname: str | None
    sending_mta_ip: str | None
    failed_sessions: int


def tls_failure_summary(
    engine: Engine, period: Period, domain: str | None = None, *, limit: int = 200
) -> list[TlsFailureRow]:
    """Return the failed TLS sessions of ``period`` grouped by type, MX and MTA, most first."""
    t, p, f = tls_reports.c, tls_policies.c, tls_failures.c
    total = func.sum(f.failed_sessions)
    query = (
        select(f.result_type, f.receiving_mx_hostname, f.sending_mta_ip, total)
        .join(tls_policies, p.id == f.policy_id)
        .join(tls_reports, t.id == p.report_id)
        .where(t.begin >= period.first, t.begin < period.after)
    )
    if domain:
        query = query.where(t.domain == domain)
    query = query.group_by(f.result_type, f.receiving_mx_hostname, f.sending_mta_ip)
    query = query.order_by(total.desc(), f.result_type).limit(limit)
    with _connect(engine) as connection:
        return [TlsFailureRow(a, b, c, int(n or 0)) for a, b, c, n in connection.execute(query)]


def tls_daily(
    engine: Engine, period: Period, domain: str | None = None
) -> dict[dt.date, tuple[int, int]]:
    """Return successful and failed TLS sessions per day of ``period`` (days without data 0)."""
    t = tls_reports.c
    query = select(t.begin, t.successful_sessions, t.failed_sessions).where(
        t.begin >= period.first, t.begin < period.after
    )
    if domain:
        query = query.where(t.domain == domain)
    found = dict.fromkeys(period.days(), (0, 0))
    with _connect(engine) as connection:
        for begin, good, bad in connection.execute(query):
            day = _date(begin)
            old = found.get(day, (0, 0))
            found[day] = (old[0] + int(good or 0), old[1] + int(bad or 0))
    return found
