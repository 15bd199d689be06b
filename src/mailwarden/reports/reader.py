"""From raw input to parsed reports: the entry points of ``mailwarden.reports``."""

from __future__ import annotations

import os
from collections.abc import Iterator

from mailwarden.reports.aggregate import AggregateStream
from mailwarden.reports.extract import Payload, iter_payloads
from mailwarden.reports.failure import parse_failure
from mailwarden.reports.model import FailureReport, InvalidReport, Limits, ParsedReport, TlsReport
from mailwarden.reports.tlsrpt import parse_tlsrpt

__all__ = ["ReportItem", "open_reports", "parse_reports"]

ReportItem = AggregateStream | FailureReport | TlsReport
"""What :func:`open_reports` yields: aggregate reports stay streams, the others are complete."""


def open_reports(
    data: bytes | str | os.PathLike[str], *, source: str = "", limits: Limits | None = None
) -> Iterator[ReportItem]:
    """Yield every report in ``data`` (bytes, or a file path), in the order found.

    Aggregate reports come as :class:`AggregateStream` whose records are read one at a time
    as they are consumed (read each stream before advancing to the next item); failure and
    SMTP TLS reports come complete. Raises ``InvalidReport`` (``source``: which input or
    member, ``reason``: why) at the first input that cannot be unwrapped or parsed.
    """
    limits = limits or Limits()
    for payload in iter_payloads(data, source=source, limits=limits):
        yield _parse(payload, limits)


def parse_reports(
    data: bytes | str | os.PathLike[str], *, source: str = "", limits: Limits | None = None
) -> Iterator[ParsedReport]:
    """Yield every report in ``data`` complete and frozen (records held in memory).

    Raises ``InvalidReport`` like :func:`open_reports`. Use :func:`open_reports` for reports
    too large to hold in memory.
    """
    for item in open_reports(data, source=source, limits=limits):
        yield item.report() if isinstance(item, AggregateStream) else item


def _parse(payload: Payload, limits: Limits) -> ReportItem:
    if payload.kind == "xml" and payload.opener is not None:
        return AggregateStream(
            payload.opener, source=payload.source, limits=limits, log=payload.log
        )
    if payload.kind == "json":
        with payload.open() as stream:
            data = stream.read(limits.max_mail_bytes + 1)
        if len(data) > limits.max_mail_bytes:
            raise InvalidReport(payload.source, "JSON report over the size limit")
        return parse_tlsrpt(data, source=payload.source, log=payload.log)
    if payload.message is not None:
        return parse_failure(payload.message, source=payload.source, log=payload.log)
    raise InvalidReport(payload.source, f"unsupported payload {payload.kind}")
