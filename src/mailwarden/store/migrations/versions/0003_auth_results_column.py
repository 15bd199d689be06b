"""A record's auth results in the record row: one JSON column instead of a table.

Adds ``aggregate_records.auth_results`` (a JSON list of objects with method, domain,
selector, scope, result and human_result; absent values left out), moves the rows of
``aggregate_auth_results`` into it in batches of records, and drops that table: ingestion
then writes one row per record instead of about three. Also drops the record indexes on
``source_ip`` and ``header_from``: no query reads records by them (the dashboard reads the
roll-ups), and keeping them up to date was most of the cost of storing a record.
The downgrade restores both.

Revision ID: 0003_auth_results_column
Revises: 0002_dashboard_rollups
Create Date: 2026-11-28
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003_auth_results_column"
down_revision = "0002_dashboard_rollups"
branch_labels = None
depends_on = None

#: Records moved per statement: bounds memory whatever the size of the store.
BATCH = 5000

KEYS = ("method", "domain", "selector", "scope", "result", "human_result")
#: Record columns whose index this revision drops.
DROPPED_INDEXES = ("source_ip", "header_from")

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _auth_batches(connection: sa.Connection) -> Iterator[Sequence[Any]]:
    """Yield the rows of ``aggregate_auth_results`` by record, in batches of at most
    :data:`BATCH` records (a record's rows never split between two batches)."""
    ids = sa.text(
        "SELECT DISTINCT record_id FROM aggregate_auth_results WHERE record_id > :after"
        " ORDER BY record_id LIMIT :limit"
    )
    rows = sa.text(
        "SELECT * FROM aggregate_auth_results WHERE record_id > :after AND record_id <= :last"
        " ORDER BY record_id, id"
    )
    after = 0
    while found := connection.execute(ids, {"after": after, "limit": BATCH}).fetchall():
        last = found[-1][0]
        yield connection.execute(rows, {"after": after, "last": last}).fetchall()
        after = last


def _json(result: Any) -> dict[str, Any]:
    return {key: getattr(result, key) for key in KEYS if getattr(result, key) is not None}


def upgrade() -> None:
    """Apply this revision: add the column, move the auth results into it, drop the table."""
    op.add_column(
        "aggregate_records",
        sa.Column("auth_results", sa.Text(), nullable=False, server_default="[]"),
    )
    connection = op.get_bind()
    update = sa.text("UPDATE aggregate_records SET auth_results = :auth WHERE id = :id")
    for rows in _auth_batches(connection):
        found: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            found.setdefault(row.record_id, []).append(_json(row))
        values = [
            {"id": key, "auth": json.dumps(results, ensure_ascii=False, separators=(",", ":"))}
            for key, results in found.items()
        ]
        connection.execute(update, values)
    with op.batch_alter_table("aggregate_auth_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aggregate_auth_results_record_id"))
    op.drop_table("aggregate_auth_results")
    with op.batch_alter_table("aggregate_records", schema=None) as batch_op:
        for column in DROPPED_INDEXES:
            batch_op.drop_index(batch_op.f(f"ix_aggregate_records_{column}"))


def downgrade() -> None:
    """Revert this revision: the table again, filled from the column, then the column goes."""
    op.create_table(
        "aggregate_auth_results",
        sa.Column("id", KEY, autoincrement=True, nullable=False),
        sa.Column("record_id", KEY, nullable=False),
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
    connection = op.get_bind()
    select = sa.text(
        "SELECT id, auth_results FROM aggregate_records WHERE id > :after"
        " AND auth_results <> '[]' ORDER BY id LIMIT :limit"
    )
    insert = sa.text(
        "INSERT INTO aggregate_auth_results"
        " (record_id, method, domain, selector, scope, result, human_result)"
        " VALUES (:record_id, :method, :domain, :selector, :scope, :result, :human_result)"
    )
    after = 0
    while rows := connection.execute(select, {"after": after, "limit": BATCH}).fetchall():
        values = [
            {"record_id": key, **{name: result.get(name) for name in KEYS}}
            for key, text in rows
            for result in json.loads(text)
        ]
        if values:
            connection.execute(insert, values)
        after = rows[-1][0]
    op.execute("ALTER TABLE aggregate_records DROP COLUMN auth_results")
    with op.batch_alter_table("aggregate_records", schema=None) as batch_op:
        for column in DROPPED_INDEXES:
            batch_op.create_index(batch_op.f(f"ix_aggregate_records_{column}"), [column])
