"""The dashboard roll-ups kept at ingest time: exact, exactly-once, equal to the raw records."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import defaultdict
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from mailwarden.store import SqlReportStore, rows
from mailwarden.store.base import SourceInfo
from mailwarden.store.dashboard import rebuild
from mailwarden.store.migrate import alembic_config, upgrade
from mailwarden.store.queries import Period, rates, reporters, source_rankings, sources, volume
from mailwarden.store.schema import (
    aggregate_records,
    aggregate_reports,
    rollup_days,
    rollup_reporters,
    rollup_source_days,
    rollup_sources,
)
from mailwarden.web.samples import ANCHOR, build_samples
from tests.store.factories import aggregate, record

ROLLUPS = (rollup_source_days, rollup_days, rollup_reporters, rollup_sources)
YEAR = Period(ANCHOR - dt.timedelta(days=364), ANCHOR)
WORDS = ("pass", "fail", "PASS", " pass", "none", "quarantine", "reject", "Reject", "softfail")


def _odd_reports(seed: int = 7) -> list[Any]:
    """Reports whose outcome words vary in case and spacing, with repeated sources per day."""
    rng = random.Random(seed)
    found = []
    for n in range(30):
        begin = dt.datetime(2026, 11, 1 + n % 20, tzinfo=dt.UTC)
        records = tuple(
            record(
                f"198.51.100.{rng.randrange(12)}",
                rng.randrange(1, 9),
                disposition=rng.choice(("none", "quarantine", "reject", "Reject", " quarantine")),
                dkim=rng.choice(WORDS),
                spf=rng.choice(WORDS),
            )
            for _ in range(rng.randrange(1, 6))
        )
        org = ("google.com", "yahoo.com", "example.net")[n % 3]
        found.append(aggregate(f"odd{n}", org, "example.com", begin=begin, records=records))
    return found


def _fill(store: SqlReportStore, *, prepared: bool = False) -> None:
    """Store generated sample reports (with a long tail) and the odd reports.

    With ``prepared``, as a parse worker hands them over (``rows.prepare``).
    """
    samples = build_samples(days=40, noise=3, failures=False, tls=False)
    ready = rows.prepare if prepared else (lambda report: report)
    with store.transaction() as tx:
        for report in samples.reports:
            tx.add_report(ready(report), enrich=samples.enrich)
    with store.transaction() as tx:
        for report in _odd_reports():
            tx.add_report(ready(report))


def _snapshot(store: SqlReportStore) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as connection:
        return {
            table.name: sorted(tuple(row) for row in connection.execute(select(table)))
            for table in ROLLUPS
        }


def _raw_sources(store: SqlReportStore, period: Period, domain: str) -> dict[str, list[int]]:
    """Per source IP: messages, SPF pass, DKIM pass, DMARC pass, quarantined, rejected, summed
    in Python from the raw records."""
    r, a = aggregate_reports.c, aggregate_records.c
    query = (
        select(a.source_ip, a.count, a.disposition, a.dkim, a.spf, r.begin)
        .join(aggregate_reports, r.id == a.report_id)
        .where(r.domain == domain)
    )
    sums: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    with store.engine.connect() as connection:
        for ip, count, disposition, dkim, spf, begin in connection.execute(query):
            if not period.start <= begin.date() <= period.end:
                continue
            words = [(w or "").strip().lower() for w in (disposition, dkim, spf)]
            passed = "pass" in words[1:]
            entry = sums[ip]
            entry[0] += count
            entry[1] += count if words[2] == "pass" else 0
            entry[2] += count if words[1] == "pass" else 0
            entry[3] += count if passed else 0
            entry[4] += count if not passed and words[0] == "quarantine" else 0
            entry[5] += count if not passed and words[0] == "reject" else 0
    return sums


def _figures(found: Any) -> list[int]:
    return [
        found.messages,
        found.spf_pass,
        found.dkim_pass,
        found.dmarc_pass,
        found.quarantined,
        found.rejected,
    ]


def test_rollups_equal_a_rebuild_from_the_raw_records(store: SqlReportStore) -> None:
    """What ingestion added to the roll-ups is exactly what the SQL rebuild computes."""
    _fill(store)
    kept = _snapshot(store)
    assert all(kept.values())
    with store.engine.begin() as connection:
        rebuild(connection)
    assert _snapshot(store) == kept


def test_prepared_reports_keep_the_same_rollups(store: SqlReportStore) -> None:
    """Reports built into rows by a parse worker add to the roll-ups what the rebuild computes."""
    _fill(store, prepared=True)
    kept = _snapshot(store)
    assert all(kept.values())
    with store.engine.begin() as connection:
        rebuild(connection)
    assert _snapshot(store) == kept


@pytest.mark.parametrize("domain", ["example.com", "example.net"])
def test_source_figures_equal_the_raw_records(store: SqlReportStore, domain: str) -> None:
    """Every source's figures over the year equal the sums of its raw records."""
    _fill(store)
    raw = _raw_sources(store, YEAR, domain)
    found = sources(store.engine, YEAR, domain, limit=None)
    assert {s.source_ip: _figures(s) for s in found} == raw
    total = rates(store.engine, YEAR, domain)
    assert total.messages == sum(v[0] for v in raw.values())
    assert total.dmarc_pass == sum(v[3] for v in raw.values())
    days = volume(store.engine, YEAR, domain)
    assert sum(d.quarantined for d in days) == sum(v[4] for v in raw.values())
    assert sum(d.rejected for d in days) == sum(v[5] for v in raw.values())


