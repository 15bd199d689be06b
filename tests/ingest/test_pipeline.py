"""The ingest pipeline: one message one transaction, duplicates counted, bad input quarantined."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mailwarden.errors import ParseError
from mailwarden.ingest import Ingestor, RawInput
from mailwarden.store import IngestCounts, SqlReportStore, open_store
from tests.ingest.fakes import fake_message, fake_parse


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlReportStore]:
    """A fresh SQLite store."""
    opened = open_store(str(tmp_path / "s.db"))
    yield opened
    opened.close()


def test_new_then_duplicate(store: SqlReportStore) -> None:
    """The same message ingested twice stores its reports once and counts duplicates."""
    ingestor = Ingestor(store, fake_parse)
    item = RawInput("a.eml", fake_message("r1", "r2"))
    assert ingestor.ingest(item) == IngestCounts(reports_new=2)
    assert ingestor.ingest(item) == IngestCounts(duplicates=2)
    assert store.stats().total.aggregate_reports == 2


def test_same_report_other_wrapping_is_duplicate(store: SqlReportStore) -> None:
    """A report arriving again in different bytes (another wrapping) is still a duplicate."""
    ingestor = Ingestor(store, fake_parse)
    ingestor.ingest(RawInput("a", fake_message("r1")))
    assert ingestor.ingest(RawInput("b", b"\n\n" + fake_message("r1", "r3"))) == IngestCounts(1, 1)


def test_unparseable_quarantined_once(store: SqlReportStore) -> None:
    """Bad input is quarantined whole with the reason; the same bytes again are a duplicate."""
    ingestor = Ingestor(store, fake_parse)
    assert ingestor.ingest(RawInput("bad", b"garbage")) == IngestCounts(quarantined=1)
    assert ingestor.ingest(RawInput("bad2", b"garbage")) == IngestCounts(duplicates=1)
    [entry] = store.quarantine_entries()
    assert "line 1: not a test report" in entry.reason
    assert store.quarantine_raw(entry.id)[1] == b"garbage"


def test_failure_midway_stores_nothing_of_the_message(store: SqlReportStore) -> None:
    """A message whose second report fails to parse stores neither report (one transaction)."""
    ingestor = Ingestor(store, fake_parse)
    data = fake_message("r1") + b"broken\n"
    assert ingestor.ingest(RawInput("m", data)) == IngestCounts(quarantined=1)
    assert store.stats().total.aggregate_reports == 0


def test_empty_input_quarantined(store: SqlReportStore) -> None:
    """Input holding no report at all is quarantined, not silently dropped."""
    counts = Ingestor(store, fake_parse).ingest(RawInput("empty", b"\n"))
    assert counts == IngestCounts(quarantined=1)
    assert store.quarantine_entries()[0].reason == "no report found in the input"


def test_unexpected_parser_exception_quarantines(store: SqlReportStore) -> None:
    """Even a parser bug keeps the input (with the exception type), and does not crash."""

    def buggy(data: bytes) -> Iterator[object]:
        raise ValueError("oops")

    assert Ingestor(store, buggy).ingest(RawInput("x", b"x")) == IngestCounts(quarantined=1)
    assert store.quarantine_entries()[0].reason == "ValueError: oops"


def test_retry_after_upgrade(store: SqlReportStore) -> None:
    """Quarantined input that a newer parser can read is stored and marked resolved."""

    def old(data: bytes) -> Iterator[object]:
        raise ParseError("unsupported schema")

    Ingestor(store, old).ingest(RawInput("m", fake_message("r1", "r2")))
    Ingestor(store, old).ingest(RawInput("n", b"still bad"))
    outcome = Ingestor(store, fake_parse).retry_quarantined()
    assert (outcome.resolved, outcome.still_failing) == (1, 1)
    assert outcome.counts == IngestCounts(reports_new=2)
    assert [e.source for e in store.quarantine_entries()] == ["n"]
    assert store.stats().total.aggregate_reports == 2


def test_ingest_all_sums(store: SqlReportStore) -> None:
    """ingest_all returns the summed counts of every input."""
    items = [
        RawInput("1", fake_message("a")),
        RawInput("2", fake_message("a", "b")),
        RawInput("3", b"x"),
    ]
    assert Ingestor(store, fake_parse).ingest_all(items) == IngestCounts(2, 1, 1)
