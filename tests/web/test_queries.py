"""The roll-up and the dashboard queries, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from mailwarden.store import SqlReportStore
from mailwarden.store.audits import latest_audits, record_audit
from mailwarden.store.queries import (
    Period,
    data_bounds,
    domain_summaries,
    domains,
    failure_list,
    published_policies,
    rates,
    reporters,
    sources,
    tls_failure_summary,
    tls_list,
    volume,
)
from mailwarden.web.pages import PAGES
from mailwarden.web.samples import ANCHOR
from tests.web.conftest import client_for, fill

WEEK = Period(ANCHOR - dt.timedelta(days=6), ANCHOR)


def test_figures_of_a_week(store: SqlReportStore) -> None:
    """Volume, rates, sources and reporters agree with each other over one week."""
    fill(store, days=10)
    days = volume(store.engine, WEEK, "example.com")
    assert [d.day for d in days] == WEEK.days()
    found = rates(store.engine, WEEK, "example.com")
    assert found.messages == sum(d.total for d in days) > 0
    assert found.dmarc_pass == sum(d.passed for d in days)
    top = sources(store.engine, WEEK, "example.com", limit=None)
    assert sum(s.messages for s in top) == found.messages
    assert top[0].name == "mx1.example.com" and top[0].country == "DE"
    failing = sources(store.engine, WEEK, "example.com", failing=True)
    assert failing and all(s.dmarc_fail > 0 for s in failing)
    assert all(s.source_ip.startswith("203.0.113.") for s in failing)
    orgs = reporters(store.engine, WEEK, "example.com")
    assert orgs[0].org_name == "google.com" and orgs[0].reports == 7
    assert sum(r.messages for r in orgs) == found.messages


def test_overview_policies_and_bounds(store: SqlReportStore) -> None:
    """The overview lists every domain with its published policy; bounds span the data."""
    fill(store, days=3)
    names = domains(store.engine)
    assert {"example.com", "example.net", "example.org", "evil.example"} <= set(names)
    policies = published_policies(store.engine)
    assert policies["example.com"].p == "reject" and policies["example.net"].pct == 50
    summaries = domain_summaries(store.engine, WEEK)
    assert [s.domain for s in summaries] == sorted(s.domain for s in summaries)
    assert data_bounds(store.engine) == (ANCHOR - dt.timedelta(days=2), ANCHOR)


def test_failures_tls_and_audits(store: SqlReportStore) -> None:
    """Failure and TLS reports are listed newest first; the latest audit per domain wins."""
    fill(store, days=3)
    whole = Period(ANCHOR - dt.timedelta(days=60), ANCHOR)
    listed = failure_list(store.engine, whole)
    assert [f.arrival for f in listed] == sorted((f.arrival for f in listed), reverse=True)
    tls = tls_list(store.engine, whole, "example.com")
    assert tls and all(t.domain == "example.com" for t in tls)
    assert tls_failure_summary(store.engine, whole, "evil.example")[0].failed_sessions == 3
    record_audit(
        store.engine,
        {"domain": "evil.example", "verdicts": {"a": "pass"}},
        dt.datetime(2026, 11, 27),
    )
    latest = {a.domain: a for a in latest_audits(store.engine)}
    assert latest["evil.example"].verdict == "pass" and latest["evil.example"].findings == ()


def test_every_api_page_answers_on_each_backend(store: SqlReportStore) -> None:
    """Every JSON page answers 200 with plain numbers on SQLite and PostgreSQL (PostgreSQL sums
    bigint columns to numeric, which arrived as Decimal and broke the domain and readiness
    pages' JSON); a NUL in the domain filter is a 400, not a database error."""
    fill(store, days=3)
    client = client_for(store)
    for name in PAGES:
        response = client.get(f"/api/{name}", params={"domain": "example.com"})
        assert response.status_code == 200, (name, response.text[:300])
        assert "Decimal" not in response.text
    refused = client.get("/api/tls", params={"domain": "a\x00b"})
    assert refused.status_code == 400
    assert "SELECT" not in refused.text


def test_sums_are_integers_on_each_backend(store: SqlReportStore) -> None:
    """Source sums and the store's statistics are Python ints on both backends."""
    fill(store, days=3)
    whole = Period(ANCHOR - dt.timedelta(days=60), ANCHOR)
    row = sources(store.engine, whole, "example.com")[0]
    assert type(row.messages) is int and type(row.dmarc_pass) is int
    stats = store.stats()
    for counts in (stats.total, *(c for _, c in stats.domains)):
        assert all(type(v) is int for v in asdict(counts).values()), counts
