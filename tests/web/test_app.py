"""The dashboard over HTTP: pages, JSON API, CSV exports, OpenAPI, escaping, CSRF and login."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from mailwarden.audit.spf_builder import build_spf
from mailwarden.dns import ZoneResolver
from mailwarden.store import SqlReportStore
from mailwarden.store.queries import Period, sources
from mailwarden.web.app import MAX_FORM_BYTES, _form
from mailwarden.web.auth import AuthConfig, hash_password
from mailwarden.web.openapi import TABLES
from mailwarden.web.pages import LEGITIMATE_LIMIT, PAGES
from tests.web.conftest import client_for
from tests.web.hostile import HOSTILE_DOMAIN

PAGE_PATHS = ["/" if name == "overview" else f"/{name}" for name in PAGES]
RANGE = {"start": "2026-10-01", "end": "2026-11-25"}


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_every_page_renders(client: TestClient, path: str) -> None:
    """Every page answers 200 with the filter form and the security headers."""
    response = client.get(path)
    assert response.status_code == 200
    assert '<form class="filter"' in response.text
    assert "script-src" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("name", list(PAGES))
def test_api_matches_the_openapi_tables(client: TestClient, name: str) -> None:
    """Each /api page returns the tables (and columns) its OpenAPI description names."""
    found = client.get(f"/api/{name}", params={"domain": "example.com", **RANGE}).json()
    assert found["page"] == name
    for table, columns in TABLES[name].items():
        assert found["tables"][table]["columns"] == [c.key for c in columns]


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    """The OpenAPI document is 3.1 and describes each page's API and CSV exports."""
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    for name in PAGES:
        assert f"/api/{name}" in document["paths"]
        for table in TABLES[name]:
            assert f"/export/{name}/{table}.csv" in document["paths"]


@pytest.mark.parametrize(("page", "table"), [(p, t) for p in TABLES for t in TABLES[p]])
def test_every_table_exports_csv(client: TestClient, page: str, table: str) -> None:
    """Every table downloads as CSV with its column keys as the header line."""
    response = client.get(f"/export/{page}/{table}.csv", params={"domain": HOSTILE_DOMAIN, **RANGE})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(response.text)))
    assert header == [c.key for c in TABLES[page][table] if c.kind != "spark"]


def test_csv_defuses_formulas(client: TestClient) -> None:
    """A reporter value starting like a formula is written with a leading quote."""
    response = client.get("/export/domain/reporters.csv", params={"domain": "example.com", **RANGE})
    assert response.status_code == 200
    assert all(
        not cell.startswith("=") for row in csv.reader(io.StringIO(response.text)) for cell in row
    )


def test_domain_page_figures_match_the_api(client: TestClient) -> None:
    """The domain page shows the same message count as its API."""
    found = client.get("/api/domain", params={"domain": "example.com", **RANGE}).json()
    messages = found["data"]["rates"]["messages"]
    assert messages > 0
    page = client.get("/domain", params={"domain": "example.com", **RANGE}).text
    assert f"{messages:,} messages in the range" in page


def test_readiness_suggests_an_spf_record(client: TestClient) -> None:
    """Readiness names the next step and an SPF record with the domain's own servers."""
    found = client.get("/api/readiness", params={"domain": "example.net"}).json()
    assert found["data"]["next_step"] == "p=quarantine"
    assert found["data"]["spf_record"].startswith("v=spf1 ip4:192.0.2.9 ")
    assert 0 < found["data"]["aligned_pass_share"] < 1


