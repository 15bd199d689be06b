"""A stand-in parser for pipeline tests: JSON lines naming reports built by the test factories."""

from __future__ import annotations

import json
from collections.abc import Iterator

from mailwarden.errors import ParseError
from tests.store.factories import aggregate, record

__all__ = ["fake_message", "fake_parse"]


def fake_message(*report_ids: str, records: int = 2, domain: str = "example.com") -> bytes:
    """Return input that ``fake_parse`` reads as one aggregate report per id."""
    lines = [json.dumps({"id": r, "records": records, "domain": domain}) for r in report_ids]
    return ("\n".join(lines) + "\n").encode()


def fake_parse(data: bytes) -> Iterator[object]:
    """Yield one test aggregate report per JSON line; raise ``ParseError`` on anything else."""
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            report_id, count, domain = item["id"], int(item["records"]), item["domain"]
        except (ValueError, KeyError, TypeError) as error:
            raise ParseError(f"line {number}: not a test report", line, 0) from error
        records = tuple(record(f"192.0.2.{i % 250 + 1}", i + 1) for i in range(count))
        yield aggregate(report_id, domain=domain, records=records)
