"""A stand-in parser for pipeline tests: JSON lines naming reports built by the test factories."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from mailwarden.errors import ParseError
from tests.store.factories import aggregate, record

__all__ = ["fake_mail", "fake_message", "fake_parse"]


def fake_message(*report_ids: str, records: int = 2, domain: str = "example.com") -> bytes:
    """Return input that ``fake_parse`` reads as one aggregate report per id."""
    lines = [json.dumps({"id": r, "records": records, "domain": domain}) for r in report_ids]
    return ("\n".join(lines) + "\n").encode()


def fake_mail(body: bytes, subject: str = "Report") -> bytes:
    """Return a mail whose body is ``body`` (as a report sender would send it)."""
    head = f"From: dmarc@example.net\r\nTo: rua@example.com\r\nSubject: {subject}\r\n\r\n"
    return head.encode() + body.replace(b"\n", b"\r\n")


def fake_parse(data: bytes) -> Iterator[object]:
    """Yield one test aggregate report per JSON line (of a mail's body); ``ParseError`` else."""
    text = data.decode("utf-8", "replace").replace("\r\n", "\n")
    if re.match(r"[A-Za-z-]+: ", text) and "\n\n" in text:
        text = text.split("\n\n", 1)[1]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            report_id, count, domain = item["id"], int(item["records"]), item["domain"]
        except (ValueError, KeyError, TypeError) as error:
            raise ParseError(f"line {number}: not a test report", line, 0) from error
        records = tuple(record(f"192.0.2.{i % 250 + 1}", i + 1) for i in range(count))
        yield aggregate(report_id, domain=domain, records=records)
