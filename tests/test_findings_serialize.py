"""Findings and the one JSON serializer."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from dataclasses import dataclass

import pytest

from mailwarden.findings import Finding, Severity, worst_severity
from mailwarden.serialize import dumps, to_jsonable


def test_worst_severity() -> None:
    """The worst severity wins; none for no findings."""
    findings = [
        Finding("a.b", Severity.INFO, "m"),
        Finding("a.c", Severity.ERROR, "m"),
        Finding("a.d", Severity.WARNING, "m"),
    ]
    assert worst_severity(findings) is Severity.ERROR
    assert worst_severity([]) is None


def test_serializer_handles_results() -> None:
    """Dataclasses, enums, datetimes, bytes, IPs and tuples become JSON values."""

    @dataclass(frozen=True)
    class Result:
        when: dt.datetime
        ip: ipaddress.IPv4Address
        raw: bytes
        items: tuple[Finding, ...]

    value = Result(
        dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        ipaddress.ip_address("192.0.2.1"),  # type: ignore[arg-type]
        b"\xffok",
        (Finding("x.y", Severity.WARNING, "msg", "hint"),),
    )
    data = json.loads(dumps(value))
    assert data == {
        "when": "2026-01-02T03:04:05Z",
        "ip": "192.0.2.1",
        "raw": "\ufffdok",
        "items": [{"code": "x.y", "severity": "warning", "message": "msg", "hint": "hint"}],
    }


def test_serializer_rejects_unknown_types() -> None:
    """Objects JSON cannot represent raise TypeError rather than being stringified."""
    with pytest.raises(TypeError):
        to_jsonable(object())
