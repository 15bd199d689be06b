"""``mailwarden ingest PATH...``: store reports from files, directories, Maildir and mbox."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from mailwarden.cli.app import cli
from mailwarden.cli.render import echo_json
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.cli.store_options import db_option, open_cli_store
from mailwarden.errors import InputError
from mailwarden.ingest import Ingestor, RawInput, check_paths, iter_inputs
from mailwarden.ingest.parsing import default_parser
from mailwarden.ingest.watch import Watcher
from mailwarden.store import IngestCounts

__all__ = ["ingest", "summary_json"]


def summary_json(counts: IngestCounts) -> dict[str, int]:
    """Return the ``--json`` summary of an ingest run."""
    return {
        "reports_new": counts.reports_new,
        "duplicates": counts.duplicates,
        "quarantined": counts.quarantined,
    }


def _warn(source: str, reason: str) -> None:
    click.echo(f"mailwarden: {source}: {reason}", err=True)


@cli.command("ingest")
@click.argument("paths", metavar="PATH...", nargs=-1, type=click.Path(path_type=Path))
@click.option("--watch", is_flag=True, help="Keep watching the directories for new files.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=2.0,
    show_default=True,
    help="Seconds between scans with --watch.",
)
@db_option
@global_options
@pass_settings
def ingest(
    settings: Settings, paths: tuple[Path, ...], watch: bool, interval: float, db: str | None
) -> None:
    """Store the reports found in files, directories (recursive), Maildir folders and mbox files.

    Each message is stored in one transaction; reports already stored count as duplicates;
    input that cannot be parsed is kept in the quarantine (see ``mailwarden quarantine``).
    """
    if not paths:
        raise InputError("give at least one PATH (or --imap URL)")
    found = check_paths(paths)
    parse = default_parser()
    store = open_cli_store(db)
    try:
        ingestor = Ingestor(store, parse)
        if watch:
            total = _watch(ingestor, found, interval, verbose=not settings.json)
        else:
            total = ingestor.ingest_all(iter_inputs(found, on_error=_warn))
    finally:
        store.close()
    _print_summary(settings, total)


def _print_summary(settings: Settings, total: IngestCounts) -> None:
    if settings.json:
        echo_json(summary_json(total))
        return
    click.echo(
        f"{total.reports_new} new reports, {total.duplicates} duplicates, "
        f"{total.quarantined} quarantined"
    )


def _watch(
    ingestor: Ingestor, paths: list[Path], interval: float, *, verbose: bool
) -> IngestCounts:
    total = IngestCounts()

    def handle(item: RawInput) -> None:
        nonlocal total
        counts = ingestor.ingest(item)
        total += counts
        if verbose:
            click.echo(
                f"{item.source}: {counts.reports_new} new, {counts.duplicates} duplicates, "
                f"{counts.quarantined} quarantined",
                err=True,
            )

    stop = threading.Event()
    try:
        Watcher(paths, interval, on_error=_warn).run(handle, stop)
    except KeyboardInterrupt:
        stop.set()
    return total
