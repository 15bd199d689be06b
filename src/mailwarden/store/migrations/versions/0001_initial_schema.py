"""Initial schema: aggregate, failure and TLS reports, quarantine, ingest log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "ingest_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("reports_new", sa.Integer(), server_default="0", nullable=False),
        sa.Column("duplicates", sa.Integer(), server_default="0", nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_log")),
    )
    with op.batch_alter_table("ingest_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingest_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ingest_log_sha256"), ["sha256"], unique=False)

    op.create_table(
        "quarantine",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=32), server_default="quarantined", nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
        sa.UniqueConstraint("sha256", name=op.f("uq_quarantine_sha256")),
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quarantine_status_received_at"), ["status", "received_at"], unique=False
        )

    op.create_table(
        "aggregate_reports",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("org_name", sa.String(length=255), nullable=False),
        sa.Column("report_id", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("begin", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("extra_contact_info", sa.Text(), nullable=True),
        sa.Column("generator", sa.String(length=255), nullable=True),
        sa.Column("schema", sa.String(length=32), nullable=True),
        sa.Column("policy_p", sa.String(length=32), nullable=True),
        sa.Column("policy_sp", sa.String(length=32), nullable=True),
        sa.Column("policy_np", sa.String(length=32), nullable=True),
        sa.Column("policy_adkim", sa.String(length=32), nullable=True),
        sa.Column("policy_aspf", sa.String(length=32), nullable=True),
        sa.Column("policy_pct", sa.Integer(), nullable=True),
        sa.Column("policy_fo", sa.String(length=32), nullable=True),
        sa.Column("policy_testing", sa.String(length=32), nullable=True),
        sa.Column("discovery_method", sa.String(length=32), nullable=True),
        sa.Column("record_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("message_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("warnings", sa.Text(), server_default="[]", nullable=False),
        sa.Column("ingest_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("ingested_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ingest_id"],
            ["ingest_log.id"],
            name=op.f("fk_aggregate_reports_ingest_id_ingest_log"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aggregate_reports")),
        sa.UniqueConstraint(
            "org_name",
            "report_id",
            "domain",
            "begin",
            "end",
            name=op.f("uq_aggregate_reports_org_name_report_id_domain_begin_end"),
        ),
    )
    with op.batch_alter_table("aggregate_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aggregate_reports_begin"), ["begin"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_aggregate_reports_domain_begin"), ["domain", "begin"], unique=False
        )

    op.create_table(
        "failure_reports",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("reporter", sa.String(length=255), nullable=False),
        sa.Column("report_id", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("begin", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
        sa.Column("feedback_type", sa.String(length=32), nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=True),
        sa.Column("auth_failure", sa.String(length=255), nullable=True),
        sa.Column("source_ip", sa.String(length=45), nullable=True),
        sa.Column("original_mail_from", sa.String(length=255), nullable=True),
        sa.Column("original_rcpt_to", sa.Text(), nullable=True),
        sa.Column("delivery_result", sa.String(length=32), nullable=True),
        sa.Column("dkim_domain", sa.String(length=255), nullable=True),
        sa.Column("dkim_selector", sa.String(length=255), nullable=True),
        sa.Column("spf_dns", sa.Text(), nullable=True),
        sa.Column("identity_alignment", sa.String(length=255), nullable=True),
        sa.Column("authentication_results", sa.Text(), nullable=True),
        sa.Column("original_headers", sa.Text(), nullable=True),
        sa.Column("original_message", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), server_default="{}", nullable=False),
        sa.Column("warnings", sa.Text(), server_default="[]", nullable=False),
        sa.Column("ingest_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("ingested_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ingest_id"],
            ["ingest_log.id"],
            name=op.f("fk_failure_reports_ingest_id_ingest_log"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failure_reports")),
        sa.UniqueConstraint(
            "reporter",
            "report_id",
            "domain",
            "begin",
            "end",
            name=op.f("uq_failure_reports_reporter_report_id_domain_begin_end"),
        ),
    )
    with op.batch_alter_table("failure_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_failure_reports_domain_begin"), ["domain", "begin"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_failure_reports_source_ip"), ["source_ip"], unique=False
        )

    op.create_table(
        "tls_reports",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("org_name", sa.String(length=255), nullable=False),
        sa.Column("report_id", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("begin", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
        sa.Column("contact_info", sa.String(length=255), nullable=True),
        sa.Column("successful_sessions", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("failed_sessions", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("warnings", sa.Text(), server_default="[]", nullable=False),
        sa.Column("ingest_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("ingested_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ingest_id"],
            ["ingest_log.id"],
            name=op.f("fk_tls_reports_ingest_id_ingest_log"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tls_reports")),
        sa.UniqueConstraint(
            "org_name",
            "report_id",
            "domain",
            "begin",
            "end",
            name=op.f("uq_tls_reports_org_name_report_id_domain_begin_end"),
        ),
    )
    with op.batch_alter_table("tls_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tls_reports_domain_begin"), ["domain", "begin"], unique=False
        )

    op.create_table(
        "aggregate_records",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "report_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("source_ip", sa.String(length=45), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("disposition", sa.String(length=32), nullable=True),
        sa.Column("dkim", sa.String(length=32), nullable=True),
        sa.Column("spf", sa.String(length=32), nullable=True),
        sa.Column("reasons", sa.Text(), server_default="[]", nullable=False),
        sa.Column("header_from", sa.String(length=255), nullable=True),
        sa.Column("envelope_from", sa.String(length=255), nullable=True),
        sa.Column("envelope_to", sa.String(length=255), nullable=True),
        sa.Column("source_name", sa.String(length=255), nullable=True),
        sa.Column("source_base_domain", sa.String(length=255), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("asn", sa.Integer(), nullable=True),
        sa.Column("as_org", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["aggregate_reports.id"],
            name=op.f("fk_aggregate_records_report_id_aggregate_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aggregate_records")),
    )
    with op.batch_alter_table("aggregate_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_aggregate_records_header_from"), ["header_from"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_aggregate_records_report_id"), ["report_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_aggregate_records_source_ip"), ["source_ip"], unique=False
        )

    op.create_table(
        "tls_policies",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "report_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("policy_type", sa.String(length=32), nullable=False),
        sa.Column("policy_domain", sa.String(length=255), nullable=False),
        sa.Column("policy_strings", sa.Text(), server_default="[]", nullable=False),
        sa.Column("mx_hosts", sa.Text(), server_default="[]", nullable=False),
        sa.Column("successful_sessions", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("failed_sessions", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["tls_reports.id"],
            name=op.f("fk_tls_policies_report_id_tls_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tls_policies")),
    )
    with op.batch_alter_table("tls_policies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tls_policies_policy_domain"), ["policy_domain"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tls_policies_report_id"), ["report_id"], unique=False)

    op.create_table(
        "aggregate_auth_results",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=True),
        sa.Column("selector", sa.String(length=255), nullable=True),
        sa.Column("scope", sa.String(length=32), nullable=True),
        sa.Column("result", sa.String(length=32), nullable=True),
        sa.Column("human_result", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["aggregate_records.id"],
            name=op.f("fk_aggregate_auth_results_record_id_aggregate_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aggregate_auth_results")),
    )
    with op.batch_alter_table("aggregate_auth_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_aggregate_auth_results_record_id"), ["record_id"], unique=False
        )

    op.create_table(
        "tls_failures",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("result_type", sa.String(length=64), nullable=False),
        sa.Column("sending_mta_ip", sa.String(length=45), nullable=True),
        sa.Column("receiving_mx_hostname", sa.String(length=255), nullable=True),
        sa.Column("receiving_mx_helo", sa.String(length=255), nullable=True),
        sa.Column("receiving_ip", sa.String(length=45), nullable=True),
        sa.Column("failed_sessions", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("additional_information", sa.Text(), nullable=True),
        sa.Column("failure_reason_code", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["tls_policies.id"],
            name=op.f("fk_tls_failures_policy_id_tls_policies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tls_failures")),
    )
    with op.batch_alter_table("tls_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tls_failures_policy_id"), ["policy_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("tls_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tls_failures_policy_id"))

    op.drop_table("tls_failures")
    with op.batch_alter_table("aggregate_auth_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aggregate_auth_results_record_id"))

    op.drop_table("aggregate_auth_results")
    with op.batch_alter_table("tls_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tls_policies_report_id"))
        batch_op.drop_index(batch_op.f("ix_tls_policies_policy_domain"))

    op.drop_table("tls_policies")
    with op.batch_alter_table("aggregate_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aggregate_records_source_ip"))
        batch_op.drop_index(batch_op.f("ix_aggregate_records_report_id"))
        batch_op.drop_index(batch_op.f("ix_aggregate_records_header_from"))

    op.drop_table("aggregate_records")
    with op.batch_alter_table("tls_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tls_reports_domain_begin"))

    op.drop_table("tls_reports")
    with op.batch_alter_table("failure_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_failure_reports_source_ip"))
        batch_op.drop_index(batch_op.f("ix_failure_reports_domain_begin"))

    op.drop_table("failure_reports")
    with op.batch_alter_table("aggregate_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aggregate_reports_domain_begin"))
        batch_op.drop_index(batch_op.f("ix_aggregate_reports_begin"))

    op.drop_table("aggregate_reports")
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantine_status_received_at"))

    op.drop_table("quarantine")
    with op.batch_alter_table("ingest_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_log_sha256"))
        batch_op.drop_index(batch_op.f("ix_ingest_log_at"))

    op.drop_table("ingest_log")
