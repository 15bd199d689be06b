"""Run the store's Alembic migrations programmatically (no ``alembic.ini`` needed).

Alembic is imported only when a database is not at :data:`HEAD` yet: opening an up-to-date
store (every ingest run) does not pay for loading it and the migration scripts.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["HEAD", "alembic_config", "current_revision", "head_revision", "upgrade"]

#: The newest revision shipped (a test checks it is Alembic's head of the scripts).
HEAD = "0003_auth_results_column"


def alembic_config() -> Config:
    """Return an Alembic configuration pointing at the migrations shipped in this package."""
    from alembic.config import Config

    config = Config()
    location = resources.files("mailwarden.store") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def head_revision() -> str:
    """Return the newest revision id of the shipped migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """Return the revision the database behind ``connection`` is at (``None`` when empty)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return found[0] if len(found) == 1 else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` in one transaction.

    Raises SQLAlchemy errors when the database cannot be reached or migrated.
    """
    with engine.begin() as connection:
        if revision == "head" and current_revision(connection) == HEAD:
            return
        from alembic import command

        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
