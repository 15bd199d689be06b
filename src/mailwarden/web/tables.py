"""Tables shown on the pages, served as JSON by the API and exported as CSV.

A :class:`DataTable` is plain data (column names and rows of JSON-ready values); the HTML
template, the API and the CSV export all render the same object.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import quote

__all__ = ["Column", "DataTable", "cell", "csv_chunks", "to_csv"]

#: Rows per chunk of a streamed CSV export.
CHUNK_ROWS = 1000


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
    """A named table: its columns and rows (dicts keyed by column key).

    A table made for a CSV export may instead have ``stream``: a function returning the rows
    as sequences of values in the order of ``columns``, one by one as they are read from the
    database, so that a big export starts at once. Streamed values are text, numbers or
    ``None`` only (what the database gives).
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    stream: Callable[[], Iterable[Sequence[Any]]] | None = None

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
#: Types the CSV writer gets as they are (no defusing needed).
_PLAIN = frozenset({int, float, bool, type(None)})


def _safe(value: Any) -> Any:
    """Return ``value`` for the CSV writer; text a spreadsheet would run as a formula gets a
    ``'``. Numbers and ``None`` (an empty field) are left to the writer."""
    kind = type(value)
    if value is None or kind is int or kind is float or kind is bool:
        return value
    text = value if kind is str else str(cell(value))
    return "'" + text if text.startswith(_FORMULA) else text


#: A CSV field that starts like a formula (at a line start or after a comma, maybe quoted).
_FORMULA_FIELD = re.compile(r'(?:^|,)"?[=+\-@\t\r]', re.MULTILINE)


def csv_chunks(table: DataTable, columns: Sequence[Column] | None = None) -> Iterator[str]:
    """Yield ``table`` as CSV text in chunks: the header line first, then rows a thousand at a
    time (values from reports are defused). Rows come from ``table.stream`` when it is set."""
    columns = columns or table.columns
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in columns])
    yield out.getvalue()
    values = _values(table, columns)
    while chunk := list(islice(values, CHUNK_ROWS)):
        out.seek(0)
        out.truncate()
        if table.stream is not None:  # text, numbers and None: written as they are, unless
            writer.writerows(chunk)  # a field of the chunk starts like a formula
            if not _FORMULA_FIELD.search(out.getvalue()):
                yield out.getvalue()
                continue
            out.seek(0)
            out.truncate()
        writer.writerows([v if v.__class__ in _PLAIN else _safe(v) for v in row] for row in chunk)
        yield out.getvalue()


def _values(table: DataTable, columns: Sequence[Column]) -> Iterator[Sequence[Any]]:
    """Return an iterator over the values of ``columns`` of every row of ``table``."""
    if table.stream is None:
        keys = [c.key for c in columns]
        return ([row.get(key) for key in keys] for row in table.rows)
    positions = [table.columns.index(c) for c in columns]
    if positions == list(range(len(table.columns))):
        return iter(table.stream())
    return ([row[i] for i in positions] for row in table.stream())


def to_csv(table: DataTable, columns: Sequence[Column] | None = None) -> str:
    """Return ``table`` as CSV text with a header line (values from reports are defused)."""
    return "".join(csv_chunks(table, columns))
