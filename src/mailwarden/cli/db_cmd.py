"""``mailwarden db stats``: what the report store holds, per domain and in total."""

from __future__ import annotations

import dataclasses
from typing import Any

import click
from rich.table import Table

from mailwarden.cli.app import cli
from mailwarden.cli.render import console, echo_json
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.cli.store_options import db_option, open_cli_store
from mailwarden.store import StoreStats

__all__ = ["db", "stats_json"]

COLUMNS = ("aggregate_reports", "aggregate_records", "messages", "failure_reports", "tls_reports")


@cli.group("db")
def db() -> None:
    """Inspect the report store."""


@db.command("stats")
@db_option
@global_options
@pass_settings
def stats(settings: Settings, db: str | None) -> None:
    """Count reports, records, messages and quarantined inputs, per domain and in total."""
    store = open_cli_store(db)
    try:
        found = store.stats()
    finally:
        store.close()
    if settings.json:
        echo_json(stats_json(found))
        return
    table = Table(title="report store")
    table.add_column("domain")
    for column in COLUMNS:
        table.add_column(column.replace("_", " "), justify="right")
    for name, counts in found.domains:
        table.add_row(name, *(str(getattr(counts, c)) for c in COLUMNS))
    table.add_row("total", *(str(getattr(found.total, c)) for c in COLUMNS), style="bold")
    console().print(table)
    click.echo(f"quarantined inputs: {found.quarantined}")


def stats_json(found: StoreStats) -> dict[str, Any]:
    """Return the ``--json`` form: totals at the top level, then ``domains`` by name."""
    return {
        **dataclasses.asdict(found.total),
        "quarantined": found.quarantined,
        "domains": {name: dataclasses.asdict(counts) for name, counts in found.domains},
    }
