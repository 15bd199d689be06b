"""DMARC aggregate, DMARC failure and SMTP TLS reports: unwrap, parse, stream.

Start with :func:`open_reports` (streams) or :func:`parse_reports` (complete reports)::

    for item in open_reports(path):
        if isinstance(item, AggregateStream):
            for record in item.records():   # one at a time, constant memory
                ...
"""

from __future__ import annotations

from mailwarden.reports.aggregate import AggregateStream, parse_aggregate
from mailwarden.reports.extract import Payload, iter_payloads
from mailwarden.reports.failure import parse_failure
from mailwarden.reports.model import (
    AggregateRecord,
    AggregateReport,
    AuthResult,
    FailureReport,
    InvalidReport,
    Limits,
    OverrideReason,
    ParsedReport,
    PublishedPolicy,
    ReportIdentity,
    ReportKind,
    ReportMetadata,
    ReportWarning,
    Schema,
    TlsFailureDetail,
    TlsPolicyResult,
    TlsReport,
)
from mailwarden.reports.reader import ReportItem, open_reports, parse_reports
from mailwarden.reports.tlsrpt import parse_tlsrpt

__all__ = [
    "AggregateRecord",
    "AggregateReport",
    "AggregateStream",
    "AuthResult",
    "FailureReport",
    "InvalidReport",
    "Limits",
    "OverrideReason",
    "ParsedReport",
    "Payload",
    "PublishedPolicy",
    "ReportIdentity",
    "ReportItem",
    "ReportKind",
    "ReportMetadata",
    "ReportWarning",
    "Schema",
    "TlsFailureDetail",
    "TlsPolicyResult",
    "TlsReport",
    "iter_payloads",
    "open_reports",
    "parse_aggregate",
    "parse_failure",
    "parse_reports",
    "parse_tlsrpt",
]
