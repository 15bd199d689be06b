"""The dashboard part of ``mailwarden demo``: load the sample reports and summarize them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mailwarden.store import IngestCounts, SqlReportStore
from mailwarden.store.audits import record_audit
from mailwarden.store.dashboard import refresh
from mailwarden.store.queries import data_bounds, domains, published_policies, rates
from mailwarden.web.pages import READINESS_DAYS, next_step
from mailwarden.web.samples import ANCHOR, build_samples

__all__ = ["load_samples", "store_audits", "summarize"]


def load_samples(store: SqlReportStore) -> IngestCounts:
    """Store the bundled sample reports in ``store`` in one transaction; return the counts.

    Raises ``StorageError`` when the store fails.
    """
    samples = build_samples()
    new = duplicates = 0
    with store.transaction() as tx:
        for report in samples.reports:
            if tx.add_report(report, enrich=samples.enrich):
                new += 1
            else:
                duplicates += 1
    refresh(store.engine)
    return IngestCounts(reports_new=new, duplicates=duplicates)


def store_audits(store: SqlReportStore, rows: list[dict[str, Any]], when: dt.datetime) -> None:
    """Store the demo's per-domain audit rows (``check --json`` shaped) for the dashboard."""
    for row in rows:
        record_audit(store.engine, row, when)


def summarize(store: SqlReportStore) -> list[dict[str, Any]]:
    """Return per domain: messages, DMARC pass rate and readiness over the last 30 days."""
    from mailwarden.store.queries import Period

    bounds = data_bounds(store.engine)
    end = bounds[1] if bounds else ANCHOR
    window = Period(end - dt.timedelta(days=READINESS_DAYS - 1), end)
    names = domains(store.engine)
    policies = published_policies(store.engine, names)
    found = []
    for name in names:
        counted = rates(store.engine, window, name)
        share = counted.share(counted.dmarc_pass)
        policy = policies.get(name)
        found.append(
            {
                "domain": name,
                "messages": counted.messages,
                "dmarc_pass_rate": None if share is None else round(share, 4),
                "policy": policy.p if policy else None,
                "next_step": next_step(policy),
            }
        )
    return found
