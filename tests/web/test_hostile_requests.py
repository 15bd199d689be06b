"""Hostile query values against every page, JSON endpoint and CSV export, on both backends:
each is answered (200 or a 4xx naming the problem), never with a server error."""

from __future__ import annotations

import itertools

from mailwarden.store import SqlReportStore
from mailwarden.web.openapi import TABLES
from mailwarden.web.pages import PAGES
from tests.web.conftest import client_for, fill

VALUES = (
    "",
    "-1",
    "99999999999999999999",
    "nan",
    "2026-13-45",
    "0001-01-01",
    "9999-12-31",
    "<script>",
    "\x00",
    "é",
    "a" * 5000,
    "1;DROP TABLE",
)
PARAMS = ("domain", "start", "end", "limit", "table")


def test_no_query_value_causes_a_server_error(store: SqlReportStore) -> None:
    """Every page and JSON endpoint, each parameter, each hostile value: below 500."""
    fill(store, days=3)
    client = client_for(store, raise_errors=False)
    paths = ["/", *(f"/{p}" for p in PAGES), *(f"/api/{p}" for p in PAGES)]
    failures = []
    for path, name, value in itertools.product(paths, PARAMS, VALUES):
        response = client.get(path, params={name: value})
        if response.status_code >= 500:
            failures.append((path, name, value[:20], response.status_code))
    assert failures == []


def test_no_export_or_id_causes_a_server_error(store: SqlReportStore) -> None:
    """CSV exports with hostile limits and dates, and ids of every size: below 500."""
    fill(store, days=3)
    client = client_for(store, raise_errors=False)
    failures = []
    for page, tables in TABLES.items():
        for table, value in itertools.product(tables, VALUES[:8]):
            response = client.get(f"/export/{page}/{table}.csv", params={"end": value})
            if response.status_code >= 500:
                failures.append((page, table, value, response.status_code))
    for prefix in ("/failures", "/api/failures", "/quarantine", "/api/quarantine"):
        for key in ("0", "999999999999999999", "9" * 19, "9" * 40):
            if client.get(f"{prefix}/{key}").status_code >= 500:
                failures.append((prefix, key, "", 500))
    assert failures == []
