"""``mailwarden ingest PATH...``: store reports from files, directories, Maildir and mbox."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from mailwarden.cli.app import cli
from mailwarden.cli.imap_options import imap_options, imap_source, run_imap
from mailwarden.cli.render import err_console
from mailwarden.cli.settings import FiniteFloatRange, Settings, global_options, pass_settings
from mailwarden.cli.store_options import (
    build_enricher,
    db_option,
    echo_progress,
    enrich_options,
    open_cli_store,
    print_summary,
)
from mailwarden.errors import InputError
from mailwarden.ingest import Ingestor, RawInput, check_paths, iter_inputs
from mailwarden.ingest.parsing import default_parser
from mailwarden.ingest.sources import STDIN
from mailwarden.ingest.watch import Watcher
from mailwarden.store import IngestCounts

__all__ = ["ingest"]


def _warn(source: str, reason: str) -> None:
    click.echo(f"mailwarden: {source}: {reason}", err=True)


@cli.command("ingest")
@click.argument("paths", metavar="PATH...", nargs=-1, type=click.Path(path_type=Path))
@click.option("--watch", is_flag=True, help="Keep watching directories (or IMAP) for new mail.")
@click.option(
    "--interval",
    type=FiniteFloatRange(min=0.05),
    default=None,
    help="Seconds between scans with --watch [default: 2; IMAP without IDLE: 30].",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="Processes parsing reports ahead of the store [default: CPUs - 1, 1 to 4; 0: none].",
)
@imap_options
@enrich_options
@db_option
@global_options
@pass_settings
def ingest(
    settings: Settings,
    paths: tuple[Path, ...],
    watch: bool,
    interval: float | None,
    workers: int | None,
    db: str | None,
    rdns: bool,
    geoip: tuple[Path, ...],
    **imap: Any,
) -> None:
    """Store the reports found in files, directories (recursive), Maildir folders and mbox files,
    or in an IMAP folder with ``--imap``.

    Each message is stored in one transaction; reports already stored count as duplicates;
    input that cannot be parsed is kept in the quarantine (see ``mailwarden quarantine``).
    """
    if not paths and not imap["imap"]:
        raise InputError("give at least one PATH or --imap URL")
    if paths and imap["imap"]:
        raise InputError("give either PATHs or --imap URL, not both")
    found = check_paths(paths)
    if watch and STDIN in found:
        raise InputError("--watch cannot watch standard input (-): name files or directories")
    source = imap_source(imap) if imap["imap"] else None
    parse = default_parser()
    enricher = build_enricher(settings, rdns, geoip)
    store = open_cli_store(db)
    count = default_workers() if workers is None else workers
    ingestor = Ingestor(store, parse, enrich=enricher, workers=count)
    try:
        if source is not None:
            total = run_imap(
                source,
                ingestor,
                watch,
                interval,
                verbose=not settings.json,
                use_idle=not imap["no_idle"],
            )
        elif watch:
            total = _watch(ingestor, found, interval or 2.0, verbose=not settings.json)
        else:
            total = _ingest_with_progress(ingestor, iter_inputs(found, on_error=_warn))
    finally:
        ingestor.close()
        store.close()
    print_summary(settings, total)


def default_workers() -> int:
    """Return the default number of parse workers: one CPU is left to the store (1 to 4).

    More workers than that only wait: the process storing the reports is then the limit.
    """
    return max(1, min(4, (os.cpu_count() or 1) - 1))


def _ingest_with_progress(ingestor: Ingestor, items: Iterable[RawInput]) -> IngestCounts:
    """Ingest ``items``, showing a live count on stderr when it is a terminal."""
    total = IngestCounts()
    with err_console().status("ingesting") as status:
        for number, (_, outcome) in enumerate(ingestor.process_many(items), start=1):
            total += outcome.counts
            status.update(
                f"ingesting: {number} inputs, {total.reports_new} new reports, "
                f"{total.duplicates} duplicates, {total.quarantined} quarantined"
            )
    return total


def _watch(
    ingestor: Ingestor, paths: list[Path], interval: float, *, verbose: bool
) -> IngestCounts:
    total = IngestCounts()

    def handle(item: RawInput) -> None:
        nonlocal total
        counts = ingestor.ingest(item)
        total += counts
        if verbose:
            echo_progress(item.source, counts)

    stop = threading.Event()
    try:
        Watcher(paths, interval, on_error=_warn).run(handle, stop)
    except KeyboardInterrupt:
        stop.set()
    return total
