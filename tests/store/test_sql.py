"""The SQL report store on SQLite and PostgreSQL: exactly-once, quarantine, stats, atomicity."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from mailwarden.errors import ConfigError, InputError
from mailwarden.store import IngestCounts, SourceInfo, SqlReportStore, open_store
from mailwarden.store.schema import (
    aggregate_records,
    failure_reports,
    ingest_log,
    tls_failures,
    tls_reports,
)
from tests.store.factories import DAY, aggregate, failure, record, tls


def _count(store: SqlReportStore, table: object) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_aggregate_stored_once(store: SqlReportStore) -> None:
    """The same aggregate report stored twice is one report; the second add says duplicate."""
    with store.transaction() as tx:
        assert tx.add_report(aggregate()) is True
    with store.transaction() as tx:
        assert tx.add_report(aggregate()) is False
    stats = store.stats()
    assert stats.total.aggregate_reports == 1
    assert stats.total.aggregate_records == 2
    assert stats.total.messages == 5
    with store.engine.connect() as connection:
        auth = connection.execute(select(aggregate_records.c.auth_results)).scalars().all()
    assert [len(json.loads(text)) for text in auth] == [2, 2]


def test_identity_parts_each_distinguish(store: SqlReportStore) -> None:
    """Reports differing in reporter, id, domain or date range are different reports."""
    variants = [
        aggregate(),
        aggregate(org="yahoo.com"),
        aggregate(report_id="r2"),
        aggregate(domain="example.net"),
        aggregate(begin=DAY + dt.timedelta(days=1)),
        aggregate(begin=None),
    ]
    with store.transaction() as tx:
        assert [tx.add_report(v) for v in variants] == [True] * 6
        assert tx.add_report(aggregate(begin=None)) is False
    assert store.stats().total.aggregate_reports == 6


def test_identity_normalized(store: SqlReportStore) -> None:
    """Domain case, a trailing dot and the time zone of begin/end do not make a new report."""
    original = aggregate()
    tz = dt.timezone(dt.timedelta(hours=2))
    same = aggregate(domain="Example.COM.", begin=DAY.astimezone(tz))
    with store.transaction() as tx:
        assert tx.add_report(original) is True
        assert tx.add_report(same) is False


def test_transaction_rolls_back_everything(store: SqlReportStore) -> None:
    """An error inside a transaction leaves nothing of it in the store."""

    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.transaction() as tx:
        tx.add_report(aggregate())
        tx.add_report(tls())
        raise Boom
    assert store.stats().total == store.stats().total.__class__()
    assert _count(store, aggregate_records) == 0


def test_failure_and_tls_reports(store: SqlReportStore) -> None:
    """Failure and TLS reports are stored once each and counted per domain."""
    with store.transaction() as tx:
        assert tx.add_report(failure()) is True
        assert tx.add_report(failure()) is False
        assert tx.add_report(tls()) is True
        assert tx.add_report(tls()) is False
        assert tx.add_report(tls("t2", domain="example.org")) is True
    stats = store.stats()
    assert stats.total.failure_reports == 1
    assert stats.total.tls_reports == 2
    assert dict(stats.domains)["example.org"].tls_reports == 1


def test_stats_per_domain(store: SqlReportStore) -> None:
    """Stats count reports, records and messages per domain, sorted, and in total."""
    with store.transaction() as tx:
        tx.add_report(aggregate("a", domain="example.net", records=(record(count=7),)))
        tx.add_report(aggregate("b"))
    stats = store.stats()
    assert [name for name, _ in stats.domains] == ["example.com", "example.net"]
    assert dict(stats.domains)["example.net"].messages == 7
    assert stats.total.messages == 12
    assert stats.total.aggregate_records == 3


def test_large_report_in_chunks(store: SqlReportStore) -> None:
    """A report larger than one insert chunk keeps every record and its auth results in order."""
    records = tuple(record(f"10.0.{i // 256}.{i % 256}", i + 1) for i in range(2500))
    with store.transaction() as tx:
        tx.add_report(aggregate(records=records))
    assert store.stats().total.aggregate_records == 2500
    assert store.stats().total.messages == sum(range(1, 2501))
    with store.engine.connect() as connection:
        pairs = connection.execute(
            select(aggregate_records.c.source_ip, aggregate_records.c.count).order_by(
                aggregate_records.c.id
            )
        ).all()
        empty = connection.execute(
            select(func.count()).where(aggregate_records.c.auth_results == "[]")
        ).scalar_one()
    assert pairs[1234] == ("10.0.4.210", 1235)
    assert empty == 0


def test_enrichment_stored(store: SqlReportStore) -> None:
    """The enricher's answer for a source IP is stored on its records."""

    def enrich(ips: object) -> dict[str, SourceInfo]:
        return {"192.0.2.1": SourceInfo("mail.example.net", "example.net", "NL", 64500, "Ex")}

    with store.transaction() as tx:
        tx.add_report(aggregate(), enrich=enrich)
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(aggregate_records.c.source_ip, aggregate_records.c.source_base_domain)
        ).all()
    assert sorted(rows, key=str) == [("192.0.2.1", "example.net"), ("2001:db8::1", None)]


