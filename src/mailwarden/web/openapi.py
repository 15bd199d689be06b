"""The OpenAPI 3.1 description of the dashboard's JSON API, built from the page definitions."""

from __future__ import annotations

from typing import Any

from mailwarden import __version__
from mailwarden.web import pages
from mailwarden.web.tables import Column

__all__ = ["TABLES", "openapi_document"]

#: The tables of each page (the API's ``tables`` object and the CSV exports).
TABLES: dict[str, dict[str, tuple[Column, ...]]] = {
    "overview": {"domains": pages.OVERVIEW_COLUMNS},
    "domain": {
        "sources": pages.SOURCE_COLUMNS,
        "failing_sources": pages.SOURCE_COLUMNS,
        "reporters": pages.REPORTER_COLUMNS,
    },
    "readiness": {"affected_sources": pages.AFFECTED_COLUMNS},
    "failures": {"failures": pages.FAILURE_COLUMNS},
    "tls": {"tls_reports": pages.TLS_COLUMNS, "tls_failures": pages.TLS_FAILURE_COLUMNS},
    "findings": {"findings": pages.FINDING_COLUMNS},
    "quarantine": {"quarantine": pages.QUARANTINE_COLUMNS},
}

_KINDS: dict[str, dict[str, Any]] = {
    "int": {"type": ["integer", "null"]},
    "pct": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
    "spark": {"type": "array", "items": {"type": ["number", "null"]}},
}

_PARAMS = [
    ("domain", "Policy domain to show (all domains when absent).", {"type": "string"}),
    (
        "start",
        "First day, YYYY-MM-DD (default: 30 days before the end).",
        {"type": "string", "format": "date"},
    ),
    (
        "end",
        "Last day, YYYY-MM-DD (default: the day of the newest report).",
        {"type": "string", "format": "date"},
    ),
    ("limit", "Most rows per table.", {"type": "integer", "minimum": 1, "maximum": 100000}),
    (
        "redact",
        "1 to redact e-mail addresses (failure reports).",
        {"type": "string", "enum": ["0", "1"]},
    ),
    ("all", "1 to include resolved quarantine entries.", {"type": "string", "enum": ["0", "1"]}),
]


def _parameters() -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "query", "required": False, "description": text, "schema": schema}
        for name, text, schema in _PARAMS
    ]


def _row_schema(columns: tuple[Column, ...]) -> dict[str, Any]:
    properties = {
        c.key: {**_KINDS.get(c.kind, {"type": ["string", "null"]}), "description": c.label}
        for c in columns
    }
    return {"type": "object", "properties": properties}


def _page_schema(name: str) -> dict[str, Any]:
    tables = {
        table: {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "columns": {"type": "array", "items": {"type": "string"}},
                "rows": {"type": "array", "items": _row_schema(columns)},
            },
        }
        for table, columns in TABLES[name].items()
    }
    return {
        "type": "object",
        "required": ["page", "filter", "domains", "data", "charts", "tables"],
        "properties": {
            "page": {"const": name},
            "filter": {"$ref": "#/components/schemas/Filter"},
            "domains": {"type": "array", "items": {"type": "string"}},
            "message": {"type": "string"},
            "data": {"type": "object", "description": "Page values (rates, policy, ...)."},
            "charts": {"type": "object", "description": "The data behind each chart."},
            "tables": {"type": "object", "properties": tables},
        },
    }


def _json_response(schema: dict[str, Any], text: str = "OK") -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": schema}}}


_ERROR = {"$ref": "#/components/schemas/Error"}
_ERRORS = {
    "400": _json_response(_ERROR, "Bad filter (malformed date, range too long)."),
    "401": _json_response(_ERROR, "Authentication required (token or session)."),
    "503": _json_response(_ERROR, "The report store is unavailable."),
}


def _page_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for name, (title, build) in pages.PAGES.items():
        paths[f"/api/{name}"] = {
            "get": {
                "operationId": f"get_{name}",
                "summary": title,
                "description": (build.__doc__ or "").strip(),
                "parameters": _parameters(),
                "responses": {"200": _json_response(_page_schema(name)), **_ERRORS},
            }
        }
        for table in TABLES[name]:
            paths[f"/export/{name}/{table}.csv"] = {
                "get": {
                    "operationId": f"export_{name}_{table}",
                    "summary": f"{title}: table {table} as CSV",
                    "parameters": _parameters(),
                    "responses": {
                        "200": {
                            "description": "CSV",
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                        },
                        **_ERRORS,
                    },
                }
            }
    return paths


def _detail(name: str, summary: str) -> dict[str, Any]:
    key = {"name": "key", "in": "path", "required": True, "schema": {"type": "integer"}}
    params = [key] + [p for p in _parameters() if p["name"] == "redact"]
    return {
        "get": {
            "operationId": f"get_{name}",
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": _json_response({"type": "object"}),
                "404": _json_response(_ERROR, "Unknown id."),
                **_ERRORS,
            },
        }
    }


def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of ``/api/...`` and the CSV exports."""
    paths = _page_paths()
    paths["/api/failures/{key}"] = _detail("failure", "One failure report, every stored field")
    paths["/api/quarantine/{key}"] = _detail(
        "quarantine_entry", "One quarantined input and the start of its raw bytes"
    )
    paths["/api/openapi.json"] = {
        "get": {
            "operationId": "get_openapi",
            "summary": "This document",
            "responses": {"200": _json_response({"type": "object"})},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mailwarden dashboard API",
            "version": __version__,
            "description": "The figures of the dashboard's pages as JSON. Authenticate with "
            "`Authorization: Bearer <token>` when the server has a token.",
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Filter": {
                    "type": "object",
                    "properties": {
                        "domain": {"type": ["string", "null"]},
                        "start": {"type": "string", "format": "date"},
                        "end": {"type": "string", "format": "date"},
                    },
                },
                "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
            },
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
