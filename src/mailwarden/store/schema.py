"""The report store's tables, as SQLAlchemy Core metadata.

All times are stored as naive UTC datetimes so that SQLite and PostgreSQL compare them alike;
a begin, end or arrival date that a report does not give is stored as 1970-01-01 00:00.
A report's identity (reporter, report id, policy domain, begin, end) is a unique constraint:
it is what makes ingestion exactly-once.

The ``rollup_*`` tables hold sums of the aggregate reports for the dashboard, kept by the store
in the same transaction as the reports they sum (see :mod:`mailwarden.store.dashboard`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "ROLLUP_COUNTS",
    "aggregate_records",
    "aggregate_reports",
    "failure_reports",
    "ingest_log",
    "metadata",
    "quarantine",
    "rollup_days",
    "rollup_reporters",
    "rollup_source_days",
    "rollup_sources",
    "tls_failures",
    "tls_policies",
    "tls_reports",
]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

#: A 64-bit key on PostgreSQL, SQLite's rowid-backed INTEGER PRIMARY KEY there.
Key = BigInteger().with_variant(Integer(), "sqlite")

NAME = 255
WORD = 32


def _id() -> Column[int]:
    return Column("id", Key, primary_key=True, autoincrement=True)


def _identity(reporter: str) -> list[Column[Any]]:
    """The identity columns of a report: reporter, report id, policy domain, begin, end."""
    return [
        Column(reporter, String(NAME), nullable=False),
        Column("report_id", String(NAME), nullable=False),
        Column("domain", String(NAME), nullable=False),
        Column("begin", DateTime(), nullable=False),
        Column("end", DateTime(), nullable=False),
    ]


def _stamp(reporter: str) -> list[Any]:
    """Warnings, ingest provenance, the identity's unique constraint and the dashboard index."""
    return [
        Column("warnings", Text, nullable=False, server_default="[]"),
        Column("ingest_id", Key, ForeignKey("ingest_log.id", ondelete="SET NULL")),
        Column("ingested_at", DateTime(), nullable=False),
        UniqueConstraint(reporter, "report_id", "domain", "begin", "end"),
        Index(None, "domain", "begin"),
    ]


def _parent(name: str, table: str) -> Column[int]:
    return Column(name, Key, ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False)


aggregate_reports = Table(
    "aggregate_reports",
    metadata,
    _id(),
    *_identity("org_name"),
    Column("email", String(NAME)),
    Column("extra_contact_info", Text),
    Column("generator", String(NAME)),
    Column("schema", String(WORD)),
    Column("policy_p", String(WORD)),
    Column("policy_sp", String(WORD)),
    Column("policy_np", String(WORD)),
    Column("policy_adkim", String(WORD)),
    Column("policy_aspf", String(WORD)),
    Column("policy_pct", Integer),
    Column("policy_fo", String(WORD)),
    Column("policy_testing", String(WORD)),
    Column("discovery_method", String(WORD)),
    Column("record_count", Integer, nullable=False, server_default="0"),
    Column("message_count", BigInteger, nullable=False, server_default="0"),
    *_stamp("org_name"),
    Index(None, "begin"),
)

