"""The report parser the ingest pipeline uses: :func:`mailwarden.reports.open_reports`."""

from __future__ import annotations

from collections.abc import Iterator

from mailwarden.ingest.pipeline import Parser
from mailwarden.reports import Limits, ReportItem, open_reports

__all__ = ["default_parser"]


def default_parser(limits: Limits | None = None) -> Parser:
    """Return the function that turns one raw input into its reports.

    Aggregate reports come as streams, so their records are stored as they are parsed and
    memory does not grow with the size of a report. The function raises ``InvalidReport``
    for input that cannot be unwrapped or parsed.
    """

    def parse(data: bytes) -> Iterator[ReportItem]:
        return open_reports(data, limits=limits)

    return parse
