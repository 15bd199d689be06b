"""Migrations: shipped in the package, run on open, and matching the schema exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mailwarden.store import SqlReportStore
from mailwarden.store.migrate import head_revision
from mailwarden.store.schema import metadata


def test_migrated_database_matches_schema(store: SqlReportStore) -> None:
    """After the migrations run, Alembic finds no difference from the declared tables."""
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_database_at_head(store: SqlReportStore) -> None:
    """A newly opened store is at the newest shipped revision, with every table present."""
    with store.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head_revision()
        tables = set(inspect(connection).get_table_names())
    assert set(metadata.tables) <= tables


def test_identity_is_a_unique_constraint(store: SqlReportStore) -> None:
    """The report identity is enforced by the database, not only by the code."""
    with store.engine.connect() as connection:
        unique = inspect(connection).get_unique_constraints("aggregate_reports")
    assert [sorted(u["column_names"]) for u in unique] == [
        sorted(["org_name", "report_id", "domain", "begin", "end"])
    ]