async def test_readiness_record_is_the_record_builders(
    client: TestClient, filled: SqlReportStore
) -> None:
    """The SPF record on the readiness page is build_spf's record for the same senders."""
    found = client.get("/api/readiness", params={"domain": "example.com"}).json()["data"]
    window = Period(
        dt.date.fromisoformat(found["window"]["start"]),
        dt.date.fromisoformat(found["window"]["end"]),
    )
    senders = sources(filled.engine, window, "example.com", passing=True, limit=LEGITIMATE_LIMIT)
    assert len(senders) == found["legitimate_sources"] > 1
    built = await build_spf(
        "example.com", resolver=ZoneResolver(), addresses=[s.source_ip for s in senders]
    )
    assert found["spf_record"] == built.record
    assert found["spf_record_widened"] is built.widened
    page = client.get("/readiness", params={"domain": "example.com"}).text
    assert built.record in page


HOSTILE_PATHS = [
    "/",
    f"/domain?domain={HOSTILE_DOMAIN}",
    f"/readiness?domain={HOSTILE_DOMAIN}",
    "/failures",
    "/tls",
    "/findings",
    "/quarantine",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_markup_from_reports_is_escaped(client: TestClient, path: str) -> None:
    """Org names, reverse DNS names, headers and findings with markup come out as text."""
    text = client.get(path, params=RANGE).text
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert "<i>evil</i>" not in text


def test_hostile_values_are_shown_escaped(client: TestClient) -> None:
    """The hostile reverse DNS name is on the page, as escaped text."""
    text = client.get("/domain", params={"domain": HOSTILE_DOMAIN, **RANGE}).text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;.evil.example" in text


def _failure_id(client: TestClient) -> int:
    found = client.get("/api/failures", params={"domain": HOSTILE_DOMAIN, **RANGE}).json()
    return int(found["tables"]["failures"]["rows"][0]["id"])


def test_failure_detail_escapes_headers_and_redacts(client: TestClient) -> None:
    """The failure report's headers are escaped; with redact=1 no local part is shown."""
    key = _failure_id(client)
    plain = client.get(f"/failures/{key}").text
    assert "&lt;img src=x onerror=alert(2)&gt;" in plain
    assert "<img src=x" not in plain and "ceo@evil.example" in plain
    redacted = client.get(f"/failures/{key}", params={"redact": "1"}).text
    assert "ceo@" not in redacted and "victim.person@" not in redacted
    assert "[redacted]@evil.example" in redacted
    api = client.get(f"/api/failures/{key}", params={"redact": "1"}).json()
    assert "alice@" not in str(api)


def test_unknown_failure_is_404(client: TestClient) -> None:
    """An unknown failure report or quarantine id answers 404 on the page and in the API,
    also one too large for the store's integer columns."""
    for key in ("999999", "999999999999999999", "9" * 30):
        for prefix in ("/failures", "/api/failures", "/quarantine", "/api/quarantine"):
            assert client.get(f"{prefix}/{key}").status_code == 404, (prefix, key)


def test_bad_dates_are_a_clear_400(client: TestClient) -> None:
    """A malformed date is refused with the reason, as a page and as JSON."""
    response = client.get("/", params={"start": "<b>2026</b>"})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.text and "<b>2026" not in response.text
    assert "error" in client.get("/api/overview", params={"end": "x"}).json()


@pytest.mark.parametrize("page", ["/", "/failures", "/tls", "/api/failures", "/api/tls"])
@pytest.mark.parametrize("params", [{"end": "9999-12-31"}, {"start": "0001-01-01"}])
def test_dates_at_the_calendar_edges_are_a_clear_400(
    client: TestClient, page: str, params: dict[str, str]
) -> None:
    """The last and first days the calendar has are refused with the allowed range, not a
    server error from computing the day after or the default start before them."""
    response = client.get(page, params=params)
    assert response.status_code == 400, response.text[:200]
    assert "between 1970-01-01 and 9998-12-31" in response.text


def test_filters_narrow_the_overview(client: TestClient) -> None:
    """The domain filter keeps one domain; the date range changes the figures."""
    one = client.get("/api/overview", params={"domain": "example.org", **RANGE}).json()
    assert [r["domain"] for r in one["tables"]["domains"]["rows"]] == ["example.org"]
    day = client.get("/api/overview", params={"start": "2026-11-25", "end": "2026-11-25"}).json()
    week = client.get("/api/overview", params={"start": "2026-11-19", "end": "2026-11-25"}).json()
    total = lambda found: sum(r["messages"] for r in found["tables"]["domains"]["rows"])  # noqa: E731
    assert 0 < total(day) < total(week)


def test_retry_needs_a_csrf_token(client: TestClient) -> None:
    """Retrying a quarantined input without the CSRF token is refused; with it, it runs."""
    assert client.post("/quarantine/1/retry", data={}).status_code == 403
    page = client.get("/quarantine/1").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/quarantine/1/retry", data={"csrf_token": token.group(1)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/quarantine/1?message=")


