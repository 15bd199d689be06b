"""The filter every page takes (domain and date range) and the page object pages return."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from mailwarden.errors import InputError
from mailwarden.store import SqlReportStore
from mailwarden.store.queries import Period
from mailwarden.web.tables import DataTable

__all__ = ["DEFAULT_DAYS", "MAX_DAYS", "Chart", "Page", "View", "parse_period"]

#: Days shown when no range is given: the last 30 days with data.
DEFAULT_DAYS = 30
#: Longest range accepted (days).
MAX_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class View:
    """What a page is asked for: the store, the period, the domain and the other parameters."""

    store: SqlReportStore
    period: Period
    domain: str | None
    domains: tuple[str, ...]
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def redact(self) -> bool:
        """Return True when addresses are to be redacted (``redact=1``)."""
        return self.params.get("redact", "") in ("1", "on", "true", "yes")

    def query(self, **changes: str | None) -> dict[str, str]:
        """Return the filter as query parameters, with ``changes`` applied (``None`` drops)."""
        found = {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        if self.domain:
            found["domain"] = self.domain
        if self.redact:
            found["redact"] = "1"
        for key, value in changes.items():
            if value is None:
                found.pop(key, None)
            else:
                found[key] = value
        return found


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart drawn on the server, with a heading and the data it shows (for the API)."""

    name: str
    title: str
    svg: Markup
    data: Any = None


@dataclass(slots=True)
class Page:
    """What a page shows: title, tables, charts and other values (JSON-ready)."""

    name: str
    title: str
    tables: list[DataTable] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    template: str = "page.html"
    message: str = ""

    def table(self, name: str) -> DataTable | None:
        """Return the table called ``name``, ``None`` when the page has none by that name."""
        return next((t for t in self.tables if t.name == name), None)


# Dates a period may use: the range and the day after its end must stay representable.
FIRST_DAY = dt.date(1970, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)


def _day(text: str, name: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{name} must be a date in YYYY-MM-DD form, not {text[:40]!r}") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError(f"{name} must be between {FIRST_DAY} and {LAST_DAY}, not {day}")
    return day


MAX_DOMAIN_FILTER = 1000


def parse_domain_filter(value: str | None) -> str | None:
    """Return the ``domain`` filter asked for (None for none).

    Raises ``InputError`` for a value no stored domain can have: longer than
    ``MAX_DOMAIN_FILTER`` characters or holding a control character (PostgreSQL refuses a NUL
    in a query outright).
    """
    if not value:
        return None
    if len(value) > MAX_DOMAIN_FILTER or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise InputError(f"domain must be a domain name, not {value[:40]!r}")
    return value


def parse_period(
    params: Mapping[str, str], bounds: tuple[dt.date, dt.date] | None, today: dt.date
) -> Period:
    """Return the period asked for by ``start`` and ``end`` (YYYY-MM-DD, inclusive).

    Without them: the last 30 days up to the newest report (or today without any).
    Raises ``InputError`` for a malformed date, an end before the start or a range that is
    longer than three years.
    """
    anchor = bounds[1] if bounds else today
    end = _day(params["end"], "end") if params.get("end") else anchor
    default_start = end - dt.timedelta(days=DEFAULT_DAYS - 1)
    start = _day(params["start"], "start") if params.get("start") else default_start
    if end < start:
        raise InputError("the end date is before the start date")
    if (end - start).days + 1 > MAX_DAYS:
        raise InputError(f"a date range can cover at most {MAX_DAYS} days")
    return Period(start, end)
