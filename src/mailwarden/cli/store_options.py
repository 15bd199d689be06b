"""The ``--db`` option shared by every command that uses the report store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from mailwarden.store import SqlReportStore, open_store

__all__ = ["db_option", "open_cli_store"]

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    """Add ``--db URL`` (default: the SQLite file in the user's data directory)."""
    option = click.option(
        "--db",
        "db",
        metavar="URL",
        envvar="MAILWARDEN_DB",
        default=None,
        help="Report store: a SQLite file path, sqlite:///PATH or postgresql://USER@HOST/DB "
        "[default: mailwarden.db in the user's data directory; env MAILWARDEN_DB].",
    )
    return option(func)


def open_cli_store(db: str | None) -> SqlReportStore:
    """Open the store named by ``--db``; ``StorageError`` (exit 3) when it cannot be opened."""
    return open_store(db)
