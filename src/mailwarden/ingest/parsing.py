"""The report parser the ingest pipeline uses: :func:`mailwarden.reports.open_reports`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mailwarden.ingest.pipeline import Parser
from mailwarden.reports import Limits, ReportItem, open_reports

__all__ = ["ReportParser", "default_parser"]


@dataclass(frozen=True, slots=True)
class ReportParser:
    """Turns one raw input into its reports (picklable, so parse workers can run it)."""

    limits: Limits | None = None

    def __call__(self, data: bytes) -> Iterator[ReportItem]:
        """Return the reports in ``data``; raises ``InvalidReport`` for unparseable input."""
        return open_reports(data, limits=self.limits)


def default_parser(limits: Limits | None = None) -> Parser:
    """Return the function that turns one raw input into its reports.

    Aggregate reports come as streams, so their records are stored as they are parsed and
    memory does not grow with the size of a report. The function raises ``InvalidReport``
    for input that cannot be unwrapped or parsed.
    """
    return ReportParser(limits)
