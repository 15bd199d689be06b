"""Parsing ahead in worker processes: the same store, in the same order, synced before acks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailwarden.ingest import Ingestor, RawInput, pipeline
from mailwarden.ingest.parsing import default_parser
from mailwarden.ingest.prepare import ParsePool, prepare_input
from mailwarden.store import SqlReportStore, open_store
from mailwarden.store.rows import PreparedAggregate
from tests.ingest.fakes import fake_parse
from tests.ingest.helpers import report_mails, snapshot


@pytest.fixture
def mails() -> list[RawInput]:
    """Aggregate report mails (gzip and zip), a TLS and a failure report, one bad mail."""
    found = report_mails(8, records=(20, 60))
    return [RawInput(f"m{number}", data) for number, data in enumerate(found)]


def _store(path: Path) -> SqlReportStore:
    return open_store(str(path))


def _ingest(store: SqlReportStore, items: list[RawInput], workers: int) -> list[tuple[str, bool]]:
    with Ingestor(store, default_parser(), workers=workers) as ingestor:
        return [(item.source, out.parsed) for item, out in ingestor.process_many(items)]


def test_workers_store_what_the_main_process_stores(tmp_path: Path, mails: list[RawInput]) -> None:
    """With a parse worker, the store ends up exactly as without, outcomes in input order."""
    alone, ahead = _store(tmp_path / "a.db"), _store(tmp_path / "b.db")
    try:
        first = _ingest(alone, mails, workers=0)
        second = _ingest(ahead, mails, workers=1)
        assert first == second == [(m.source, m is not mails[-1]) for m in mails]
        assert snapshot(alone) == snapshot(ahead)
        assert ahead.stats().quarantined == 1
        assert _ingest(ahead, mails, workers=1) == second  # a rerun adds nothing
        assert snapshot(alone) == snapshot(ahead)
    finally:
        alone.close()
        ahead.close()


def _slow_first(data: bytes) -> list[object]:
    """Parse like the default parser; the first mail (``m0`` in its source) takes a while."""
    if b"slow-first" in data:
        time.sleep(1.0)
    return list(default_parser()(data.replace(b"slow-first", b"")))


def test_main_process_parses_ahead_while_the_worker_is_busy(
    tmp_path: Path, mails: list[RawInput], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the worker is still on an input, the main process parses inputs queued behind it
    itself (taken back from the pool), and the store is the same as without workers."""
    local: list[int] = []
    real = pipeline.prepare_input

    def counted(parse: object, data: bytes) -> object:
        local.append(len(data))
        return real(parse, data)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "prepare_input", counted)
    slow = [RawInput(mails[0].source, mails[0].data + b"slow-first"), *mails[1:]]
    alone, ahead = _store(tmp_path / "a.db"), _store(tmp_path / "b.db")
    try:
        _ingest(alone, mails, workers=0)
        with Ingestor(ahead, _slow_first, workers=1) as ingestor:
            order = [item.source for item, _ in ingestor.process_many(slow)]
        assert order == [m.source for m in mails]
        assert len(local) >= 3
        assert snapshot(alone) == snapshot(ahead)
    finally:
        alone.close()
        ahead.close()


def test_large_inputs_are_parsed_in_the_main_process(
    tmp_path: Path, mails: list[RawInput], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inputs over the size limit never go to a worker (they are parsed streaming)."""
    monkeypatch.setattr(pipeline, "AHEAD_MAX_INPUT", 0)
    store = _store(tmp_path / "s.db")
    try:
        with Ingestor(store, default_parser(), workers=1) as ingestor:
            outcomes = [out.parsed for _, out in ingestor.process_many(mails)]
            assert ingestor._pool is None
        assert outcomes.count(True) == len(mails) - 1
    finally:
        store.close()


def test_commits_are_synced_before_the_inputs_may_be_acknowledged(
    tmp_path: Path, mails: list[RawInput], monkeypatch: pytest.MonkeyPatch
) -> None:
    """process_many syncs the store once, after the last outcome and before it returns."""
    store = _store(tmp_path / "s.db")
    events: list[str] = []
    monkeypatch.setattr(store, "sync", lambda: events.append("sync"))
    try:
        with Ingestor(store, default_parser(), workers=1) as ingestor:
            for item, _ in ingestor.process_many(mails[:3]):
                events.append(item.source)
        assert events == ["m0", "m1", "m2", "sync"]
        Ingestor(store, default_parser()).process(mails[3])
        assert events[-1] == "sync"
    finally:
        store.close()


def test_sqlite_sync_reaches_the_files(tmp_path: Path, mails: list[RawInput]) -> None:
    """sync() on a SQLite file store succeeds once reports are committed; memory has none."""
    store = _store(tmp_path / "s.db")
    try:
        Ingestor(store, default_parser()).ingest_all(mails[:2])
        assert (tmp_path / "s.db-wal").exists()
        store.sync()
    finally:
        store.close()
    memory = open_store("sqlite:///:memory:")
    memory.sync()
    memory.close()


def test_prepared_reports_are_plain_rows(mails: list[RawInput]) -> None:
    """A worker's result holds aggregate reports as rows, and bad input as the reason."""
    [report] = prepare_input(default_parser(), mails[0].data)
    assert isinstance(report, PreparedAggregate)
    assert report.identity[2] == "example.com"
    assert len(report.records) >= 20
    assert sum(row[3] for row in report.sums.source_days) == report.messages == report.sums.day[2]
    assert all(type(value) in (str, int, type(None)) for value in report.records[0])
    reason = prepare_input(default_parser(), mails[-1].data)
    assert isinstance(reason, str) and reason


def test_unpicklable_parser_runs_in_the_main_process(tmp_path: Path) -> None:
    """A parser that cannot be sent to a worker (a lambda) turns the workers off."""
    store = _store(tmp_path / "s.db")
    try:
        assert Ingestor(store, lambda data: fake_parse(data), workers=2).workers == 0
        assert not ParsePool.usable(lambda data: data)
        assert ParsePool.usable(default_parser())
    finally:
        store.close()


_ORPHAN = """
import os, sys
from mailwarden.ingest.parsing import default_parser
from mailwarden.ingest.prepare import ParsePool
pool = ParsePool(default_parser(), 1)
pool.submit(b"x").result()
import multiprocessing
print(*[p.pid for p in multiprocessing.active_children()], flush=True)
sys.stdin.read()
"""


def _alive(pid: int) -> bool:
    """Return True while ``pid`` runs (a zombie waiting to be reaped has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_workers_exit_when_their_parent_is_killed() -> None:
    """SIGKILL of the ingesting process leaves no parse worker behind."""
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert workers
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, workers))


@pytest.fixture(autouse=True)
def _no_stray_workers() -> Iterator[None]:
    """Every test stops the workers it started."""
    yield
    import multiprocessing

    assert not multiprocessing.active_children()
