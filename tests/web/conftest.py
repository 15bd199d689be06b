"""Web fixtures: a store filled with sample and hostile reports, and a test client over it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mailwarden.store import SqlReportStore, open_store
from mailwarden.store.audits import record_audit
from mailwarden.web.app import WebConfig, create_app
from mailwarden.web.auth import AuthConfig
from mailwarden.web.samples import build_samples
from tests.store.conftest import db_url, postgres_url, store  # noqa: F401  (re-exported fixtures)
from tests.web.hostile import HOSTILE_AUDIT, hostile_enrich, hostile_reports

TODAY = dt.date(2026, 11, 28)


def fill(target: SqlReportStore, *, days: int = 20) -> None:
    """Store sample reports for three domains, the hostile reports and one stored audit."""
    samples = build_samples(days=days)
    with target.transaction() as tx:
        for report in samples.reports:
            tx.add_report(report, enrich=samples.enrich)
        for report in hostile_reports():
            tx.add_report(report, enrich=hostile_enrich)
        tx.quarantine(b"<feedback><oops>&", "XML syntax error <script>alert(1)</script>", "x.xml")
    record_audit(target.engine, HOSTILE_AUDIT, dt.datetime(2026, 11, 26, 8))


@pytest.fixture(scope="session")
def filled_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store file filled once per session (tests copy nothing: they only read)."""
    path = tmp_path_factory.mktemp("web") / "filled.db"
    target = open_store(str(path))
    try:
        fill(target)
    finally:
        target.close()
    return path


@pytest.fixture
def filled(filled_path: Path) -> Iterator[SqlReportStore]:
    """The filled SQLite store, opened for one test."""
    opened = open_store(str(filled_path))
    yield opened
    opened.close()


def client_for(
    target: SqlReportStore, auth: AuthConfig | None = None, *, raise_errors: bool = True
) -> TestClient:
    """Return a test client of the dashboard over ``target``; without ``raise_errors`` a
    server error is answered as a 500 response instead of raised in the test."""
    config = WebConfig(target, auth_config=auth, today=lambda: TODAY, known_interval=0)
    return TestClient(
        create_app(config), base_url="http://127.0.0.1", raise_server_exceptions=raise_errors
    )


@pytest.fixture
def client(filled: SqlReportStore) -> Iterator[TestClient]:
    """A test client of the dashboard over the filled store, without authentication."""
    with client_for(filled) as found:
        yield found
