"""The ``--db`` option shared by every command that uses the report store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from mailwarden.cli.render import echo_json
from mailwarden.cli.settings import Settings
from mailwarden.store import IngestCounts, SqlReportStore, open_store

__all__ = ["db_option", "echo_progress", "open_cli_store", "print_summary", "summary_json"]

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


def summary_json(counts: IngestCounts) -> dict[str, int]:
    """Return the ``--json`` summary of an ingest run."""
    return {
        "reports_new": counts.reports_new,
        "duplicates": counts.duplicates,
        "quarantined": counts.quarantined,
    }


def print_summary(settings: Settings, total: IngestCounts) -> None:
    """Print the summary of an ingest run (JSON with ``--json``)."""
    if settings.json:
        echo_json(summary_json(total))
        return
    click.echo(
        f"{total.reports_new} new reports, {total.duplicates} duplicates, "
        f"{total.quarantined} quarantined"
    )


def echo_progress(source: str, counts: IngestCounts) -> None:
    """Print one input's outcome on stderr (watch modes)."""
    click.echo(
        f"{source}: {counts.reports_new} new, {counts.duplicates} duplicates, "
        f"{counts.quarantined} quarantined",
        err=True,
    )
