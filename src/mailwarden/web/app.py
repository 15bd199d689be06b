"""The Starlette application: HTML pages, the JSON API, CSV exports, login and CSRF checks."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from importlib import resources
from itertools import chain, islice
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from mailwarden.errors import ConfigError, InputError, MailwardenError, StorageError
from mailwarden.store import SqlReportStore
from mailwarden.store.queries import data_bounds, domains, failure_detail
from mailwarden.web import auth
from mailwarden.web.charts import sparkline
from mailwarden.web.openapi import openapi_document
from mailwarden.web.pages import PAGES
from mailwarden.web.redact import redact_row
from mailwarden.web.tables import DataTable, cell, csv_chunks
from mailwarden.web.view import Page, View, parse_domain_filter, parse_period

__all__ = ["WebConfig", "create_app"]

#: Host names a loopback dashboard answers to: a page from elsewhere that rebinds its own name
#: to 127.0.0.1 (DNS rebinding) gets 400, not the dashboard.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

SESSION_COOKIE = "mw_session"
CSRF_COOKIE = "mw_csrf"
CSRF_FIELD = "csrf_token"
RAW_PREVIEW = 64 * 1024
#: Rows a CSV export holds when no ``limit`` is given.
EXPORT_LIMIT = 100_000

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _web_dir() -> Path:
    return Path(str(resources.files("mailwarden") / "data" / "web"))


def _pct(value: Any) -> str:
    return "" if value is None else f"{float(value) * 100:.1f}%"


def _num(value: Any) -> str:
    return "" if value is None else f"{int(value):,}"


def _spark(values: Any) -> Markup:
    return sparkline("daily DMARC pass rate", list(values or []))


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(str(_web_dir() / "templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=_pct, num=_num, spark=_spark, qs=urlencode, cell=cell)
    return Jinja2Templates(env=env)


class Interval:
    """Says when a cached value is due to be looked up again (every ``seconds``)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._checked = -1e18
        self._lock = threading.Lock()

    def due(self) -> bool:
        """Return True (and start a new interval) when the value should be looked up now."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked < self.seconds:
                return False
            self._checked = now
            return True


class WebConfig:
    """Everything the application needs: the store, authentication, and the clock."""

    def __init__(
        self,
        store: SqlReportStore,
        *,
        auth_config: auth.AuthConfig | None = None,
        today: Callable[[], dt.date] | None = None,
        known_interval: float = 5.0,
        allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS,
    ) -> None:
        self.store = store
        self.allowed_hosts = allowed_hosts
        self.auth = auth_config or auth.AuthConfig()
        self.today = today or (lambda: dt.datetime.now(dt.UTC).date())
        self.sessions = auth.Sessions()
        self.known = Interval(known_interval)


class _RowId(Convertor[int]):
    """A stored row's id in a URL: 1 to 18 digits, so it fits the store's 64-bit integer
    columns. A longer number matches no route (404) instead of overflowing in the driver."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        """Return the id as an integer."""
        return int(value)

    def to_string(self, value: int) -> str:
        """Return the id as URL text."""
        return str(int(value))


register_url_convertor("rowid", _RowId())


def create_app(config: WebConfig) -> Starlette:
    """Return the dashboard application serving ``config.store``."""
    handlers = _Handlers(config, _templates())
    routes = [
        Route("/", handlers.page("overview")),
        *[Route(f"/{name}", handlers.page(name)) for name in PAGES if name != "overview"],
        Route("/failures/{key:rowid}", handlers.failure),
        Route("/quarantine/{key:rowid}", handlers.quarantine_entry),
        Route("/quarantine/{key:rowid}/retry", handlers.retry, methods=["POST"]),
        Route("/api/openapi.json", handlers.openapi),
        *[Route(f"/api/{name}", handlers.api(name)) for name in PAGES],
        Route("/api/failures/{key:rowid}", handlers.api_failure),
        Route("/api/quarantine/{key:rowid}", handlers.api_quarantine_entry),
        Route("/export/{page}/{table}.csv", handlers.export),
        Route("/login", handlers.login, methods=["GET", "POST"]),
        Route("/logout", handlers.logout, methods=["POST"]),
        Route("/favicon.ico", handlers.favicon),
        Mount("/static", StaticFiles(directory=str(_web_dir() / "static")), name="static"),
    ]
    middleware = [Middleware(_Guard, config=config)]
    return Starlette(routes=routes, middleware=middleware)


class _Guard(BaseHTTPMiddleware):
    """Adds security headers, the CSRF cookie, and sends strangers to the login page."""

    def __init__(self, app: Any, config: WebConfig) -> None:
        super().__init__(app)
        self.config = config

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Check authentication, run the request, then add headers and cookies."""
        allowed = self.config.allowed_hosts
        if allowed is not None and _host_name(request.headers.get("host", "")) not in allowed:
            return Response("unknown host name", status_code=400, media_type="text/plain")
        token = request.cookies.get(CSRF_COOKIE) or auth.new_csrf_token()
        request.state.csrf = token
        request.state.authenticated = self._authenticated(request)
        if not request.state.authenticated and not _public(request.url.path):
            response: Response
            if request.url.path.startswith("/api/"):
                response = JSONResponse({"error": "authentication required"}, status_code=401)
            else:
                response = RedirectResponse("/login", status_code=303)
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict")
        return response

    def _authenticated(self, request: Request) -> bool:
        settings = self.config.auth
        if not settings.enabled:
            return True
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer ") and settings.accepts(header[7:].strip()):
            return True
        return self.config.sessions.valid(request.cookies.get(SESSION_COOKIE))


