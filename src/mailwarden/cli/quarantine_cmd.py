"""``mailwarden quarantine list | show ID | retry``: input that could not be parsed."""

from __future__ import annotations

import base64
import sys

import click
from rich.table import Table

from mailwarden.cli.app import cli
from mailwarden.cli.render import console, echo_json
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.cli.store_options import db_option, open_cli_store
from mailwarden.ingest import Ingestor
from mailwarden.ingest.parsing import default_parser
from mailwarden.serialize import to_jsonable

__all__ = ["quarantine"]


@cli.group("quarantine")
def quarantine() -> None:
    """Inspect and retry inputs that could not be parsed (kept whole with the reason)."""


_MAX_ID = 2**63 - 1
"""The largest id a database integer column holds; a larger one is refused as bad usage."""


@quarantine.command("list")
@click.option("--all", "include_resolved", is_flag=True, help="Include inputs parsed since.")
@db_option
@global_options
@pass_settings
def list_(settings: Settings, db: str | None, include_resolved: bool) -> None:
    """List quarantined inputs: id, time, size, source and reason."""
    store = open_cli_store(db)
    try:
        entries = store.quarantine_entries(include_resolved=include_resolved)
    finally:
        store.close()
    if settings.json:
        for entry in entries:
            echo_json(entry)
        return
    table = Table(title=f"quarantine: {len(entries)} inputs")
    for column in ("id", "received (UTC)", "bytes", "status", "source", "reason"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            str(e.id), f"{e.received_at:%Y-%m-%d %H:%M}", str(e.size), e.status, e.source, e.reason
        )
    console().print(table)


@quarantine.command("show")
@click.argument("entry_id", metavar="ID", type=click.IntRange(1, _MAX_ID))
@click.option("--raw", is_flag=True, help="Write only the raw bytes to stdout.")
@db_option
@global_options
@pass_settings
def show(settings: Settings, db: str | None, entry_id: int, raw: bool) -> None:
    """Show one quarantined input: where it came from, why, and its content."""
    store = open_cli_store(db)
    try:
        entry, data = store.quarantine_raw(entry_id)
    finally:
        store.close()
    if raw:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if settings.json:
        echo_json({**_fields(entry), "raw_base64": base64.b64encode(data).decode()})
        return
    for name, value in _fields(entry).items():
        click.echo(f"{name}: {value}")
    click.echo("")
    click.echo(data.decode("utf-8", "replace"))


def _fields(entry: object) -> dict[str, object]:
    value = to_jsonable(entry)
    assert isinstance(value, dict)
    return value


@quarantine.command("retry")
@click.argument("entry_ids", metavar="[ID]...", nargs=-1, type=click.IntRange(1, _MAX_ID))
@db_option
@global_options
@pass_settings
def retry(settings: Settings, db: str | None, entry_ids: tuple[int, ...]) -> None:
    """Parse quarantined inputs again (all, or the IDs given), e.g. after an upgrade."""
    store = open_cli_store(db)
    try:
        outcome = Ingestor(store, default_parser()).retry_quarantined(entry_ids or None)
    finally:
        store.close()
    if settings.json:
        echo_json(
            {
                "resolved": outcome.resolved,
                "still_failing": outcome.still_failing,
                "reports_new": outcome.counts.reports_new,
                "duplicates": outcome.counts.duplicates,
            }
        )
        return
    click.echo(
        f"{outcome.resolved} inputs parsed now ({outcome.counts.reports_new} new reports, "
        f"{outcome.counts.duplicates} duplicates), {outcome.still_failing} still failing"
    )
