"""CSV exports of tables: streamed rows, chunks, and values that start like formulas."""

from __future__ import annotations

import csv
import io
from typing import Any

from mailwarden.web.tables import CHUNK_ROWS, Column, DataTable, csv_chunks, to_csv

COLUMNS = (Column("name", "Name"), Column("messages", "Messages", "int"))


def _stream(rows: list[tuple[Any, ...]]) -> DataTable:
    return DataTable("t", "T", COLUMNS, stream=lambda: iter(rows))


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_streamed_rows_come_in_chunks_after_the_header() -> None:
    """A streamed table yields the header alone first, then a chunk per thousand rows."""
    rows = [(f"host{n}.example", n) for n in range(CHUNK_ROWS + 5)]
    chunks = list(csv_chunks(_stream(rows)))
    assert chunks[0] == "name,messages\r\n"
    assert len(chunks) == 3
    assert _cells("".join(chunks))[1:] == [[name, str(n)] for name, n in rows]


def test_streamed_formulas_are_defused_wherever_they_are() -> None:
    """A streamed value starting like a formula gets a leading quote; the rest is unchanged."""
    rows = [("ok.example", 1), ("=HYPERLINK(1)", 2), ("a,@b", 3), ("\ttab", None), ("-x", 4)]
    found = _cells(to_csv(_stream(rows)))[1:]
    assert found == [
        ["ok.example", "1"],
        ["'=HYPERLINK(1)", "2"],
        ["a,@b", "3"],
        ["'\ttab", ""],
        ["'-x", "4"],
    ]


def test_streamed_and_listed_rows_give_the_same_csv() -> None:
    """The same values as row dicts or as a stream give the same text."""
    values = [("plain", 1), ("+1 555", 2), (None, None), ('"=quoted', 3)]
    listed = DataTable(
        "t", "T", COLUMNS, [dict(zip(("name", "messages"), v, strict=True)) for v in values]
    )
    assert to_csv(listed) == to_csv(_stream(values))
