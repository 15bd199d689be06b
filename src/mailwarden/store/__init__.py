"""The report store: SQLAlchemy Core schema, Alembic migrations, SQLite and PostgreSQL.

Open one with :func:`open_store` (``None`` for the SQLite file in the user's data directory,
a path, ``sqlite:///...`` or ``postgresql://...``). Each ingested message is written in one
transaction; a report whose identity (reporter, report id, policy domain, begin, end) is
already stored is counted as a duplicate and stores nothing.
"""

from __future__ import annotations

from mailwarden.store.base import (
    DomainStats,
    Enricher,
    IngestCounts,
    QuarantineEntry,
    ReportStore,
    SourceInfo,
    StoreStats,
    StoreTransaction,
)
from mailwarden.store.location import data_dir, database_url, default_database_path
from mailwarden.store.sql import SqlReportStore, open_store

__all__ = [
    "DomainStats",
    "Enricher",
    "IngestCounts",
    "QuarantineEntry",
    "ReportStore",
    "SourceInfo",
    "SqlReportStore",
    "StoreStats",
    "StoreTransaction",
    "data_dir",
    "database_url",
    "default_database_path",
    "open_store",
]