def test_rankings_are_the_top_of_the_raw_records(store: SqlReportStore) -> None:
    """The top and failing sources are the first of the raw sums in their order."""
    _fill(store)
    raw = _raw_sources(store, YEAR, "example.com")
    top, failing = source_rankings(store.engine, YEAR, "example.com", limit=5)
    by_volume = sorted(raw.items(), key=lambda kv: (-kv[1][0], kv[0]))[:5]
    assert [(s.source_ip, s.messages) for s in top] == [(ip, v[0]) for ip, v in by_volume]
    fails = [(ip, v[0] - v[3]) for ip, v in raw.items() if v[0] > v[3]]
    assert [(s.source_ip, s.dmarc_fail) for s in failing] == sorted(
        fails, key=lambda kv: (-kv[1], kv[0])
    )[:5]


def test_a_duplicate_report_adds_nothing(store: SqlReportStore) -> None:
    """Storing the same reports again (refused as duplicates) leaves the roll-ups unchanged."""
    _fill(store)
    kept = _snapshot(store)
    with store.transaction() as tx:
        assert not any(tx.add_report(report) for report in _odd_reports())
    assert _snapshot(store) == kept


def test_a_rolled_back_message_adds_nothing(store: SqlReportStore) -> None:
    """A transaction that fails after adding a report leaves no sums behind."""
    _fill(store)
    kept = _snapshot(store)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        assert tx.add_report(aggregate("new-one", begin=dt.datetime(2026, 11, 3, tzinfo=dt.UTC)))
        raise RuntimeError("the message failed later")
    assert _snapshot(store) == kept


def test_reporters_count_each_report_once(store: SqlReportStore) -> None:
    """Reporters' report and message counts equal the stored reports."""
    _fill(store)
    found = {r.org_name: (r.reports, r.messages) for r in reporters(store.engine, YEAR)}
    r = aggregate_reports.c
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with store.engine.connect() as connection:
        for org, messages in connection.execute(select(r.org_name, r.message_count)):
            expected[org][0] += 1
            expected[org][1] += messages
    assert found == {org: tuple(v) for org, v in expected.items()}


def test_enrichment_is_the_newest_known(store: SqlReportStore) -> None:
    """A source's name comes from its newest record that has one; a later bare record keeps it."""
    day = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    first, second = (
        aggregate(f"e{n}", begin=day + dt.timedelta(days=n), records=(record("192.0.2.9"),))
        for n in range(2)
    )
    with store.transaction() as tx:
        tx.add_report(first, enrich=lambda ips: {ip: _info("old.example") for ip in ips})
    with store.transaction() as tx:
        tx.add_report(second, enrich=lambda ips: {ip: _info("new.example") for ip in ips})
    with store.transaction() as tx:
        tx.add_report(aggregate("e3", begin=day + dt.timedelta(days=3)))
    names = {s.source_ip: s.name for s in sources(store.engine, YEAR, "example.com")}
    assert names["192.0.2.9"] == "new.example"
    kept = _snapshot(store)
    with store.engine.begin() as connection:
        rebuild(connection)
    assert _snapshot(store) == kept


def _info(name: str) -> SourceInfo:
    return SourceInfo(name=name, base_domain=name, country="DE", asn=64500, as_org="Org")


def test_concurrent_ingesters_count_every_message_once(store: SqlReportStore) -> None:
    """Two ingesters storing overlapping days at once (one in reverse order) neither fail nor
    miscount: the roll-ups still equal a rebuild from the raw records."""
    samples = build_samples(days=15, noise=2, failures=False, tls=False)
    reports = list(samples.reports)
    halves = (reports[0::2], list(reversed(reports[1::2])))
    errors: list[BaseException] = []

    def ingest(part: list[Any]) -> None:
        try:
            for index in range(0, len(part), 3):
                with store.transaction() as tx:
                    for report in part[index : index + 3]:
                        tx.add_report(report, enrich=samples.enrich)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=ingest, args=(part,)) for part in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    kept = _snapshot(store)
    assert sum(row[2] for row in kept["rollup_days"]) == store.stats().total.messages
    with store.engine.begin() as connection:
        rebuild(connection)
    assert _snapshot(store) == kept


def test_upgrade_back_fills_an_existing_store(store: SqlReportStore) -> None:
    """A store from before the roll-ups (revision 0001, with the dashboard's old self-rebuilt
    table) gets them filled by the upgrade, as ingestion would have, and the old table goes."""
    _fill(store)
    kept = _snapshot(store)
    config = alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_initial")
        connection.execute(text("CREATE TABLE dash_daily (domain VARCHAR(255))"))
    assert not set(kept) & set(inspect(store.engine).get_table_names())
    upgrade(store.engine)
    assert _snapshot(store) == kept
    assert "dash_daily" not in inspect(store.engine).get_table_names()