def test_cross_site_post_without_cookie_is_refused(filled: SqlReportStore) -> None:
    """A form posted from elsewhere carries no CSRF cookie and is refused."""
    with client_for(filled) as fresh:
        fresh.cookies.clear()
        assert fresh.post("/quarantine/1/retry", data={"csrf_token": "guess"}).status_code == 403


def test_token_auth(filled: SqlReportStore) -> None:
    """With a token: pages redirect to login, the API needs it, the bearer header works."""
    token = "t" * 24
    with client_for(filled, AuthConfig(token=token)) as client:
        assert client.get("/", follow_redirects=False).status_code == 303
        assert client.get("/api/overview").status_code == 401
        assert (
            client.get("/api/overview", headers={"Authorization": f"Bearer {token}"}).status_code
            == 200
        )
        assert client.get("/static/style.css").status_code == 200


def test_password_login_and_logout(filled: SqlReportStore) -> None:
    """A password login (with CSRF) gets a session; a wrong one does not; logout ends it."""
    with client_for(filled, AuthConfig(password_hash=hash_password("s3cret-pass"))) as client:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        assert client.post("/login", data={"secret": "s3cret-pass"}).status_code == 403
        wrong = client.post("/login", data={"secret": "nope", "csrf_token": token})
        assert wrong.status_code == 401
        good = client.post(
            "/login", data={"secret": "s3cret-pass", "csrf_token": token}, follow_redirects=False
        )
        assert good.status_code == 303
        assert client.get("/", follow_redirects=False).status_code == 200
        client.post("/logout", data={"csrf_token": token})
        assert client.get("/", follow_redirects=False).status_code == 303


def test_oversize_login_form_is_refused(filled: SqlReportStore) -> None:
    """A login body over the form bound is refused with 413, whether its length is declared
    or it comes chunked; a normal form still works afterwards."""
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    with client_for(filled, AuthConfig(password_hash=hash_password("s3cret-pass"))) as client:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        declared = client.post("/login", content=b"x" * (MAX_FORM_BYTES + 1))
        assert declared.status_code == 413
        chunked = client.post("/login", content=iter([b"secret=" + b"x" * MAX_FORM_BYTES] * 4))
        assert chunked.status_code == 413
        good = client.post(
            "/login",
            data={"secret": "s3cret-pass", "csrf_token": token},
            headers=form_type,
            follow_redirects=False,
        )
        assert good.status_code == 303


def test_form_reading_stops_past_the_bound() -> None:
    """The form reader stops taking chunks once the bound is passed: a 64 MiB body offered
    in 64 KiB chunks is not read whole."""
    taken = 0

    async def receive() -> dict[str, object]:
        nonlocal taken
        taken += 1
        return {"type": "http.request", "body": b"x" * (64 * 1024), "more_body": taken < 1024}

    scope = {"type": "http", "method": "POST", "path": "/login", "headers": []}
    assert asyncio.run(_form(Request(scope, receive))) is None
    assert taken <= 2


def test_loopback_dashboard_refuses_foreign_host_names(client: TestClient) -> None:
    """A request naming another host (DNS rebinding to 127.0.0.1) is refused."""
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"Host": "localhost:8080"}).status_code == 200
    assert client.get("/", headers={"Host": "[::1]:8080"}).status_code == 200
