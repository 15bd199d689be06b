"""Tables shown on the pages, served as JSON by the API and exported as CSV.

A :class:`DataTable` is plain data (column names and rows of JSON-ready values); the HTML
template, the API and the CSV export all render the same object.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

__all__ = ["Column", "DataTable", "cell", "to_csv"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: JSON key, heading, kind (``text``, ``int``, ``pct``, ``mono``) and an optional
    link pattern such as ``/domains/{domain}`` filled in from the row."""

    key: str
    label: str
    kind: str = "text"
    link: str | None = None


@dataclass(frozen=True, slots=True)
class DataTable:
    """A named table: its columns and rows (dicts keyed by column key)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    def href(self, row: Mapping[str, Any], column: Column) -> str | None:
        """Return the link of ``column`` in ``row`` with every value URL-quoted, or ``None``."""
        if column.link is None:
            return None
        values = {key: quote(str(value), safe="") for key, value in row.items()}
        try:
            return column.link.format(**values)
        except (KeyError, IndexError):
            return None

    def json(self) -> list[dict[str, Any]]:
        """Return the rows with dates as ISO text (ready for ``json.dumps``)."""
        return [{c.key: cell(row.get(c.key)) for c in self.columns} for row in self.rows]


def cell(value: Any) -> Any:
    """Return ``value`` ready for JSON: dates and times as ISO 8601 text, the rest unchanged."""
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def rows_of(items: Iterable[Any], **extra: Any) -> list[dict[str, Any]]:
    """Return dataclass ``items`` as dicts, each updated with ``extra`` computed per row."""
    found = []
    for item in items:
        row = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
        for key, compute in extra.items():
            row[key] = compute(item)
        found.append(row)
    return found


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> str:
    """Return ``value`` as CSV text; text a spreadsheet would run as a formula gets a ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    text = str(cell(value))
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(table: DataTable, columns: Sequence[Column] | None = None) -> str:
    """Return ``table`` as CSV text with a header line (values from reports are defused)."""
    columns = columns or table.columns
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in columns])
    for row in table.rows:
        writer.writerow([_safe(row.get(c.key)) for c in columns])
    return out.getvalue()
