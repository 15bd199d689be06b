"""Migrations: shipped in the package, run on open, and matching the schema exactly."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from mailwarden.reports import AuthResult
from mailwarden.store import SqlReportStore
from mailwarden.store.migrate import HEAD, alembic_config, head_revision, upgrade
from mailwarden.store.schema import aggregate_records, metadata
from tests.store.factories import aggregate, record


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


def _records(store: SqlReportStore) -> list[tuple[Any, ...]]:
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(aggregate_records))]


def test_upgrade_moves_auth_results_into_the_records(store: SqlReportStore) -> None:
    """A store at revision 0002 (auth results in their own table) gets them moved into the
    record rows by the upgrade, in batches, as ingestion writes them now; the table goes."""
    many = tuple(record(f"10.1.{n // 256}.{n % 256}") for n in range(5100))
    odd = record(auth_results=(AuthResult("dkim", "example.org", "fail", human_result="bad"),))
    bare = record("192.0.2.9", auth_results=())
    with store.transaction() as tx:
        tx.add_report(aggregate("big", records=many))
        tx.add_report(aggregate("odd", records=(odd, bare)))
    kept = _records(store)
    config = alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002_dashboard_rollups")
        moved = connection.execute(text("SELECT count(*) FROM aggregate_auth_results")).scalar()
        human = connection.execute(
            text("SELECT human_result FROM aggregate_auth_results WHERE domain = 'example.org'")
        ).scalar()
    assert (moved, human) == (2 * 5100 + 1, "bad")
    assert "auth_results" not in {
        c["name"] for c in inspect(store.engine).get_columns("aggregate_records")
    }
    upgrade(store.engine)
    assert sorted(_records(store)) == sorted(kept)
    assert "aggregate_auth_results" not in inspect(store.engine).get_table_names()


def test_auth_results_are_queryable_json(store: SqlReportStore) -> None:
    """The documented query finds records by a DKIM selector inside the auth results column."""
    with store.transaction() as tx:
        tx.add_report(aggregate())
    query = _SELECTOR_QUERY[store.dialect]
    with store.engine.connect() as connection:
        found = connection.execute(text(query), {"selector": "s1"}).all()
    assert [(ip, result) for ip, result in found] == [
        ("192.0.2.1", "pass"),
        ("2001:db8::1", "pass"),
    ]


#: Records with a DKIM result for a selector, as docs/design.md shows it, per database.
_SELECTOR_QUERY = {
    "sqlite": (
        "SELECT r.source_ip, json_extract(a.value, '$.result') FROM aggregate_records r,"
        " json_each(r.auth_results) a WHERE json_extract(a.value, '$.method') = 'dkim'"
        " AND json_extract(a.value, '$.selector') = :selector ORDER BY r.id"
    ),
    "postgresql": (
        "SELECT r.source_ip, a.value ->> 'result' FROM aggregate_records r,"
        " jsonb_array_elements(r.auth_results::jsonb) a WHERE a.value ->> 'method' = 'dkim'"
        " AND a.value ->> 'selector' = :selector ORDER BY r.id"
    ),
}


def test_head_constant_is_the_newest_script() -> None:
    """The revision an up-to-date store is recognised by is the head of the shipped scripts."""
    assert head_revision() == HEAD