def _host_name(header: str) -> str:
    """Return the host name of a ``Host`` header without the port (``[::1]:80`` is ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _public(path: str) -> bool:
    return path in ("/login", "/favicon.ico") or path.startswith("/static/")


MAX_FORM_BYTES = 64 * 1024


async def _form(request: Request) -> dict[str, str] | None:
    """Return the urlencoded form posted with ``request``, or None when its body is over
    ``MAX_FORM_BYTES`` (read no further: the login form is open to anyone who can connect)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    text = body.decode("utf-8", "replace")
    return {key: values[0] for key, values in parse_qs(text).items()}


async def _checked_form(request: Request) -> dict[str, str] | Response:
    """Return the posted form, or the error response when it is over ``MAX_FORM_BYTES``
    (413) or lacks the CSRF token that matches the cookie (403)."""
    form = await _form(request)
    if form is None:
        return JSONResponse({"error": f"form over {MAX_FORM_BYTES} bytes"}, status_code=413)
    if not _csrf_ok(request, form):
        return JSONResponse({"error": "missing or wrong CSRF token"}, status_code=403)
    return form


def _csrf_ok(request: Request, form: dict[str, str]) -> bool:
    return auth.csrf_matches(request.cookies.get(CSRF_COOKIE), form.get(CSRF_FIELD))


