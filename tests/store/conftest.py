"""Store fixtures: one fresh store per test on SQLite and on a private PostgreSQL server."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from mailwarden.store import SqlReportStore, open_store
from tests.servers import postgres_server

_names = itertools.count()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a private PostgreSQL cluster on loopback, started once per test session."""
    with postgres_server() as url:
        if url is None:
            pytest.skip("initdb not installed: PostgreSQL tests need the postgresql package")
        yield url


def _fresh_postgres_database(url: str) -> str:
    name = f"mw_test_{next(_names)}"
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A ``--db`` value for an empty database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return _fresh_postgres_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[SqlReportStore]:
    """An open, migrated, empty store on each backend."""
    opened = open_store(db_url)
    yield opened
    opened.close()