aggregate_records = Table(
    "aggregate_records",
    metadata,
    _id(),
    _parent("report_id", "aggregate_reports"),
    Column("source_ip", String(45), nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("disposition", String(WORD)),
    Column("dkim", String(WORD)),
    Column("spf", String(WORD)),
    Column("reasons", Text, nullable=False, server_default="[]"),
    Column("header_from", String(NAME)),
    Column("envelope_from", String(NAME)),
    Column("envelope_to", String(NAME)),
    Column("auth_results", Text, nullable=False, server_default="[]"),
    Column("source_name", String(NAME)),
    Column("source_base_domain", String(NAME)),
    Column("country", String(2)),
    Column("asn", Integer),
    Column("as_org", String(NAME)),
    Index(None, "report_id"),
)

failure_reports = Table(
    "failure_reports",
    metadata,
    _id(),
    *_identity("reporter"),
    Column("feedback_type", String(WORD)),
    Column("user_agent", String(NAME)),
    Column("auth_failure", String(NAME)),
    Column("source_ip", String(45)),
    Column("original_mail_from", String(NAME)),
    Column("original_rcpt_to", Text),
    Column("delivery_result", String(WORD)),
    Column("dkim_domain", String(NAME)),
    Column("dkim_selector", String(NAME)),
    Column("spf_dns", Text),
    Column("identity_alignment", String(NAME)),
    Column("authentication_results", Text),
    Column("original_headers", Text),
    Column("original_message", Text),
    Column("details", Text, nullable=False, server_default="{}"),
    *_stamp("reporter"),
    Index(None, "source_ip"),
)

tls_reports = Table(
    "tls_reports",
    metadata,
    _id(),
    *_identity("org_name"),
    Column("contact_info", String(NAME)),
    Column("successful_sessions", BigInteger, nullable=False, server_default="0"),
    Column("failed_sessions", BigInteger, nullable=False, server_default="0"),
    *_stamp("org_name"),
)

tls_policies = Table(
    "tls_policies",
    metadata,
    _id(),
    _parent("report_id", "tls_reports"),
    Column("policy_type", String(WORD), nullable=False),
    Column("policy_domain", String(NAME), nullable=False),
    Column("policy_strings", Text, nullable=False, server_default="[]"),
    Column("mx_hosts", Text, nullable=False, server_default="[]"),
    Column("successful_sessions", BigInteger, nullable=False, server_default="0"),
    Column("failed_sessions", BigInteger, nullable=False, server_default="0"),
    Index(None, "report_id"),
    Index(None, "policy_domain"),
)

tls_failures = Table(
    "tls_failures",
    metadata,
    _id(),
    _parent("policy_id", "tls_policies"),
    Column("result_type", String(64), nullable=False),
    Column("sending_mta_ip", String(45)),
    Column("receiving_mx_hostname", String(NAME)),
    Column("receiving_mx_helo", String(NAME)),
    Column("receiving_ip", String(45)),
    Column("failed_sessions", BigInteger, nullable=False, server_default="0"),
    Column("additional_information", Text),
    Column("failure_reason_code", Text),
    Index(None, "policy_id"),
)

quarantine = Table(
    "quarantine",
    metadata,
    _id(),
    Column("sha256", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("status", String(WORD), nullable=False, server_default="quarantined"),
    Column("received_at", DateTime(), nullable=False),
    Column("resolved_at", DateTime()),
    UniqueConstraint("sha256"),
    Index(None, "status", "received_at"),
)

ingest_log = Table(
    "ingest_log",
    metadata,
    _id(),
    Column("at", DateTime(), nullable=False),
    Column("source", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("outcome", String(WORD), nullable=False),
    Column("reports_new", Integer, nullable=False, server_default="0"),
    Column("duplicates", Integer, nullable=False, server_default="0"),
    Column("detail", Text),
    Index(None, "at"),
    Index(None, "sha256"),
)


#: Outcome counts of a roll-up row: all messages, those that passed aligned SPF, aligned DKIM
#: and DMARC, and those that failed DMARC and were quarantined or rejected.
ROLLUP_COUNTS = ("messages", "spf_pass", "dkim_pass", "dmarc_pass", "quarantined", "rejected")


def _counts() -> list[Column[int]]:
    return [Column(name, BigInteger, nullable=False) for name in ROLLUP_COUNTS]


#: Messages per policy domain, day (of the report's begin) and source IP, by outcome. SQLite
#: keeps the rows in key order (no rowid), so a period of one domain is one range read.
rollup_source_days = Table(
    "rollup_source_days",
    metadata,
    Column("domain", String(NAME), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("source_ip", String(45), primary_key=True),
    *_counts(),
    sqlite_with_rowid=False,
)

#: Messages per policy domain and day, by outcome: the daily figures without the sources.
rollup_days = Table(
    "rollup_days",
    metadata,
    Column("domain", String(NAME), primary_key=True),
    Column("day", Date, primary_key=True),
    *_counts(),
    sqlite_with_rowid=False,
)

#: Reports and messages per policy domain, day and reporting organisation.
rollup_reporters = Table(
    "rollup_reporters",
    metadata,
    Column("domain", String(NAME), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("org_name", String(NAME), primary_key=True),
    Column("reports", BigInteger, nullable=False),
    Column("messages", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

#: What is known about each source IP: the enrichment of its newest stored record that has any.
rollup_sources = Table(
    "rollup_sources",
    metadata,
    Column("source_ip", String(45), primary_key=True),
    Column("name", String(NAME)),
    Column("base_domain", String(NAME)),
    Column("country", String(2)),
    Column("asn", Integer),
    Column("as_org", String(NAME)),
)
