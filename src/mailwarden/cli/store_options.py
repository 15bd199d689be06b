"""The ``--db`` option shared by every command that uses the report store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mailwarden.cli.render import echo_json
from mailwarden.cli.settings import Settings
from mailwarden.ingest.enrich import SourceEnricher, open_geo_databases
from mailwarden.store import Enricher, IngestCounts, SqlReportStore, open_store

__all__ = [
    "build_enricher",
    "db_option",
    "echo_progress",
    "enrich_options",
    "open_cli_store",
    "print_summary",
    "summary_json",
]

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


def enrich_options(func: F) -> F:
    """Add ``--rdns`` and ``--geoip FILE`` (enrichment of source IPs at ingest)."""
    options = [
        click.option(
            "--rdns",
            is_flag=True,
            help="Look up the reverse DNS name of each source IP (through --nameserver/--zone).",
        ),
        click.option(
            "--geoip",
            "geoip",
            multiple=True,
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            metavar="FILE",
            help="MaxMind-format country or ASN database to enrich source IPs (repeatable).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def build_enricher(settings: Settings, rdns: bool, geoip: tuple[Path, ...]) -> Enricher | None:
    """Return the enricher the options ask for, or ``None`` when none is wanted."""
    if not rdns and not geoip:
        return None
    resolver = settings.resolver() if rdns else None
    return SourceEnricher(resolver, geo=open_geo_databases(geoip), budget=settings.timeout * 5)