def test_quarantine_keeps_raw_once(store: SqlReportStore) -> None:
    """Unparseable input is kept whole with its reason, once, and can be resolved."""
    raw = b"\x00\xffnot a report" * 100
    with store.transaction() as tx:
        assert tx.quarantine(raw, "not XML", "file.bin") is True
        assert tx.quarantine(raw, "not XML", "copy.bin") is False
    [entry] = store.quarantine_entries()
    assert (entry.reason, entry.source, entry.size) == ("not XML", "file.bin", len(raw))
    assert store.quarantine_raw(entry.id)[1] == raw
    assert store.stats().quarantined == 1
    with store.transaction() as tx:
        tx.resolve_quarantine(entry.id)
    assert store.quarantine_entries() == []
    assert store.quarantine_entries(include_resolved=True)[0].status == "resolved"
    assert store.stats().quarantined == 0


def test_unknown_quarantine_id(store: SqlReportStore) -> None:
    """Asking for a quarantine id that does not exist is an input error."""
    with pytest.raises(InputError, match="no quarantined input with id 42"):
        store.quarantine_raw(42)


def test_ingest_log(store: SqlReportStore) -> None:
    """Each logged message is one ingest log line with its outcome and counts."""
    with store.transaction() as tx:
        tx.start_log("inbox/1", "ab" * 32)
        tx.add_report(aggregate())
        tx.log("inbox/1", "ab" * 32, "stored", IngestCounts(1, 0, 0), "")
    with store.engine.connect() as connection:
        lines = connection.execute(select(ingest_log.c.outcome, ingest_log.c.reports_new)).all()
    assert lines == [("stored", 1)]


def test_reopen_keeps_data(db_url: str) -> None:
    """Opening an existing store again migrates nothing and keeps its reports."""
    first = open_store(db_url)
    with first.transaction() as tx:
        tx.add_report(aggregate())
    first.close()
    again = open_store(db_url)
    assert again.stats().total.aggregate_reports == 1
    again.close()


def test_failure_report_fields_kept(store: SqlReportStore) -> None:
    """A failure report keeps its feedback fields, recipients and original headers."""
    with store.transaction() as tx:
        tx.add_report(failure())
    with store.engine.connect() as connection:
        row = connection.execute(select(failure_reports)).one()
    assert (row.reporter, row.domain, row.auth_failure) == (
        "mx.example.net",
        "example.com",
        "dmarc",
    )
    assert row.original_rcpt_to == "user@example.net"
    assert row.original_headers == "Subject: hello\n"
    assert row.begin == DAY.replace(tzinfo=None)


def test_tls_sessions_summed(store: SqlReportStore) -> None:
    """A TLS report stores its policies, failure details and session totals."""
    with store.transaction() as tx:
        tx.add_report(tls())
    with store.engine.connect() as connection:
        report = connection.execute(select(tls_reports)).one()
        detail = connection.execute(select(tls_failures)).one()
    assert (report.successful_sessions, report.failed_sessions) == (10, 2)
    assert (detail.result_type, detail.failed_sessions) == ("certificate-expired", 2)


@pytest.mark.parametrize("url", ["postgresql://u@[::1/x", "postgresql://u@localhost:abc/x"])
def test_malformed_database_url_is_a_config_error(url: str) -> None:
    """A --db URL that cannot be parsed (bad IPv6 bracket, port) raises ConfigError."""
    with pytest.raises(ConfigError, match="malformed database URL"):
        open_store(url)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///"])
def test_sqlite_url_without_a_file_is_refused(url: str) -> None:
    """A sqlite URL naming no file (a throwaway in-memory database) raises ConfigError."""
    with pytest.raises(ConfigError, match="names no file"):
        open_store(url)
