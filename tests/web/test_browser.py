"""The dashboard in a real headless Chromium: every page loads, charts render, no console
errors, no script from a report runs, the filters work; screenshots go to tests/artifacts/."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mailwarden.store import SqlReportStore, open_store
from mailwarden.web.pages import PAGES
from tests.web.conftest import TODAY
from tests.web.hostile import HOSTILE_DOMAIN

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
RANGE = "start=2026-11-06&end=2026-11-25"
CHARTED = {"overview", "domain", "readiness", "tls"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(filled_path: Path) -> Iterator[str]:
    """The dashboard served by uvicorn on a free loopback port, over the filled store."""
    import uvicorn

    from mailwarden.web.app import WebConfig, create_app

    store: SqlReportStore = open_store(str(filled_path))
    app = create_app(WebConfig(store, today=lambda: TODAY))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not runner.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert runner.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    runner.should_exit = True
    thread.join(timeout=10)
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium from the system package, driven by Playwright."""
    if shutil.which(CHROMIUM) is None:
        pytest.skip("chromium not installed: browser tests need the Debian chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield found
        found.close()


class Watched:
    """A browser page that records console errors, page errors, failed requests and dialogs."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("dialog", self._dialog)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _failed(self, request: Any) -> None:
        # Aborted is not a failure of the page: a download ends its navigation so, and leaving
        # a page cancels what it still loads (its favicon, say) when the test moves on quickly.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed: {request.url} ({request.failure})")

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"dialog opened: {dialog.message}")
        dialog.dismiss()

    def open(self, url: str) -> Any:
        """Load ``url``, fail on an HTTP error, and return the response."""
        response = self.page.goto(url)
        assert response is not None and response.ok, url
        self.page.wait_for_load_state("load")
        return response

    def shot(self, name: str) -> None:
        """Save a full-page screenshot as tests/artifacts/<name>.png."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        """Close the page."""
        self.page.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Watched]:
    """A fresh page; the test fails if anything went wrong in the console."""
    watched = Watched(browser)
    yield watched
    problems = list(watched.problems)
    watched.close()
    assert problems == []


def _path(name: str) -> str:
    return "/" if name == "overview" else f"/{name}"


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_with_charts_and_no_errors(server: str, tab: Watched, name: str) -> None:
    """Each page loads with its tables; charted pages draw bars of a real size."""
    domain = "&domain=example.net" if name in ("domain", "readiness") else ""
    tab.open(f"{server}{_path(name)}?{RANGE}{domain}")
    assert tab.page.locator("h1").count() == 1
    if name in CHARTED:
        charts = tab.page.locator("svg.chart")
        assert charts.count() >= 1
        box = tab.page.locator("svg.chart rect:has(title)").first.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
    tab.shot(name)


def test_filters_change_the_page(server: str, tab: Watched) -> None:
    """Choosing a domain and a date range in the form narrows the overview."""
    tab.open(f"{server}/")
    tab.page.select_option("form.filter select[name=domain]", "example.org")
    tab.page.fill("form.filter input[name=start]", "2026-11-20")
    tab.page.fill("form.filter input[name=end]", "2026-11-25")
    tab.page.click("form.filter button[type=submit]")
    tab.page.wait_for_load_state("load")
    assert "domain=example.org" in tab.page.url and "start=2026-11-20" in tab.page.url
    rows = tab.page.locator("#table-domains tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").first.inner_text() == "example.org"
    tab.shot("overview-filtered")


def test_domain_link_and_csv_export(server: str, tab: Watched) -> None:
    """A domain on the overview links to its page, whose CSV export downloads."""
    tab.open(f"{server}/?{RANGE}")
    tab.page.click("#table-domains a:text('example.com')")
    tab.page.wait_for_load_state("load")
    assert "/domain?domain=example.com" in tab.page.url
    with tab.page.expect_download() as download:
        tab.page.click("a.export[href*='sources.csv']")
    assert download.value.suggested_filename == "mailwarden-domain-sources.csv"


def test_hostile_reports_run_no_script(server: str, tab: Watched) -> None:
    """Pages showing markup from reports open no dialog and show the markup as text."""
    tab.open(f"{server}/domain?domain={HOSTILE_DOMAIN}&{RANGE}")
    assert "<script>alert('x')</script>.evil.example" in tab.page.inner_text("#table-sources")
    tab.open(f"{server}/failures?domain={HOSTILE_DOMAIN}&{RANGE}")
    tab.page.click("#table-failures tbody tr a")
    tab.page.wait_for_load_state("load")
    assert "<img src=x onerror=alert(2)>" in tab.page.inner_text("#original-headers")
    tab.shot("failure-hostile")
    tab.open(f"{server}/findings")
    assert "<script>alert('x')</script>" in tab.page.inner_text("#table-findings")


def test_redact_option(server: str, tab: Watched) -> None:
    """Ticking "redact addresses" hides every local part on the failure list."""
    tab.open(f"{server}/failures?{RANGE}")
    tab.page.check("form.filter input[name=redact]")
    tab.page.click("form.filter button[type=submit]")
    tab.page.wait_for_load_state("load")
    text = tab.page.inner_text("#table-failures")
    assert "[redacted]@" in text and "user" not in text
    tab.shot("failures-redacted")
