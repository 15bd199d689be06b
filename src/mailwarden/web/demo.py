"""The dashboard part of ``mailwarden demo``: load the sample reports and summarize them."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

from mailwarden.store import IngestCounts, SqlReportStore
from mailwarden.store.audits import record_audit
from mailwarden.store.queries import data_bounds, domains, published_policies, rates
from mailwarden.web.pages import READINESS_DAYS, next_step
from mailwarden.web.samples import ANCHOR, build_samples

__all__ = ["bundled_mails", "load_samples", "store_audits", "summarize"]


#: A report mail cut short: the demo ingests it so that the quarantine has something to show.
BROKEN = (
    b"From: noreply-dmarc@reporter.example\r\nSubject: Report domain: example.org\r\n"
    b'Content-Type: text/xml\r\n\r\n<?xml version="1.0"?><feedback><report_metadata>'
    b"<org_name>reporter.example</org_name><report_id>cut-short"
)


def load_samples(store: SqlReportStore) -> IngestCounts:
    """Store the bundled sample reports in ``store``; return the counts.

    The generated reports (recent weeks, with enrichment) go in one transaction; then the
    bundled report mails go through the ingest pipeline (parser included), with one broken
    mail that lands in the quarantine.
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
    counts = IngestCounts(reports_new=new, duplicates=duplicates) + _ingest_mails(store)
    return counts


def bundled_mails() -> list[Path]:
    """Return the bundled sample report mails (``data/reports/*.eml``), sorted."""
    folder = resources.files("mailwarden") / "data" / "reports"
    return sorted(Path(str(f)) for f in folder.iterdir() if f.name.endswith(".eml"))


def _ingest_mails(store: SqlReportStore) -> IngestCounts:
    from mailwarden.ingest.parsing import default_parser
    from mailwarden.ingest.pipeline import Ingestor, RawInput

    mails = [RawInput(f"samples/{path.name}", path.read_bytes()) for path in bundled_mails()]
    mails.append(RawInput("samples/cut-short.eml", BROKEN))
    return Ingestor(store, default_parser()).ingest_all(mails)


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
