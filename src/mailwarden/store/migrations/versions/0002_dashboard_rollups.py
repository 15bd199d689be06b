"""Dashboard roll-ups kept at ingest time, back-filled from the stored reports.

Creates the ``rollup_*`` tables, fills them from the aggregate reports already stored and drops
the tables of the earlier roll-up that the dashboard rebuilt itself (``dash_*``).

Revision ID: 0002_dashboard_rollups
Revises: 0001_initial
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mailwarden.store.dashboard import drop_legacy, rebuild

revision = "0002_dashboard_rollups"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

COUNTS = ("messages", "spf_pass", "dkim_pass", "dmarc_pass", "quarantined", "rejected")


def _counts() -> list[sa.Column[int]]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in COUNTS]


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "rollup_source_days",
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source_ip", sa.String(length=45), nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint("domain", "day", "source_ip", name=op.f("pk_rollup_source_days")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_days",
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint("domain", "day", name=op.f("pk_rollup_days")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_reporters",
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("org_name", sa.String(length=255), nullable=False),
        sa.Column("reports", sa.BigInteger(), nullable=False),
        sa.Column("messages", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("domain", "day", "org_name", name=op.f("pk_rollup_reporters")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_sources",
        sa.Column("source_ip", sa.String(length=45), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("base_domain", sa.String(length=255), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("asn", sa.Integer(), nullable=True),
        sa.Column("as_org", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("source_ip", name=op.f("pk_rollup_sources")),
    )
    connection = op.get_bind()
    drop_legacy(connection)
    rebuild(connection)


def downgrade() -> None:
    """Revert this revision (the roll-ups are derived data: nothing is lost)."""
    for name in ("rollup_sources", "rollup_reporters", "rollup_days", "rollup_source_days"):
        op.drop_table(name)