class _Handlers:
    """The request handlers, sharing the configuration and the templates."""

    def __init__(self, config: WebConfig, templates: Jinja2Templates) -> None:
        self.config = config
        self.templates = templates
        self._cached: tuple[tuple[str, ...], Any] | None = None

    @property
    def store(self) -> SqlReportStore:
        return self.config.store

    def _known(self) -> tuple[tuple[str, ...], Any]:
        """Return the domains and the data bounds, looked up again every few seconds."""
        if self.config.known.due() or self._cached is None:
            engine = self.store.engine
            self._cached = (tuple(domains(engine)), data_bounds(engine))
        return self._cached

    def _view(self, request: Request, page: str = "") -> View:
        params = dict(request.query_params)
        known, bounds = self._known()
        period = parse_period(params, bounds, self.config.today())
        chosen = parse_domain_filter(params.get("domain"))
        if page in ("domain", "readiness") and not chosen:
            chosen = known[0] if known else None
        return View(self.store, period, chosen, known, params)

    def _render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> Response:
        base = {
            "nav": [(name, title) for name, (title, _) in PAGES.items()],
            "csrf": request.state.csrf,
            "auth_enabled": self.config.auth.enabled,
        }
        return self.templates.TemplateResponse(
            request, template, {**base, **context}, status_code=status
        )

    def _error(self, request: Request, error: MailwardenError, api: bool) -> Response:
        status = 503 if isinstance(error, StorageError) else 400
        if api:
            return JSONResponse({"error": str(error)}, status_code=status)
        return self._render(request, "error.html", status, message=str(error), view=None)

    def page(self, name: str) -> Callable[[Request], Response]:
        """Return the handler of HTML page ``name``."""
        return self._handler(name, api=False)

    def api(self, name: str) -> Callable[[Request], Response]:
        """Return the handler of API endpoint ``/api/<name>``."""
        return self._handler(name, api=True)

    def _handler(self, name: str, *, api: bool) -> Callable[[Request], Response]:
        build = PAGES[name][1]

        def handle(request: Request) -> Response:
            try:
                view = self._view(request, name)
                found = build(view)
            except MailwardenError as error:
                return self._error(request, error, api=api)
            if api:
                return JSONResponse(_page_json(found, view))
            return self._render(request, found.template, page=found, view=view)

        return handle

    def export(self, request: Request) -> Response:
        """Return one table of one page as CSV."""
        name, table = request.path_params["page"], request.path_params["table"]
        if name not in PAGES:
            return JSONResponse({"error": f"no page {name!r}"}, status_code=404)
        try:
            view = self._view(request, name)
            params = {"limit": str(EXPORT_LIMIT), **view.params, "table": table}
            view = replace(view, params=params)
            found = PAGES[name][1](view)
        except MailwardenError as error:
            return self._error(request, error, api=True)
        wanted = found.table(table)
        if wanted is None:
            return JSONResponse({"error": f"no table {table!r} on {name}"}, status_code=404)
        columns = [c for c in wanted.columns if c.kind != "spark"]
        chunks = csv_chunks(wanted, columns)
        try:  # the header and the first rows: a failing query still gets an error response
            first = list(islice(chunks, 2))
        except MailwardenError as error:
            return self._error(request, error, api=True)
        filename = f"mailwarden-{name}-{table}.csv"
        return StreamingResponse(
            chain(first, chunks),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def _failure(self, request: Request) -> tuple[View, dict[str, Any] | None]:
        view = self._view(request)
        found = failure_detail(self.store.engine, int(request.path_params["key"]))
        if found is not None and view.redact:
            found = redact_row(found)
        return view, found

    def failure(self, request: Request) -> Response:
        """Return the page of one failure report (``redact=1`` hides addresses)."""
        try:
            view, found = self._failure(request)
        except MailwardenError as error:
            return self._error(request, error, api=False)
        if found is None:
            return self._render(request, "error.html", 404, message="no such failure report")
        details = _json_or_text(found.pop("details", None))
        return self._render(
            request,
            "failure.html",
            page=Page("failures", "Failure report"),
            view=view,
            report=found,
            details=details,
        )

    def api_failure(self, request: Request) -> Response:
        """Return one failure report as JSON (``redact=1`` hides addresses)."""
        try:
            _view, found = self._failure(request)
        except MailwardenError as error:
            return self._error(request, error, api=True)
        if found is None:
            return JSONResponse({"error": "no such failure report"}, status_code=404)
        return JSONResponse({key: cell(value) for key, value in found.items()})

    def _entry(self, request: Request) -> tuple[Any, str]:
        entry, raw = self.store.quarantine_raw(int(request.path_params["key"]))
        return entry, raw[:RAW_PREVIEW].decode("utf-8", "replace")

    def quarantine_entry(self, request: Request) -> Response:
        """Return the page of one quarantined input with the start of its raw bytes."""
        try:
            view = self._view(request)
            entry, preview = self._entry(request)
        except InputError as error:
            return self._render(request, "error.html", 404, message=str(error))
        except MailwardenError as error:
            return self._error(request, error, api=False)
        return self._render(
            request,
            "quarantine_entry.html",
            page=Page("quarantine", "Quarantined input"),
            view=view,
            entry=entry,
            preview=preview,
            truncated=entry.size > RAW_PREVIEW,
            message=request.query_params.get("message", ""),
        )

    def api_quarantine_entry(self, request: Request) -> Response:
        """Return one quarantined input as JSON, with the start of its raw bytes as text."""
        try:
            entry, preview = self._entry(request)
        except InputError as error:
            return JSONResponse({"error": str(error)}, status_code=404)
        except MailwardenError as error:
            return self._error(request, error, api=True)
        fields = {key: cell(getattr(entry, key)) for key in entry.__dataclass_fields__}
        return JSONResponse({**fields, "raw_preview": preview})

    async def retry(self, request: Request) -> Response:
        """Parse a quarantined input again (POST with a CSRF token)."""
        form = await _checked_form(request)
        if isinstance(form, Response):
            return form
        key = int(request.path_params["key"])
        message = _retry(self.store, key)
        query = urlencode({"message": message})
        return RedirectResponse(f"/quarantine/{key}?{query}", status_code=303)

    async def login(self, request: Request) -> Response:
        """Show the login form, or check the submitted token or password."""
        if request.method == "GET" or not self.config.auth.enabled:
            return self._render(request, "login.html", message="", view=None)
        form = await _checked_form(request)
        if isinstance(form, Response):
            return form
        if not self.config.auth.accepts(form.get("secret", "")):
            return self._render(
                request, "login.html", 401, message="wrong token or password", view=None
            )
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            self.config.sessions.issue(),
            max_age=self.config.sessions.lifetime,
            httponly=True,
            samesite="strict",
        )
        return response

    async def logout(self, request: Request) -> Response:
        """End the session (POST with a CSRF token)."""
        form = await _checked_form(request)
        if isinstance(form, Response):
            return form
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    def favicon(self, request: Request) -> Response:
        """Return the icon (so that browsers do not log a missing one)."""
        icon = (_web_dir() / "static" / "favicon.svg").read_bytes()
        return Response(icon, media_type="image/svg+xml")

    def openapi(self, request: Request) -> Response:
        """Return the OpenAPI 3.1 description of the JSON API."""
        return JSONResponse(openapi_document())


def _retry(store: SqlReportStore, key: int) -> str:
    from mailwarden.ingest.parsing import default_parser
    from mailwarden.ingest.pipeline import Ingestor

    try:
        outcome = Ingestor(store, default_parser()).retry_quarantined([key])
    except ConfigError as error:
        return f"cannot retry: {error}"
    except MailwardenError as error:
        return f"retry failed: {error}"
    if outcome.resolved:
        return f"parsed now: {outcome.counts.reports_new} new report(s)"
    return "still cannot be parsed"


def _json_or_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _table_json(table: DataTable) -> dict[str, Any]:
    return {"title": table.title, "columns": [c.key for c in table.columns], "rows": table.json()}


def _page_json(page: Page, view: View) -> dict[str, Any]:
    """Return the API form of a page: the filter, values, chart data and tables."""
    return {
        "page": page.name,
        "filter": {
            "domain": view.domain,
            "start": view.period.start.isoformat(),
            "end": view.period.end.isoformat(),
        },
        "domains": list(view.domains),
        "message": page.message,
        "data": {key: cell(value) for key, value in page.data.items()},
        "charts": {chart.name: chart.data for chart in page.charts},
        "tables": {table.name: _table_json(table) for table in page.tables},
    }
