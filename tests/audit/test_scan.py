"""Bulk scans: results written as they complete, deadlines, resume after a torn write."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from mailwarden.audit.domain import AuditOptions
from mailwarden.audit.scan import ScanConfig, completed_domains, scan_domains
from mailwarden.dns import Answer, Status
from mailwarden.errors import InputError
from mailwarden.testing import ZoneResolver

ZONE = ZoneResolver.from_dict(
    {
        "a.example": {"MX": (10, "mx.a.example")},
        "mx.a.example": {"A": "192.0.2.1"},
        "b.example": {"MX": (0, "")},
        "slow.example": {"TIMEOUT": True},
    }
)
MX_ONLY = ScanConfig(
    concurrency=2, deadline=5, retries=1, backoff=0.01, options=AuditOptions(("mx",))
)


async def test_scan_writes_one_line_per_domain() -> None:
    """Every domain gets a line in the check schema, errors included with their class."""
    out = io.StringIO()
    counters = await scan_domains(
        ["a.example", "b.example", "gone.example", "slow.example"],
        resolver=ZONE,
        out=out,
        config=MX_ONLY,
    )
    lines = {json.loads(line)["domain"]: json.loads(line) for line in out.getvalue().splitlines()}
    assert set(lines) == {"a.example", "b.example", "gone.example", "slow.example"}
    assert lines["a.example"]["mx"] == {"hosts": ["mx.a.example"], "null_mx": False}
    assert lines["b.example"]["mx"]["null_mx"] is True
    assert lines["gone.example"]["error_class"] == "nxdomain"
    assert lines["slow.example"]["error_class"] == "timeout"
    assert counters.done == 4 and counters.errors == 2


async def test_timeouts_are_retried() -> None:
    """A domain that timed out is tried again (retries=1 means two attempts)."""
    zone = ZoneResolver.from_dict({"slow.example": {"TIMEOUT": True}})
    await scan_domains(["slow.example"], resolver=zone, out=io.StringIO(), config=MX_ONLY)
    assert zone.queries.count(("slow.example", "MX")) == 2


async def test_deadline() -> None:
    """A domain that takes too long is recorded as deadline, not dropped."""

    class Stuck:
        async def resolve(self, name: str, rdtype: str) -> Answer:
            await asyncio.sleep(10)
            return Answer(name, rdtype, Status.NODATA)

    out = io.StringIO()
    config = ScanConfig(deadline=0.05, retries=0, options=AuditOptions(("mx",)))
    await scan_domains(["x.example"], resolver=Stuck(), out=out, config=config)
    assert json.loads(out.getvalue())["error_class"] == "deadline"


def test_resume_repairs_a_torn_last_line(tmp_path: Path) -> None:
    """A partial last line from a kill is cut off; finished domains are reported done."""
    path = tmp_path / "results.jsonl"
    path.write_text('{"domain": "a.example"}\n{"domain": "b.example"}\n{"domain": "c.ex')
    assert completed_domains(path) == {"a.example", "b.example"}
    assert path.read_text() == '{"domain": "a.example"}\n{"domain": "b.example"}\n'


def test_resume_adds_a_lost_newline(tmp_path: Path) -> None:
    """A whole last line without its newline gets one, so appending stays line-aligned."""
    path = tmp_path / "results.jsonl"
    path.write_text('{"domain": "a.example"}')
    assert completed_domains(path) == {"a.example"}
    assert path.read_text().endswith("}\n")


def test_resume_refuses_a_foreign_file(tmp_path: Path) -> None:
    """A file with a non-JSON line in the middle is not treated as results."""
    path = tmp_path / "notes.txt"
    path.write_text('hello\n{"domain": "a.example"}\n')
    with pytest.raises(InputError, match="line 1"):
        completed_domains(path)


def test_bulk_gc_relaxes_then_restores_the_collector() -> None:
    """Inside bulk_gc the collector runs rarely and sees no older object; after, as before."""
    import gc

    from mailwarden.audit.scan import bulk_gc

    before = gc.get_threshold()
    with bulk_gc():
        assert gc.get_threshold()[0] >= 10 * before[0]
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
