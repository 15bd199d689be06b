"""Ingestion: raw inputs from files, Maildir, mbox, IMAP and SMTP into the report store.

:class:`Ingestor` stores the reports of one input in one transaction, exactly once, and keeps
unparseable input whole in the quarantine.
"""

from __future__ import annotations

from mailwarden.ingest.pipeline import Ingestor, Outcome, Parser, RawInput, RetryOutcome
from mailwarden.ingest.sources import check_paths, iter_inputs, iter_path

__all__ = [
    "Ingestor",
    "Outcome",
    "Parser",
    "RawInput",
    "RetryOutcome",
    "check_paths",
    "iter_inputs",
    "iter_path",
]
