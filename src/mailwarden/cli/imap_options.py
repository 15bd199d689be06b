"""``mailwarden ingest --imap URL``: the IMAP options and the loop that runs the source."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from mailwarden.cli.store_options import echo_progress
from mailwarden.errors import ConfigError
from mailwarden.ingest import Ingestor, Outcome, RawInput
from mailwarden.ingest.imap import (
    DEFAULT_PASSWORD_ENV,
    ImapError,
    ImapSource,
    imap_password,
    parse_imap_url,
)
from mailwarden.store import IngestCounts

__all__ = ["imap_options", "imap_source", "run_imap"]

F = TypeVar("F", bound=Callable[..., Any])


def imap_options(func: F) -> F:
    """Add ``--imap URL`` and the options that go with it."""
    options = [
        click.option(
            "--imap",
            metavar="URL",
            help="Read an IMAP folder: imaps://USER@HOST[:PORT]/FOLDER (TLS), or imap://... "
            "(STARTTLS; plain IMAP only on loopback).",
        ),
        click.option(
            "--password-env",
            metavar="VAR",
            default=DEFAULT_PASSWORD_ENV,
            show_default=True,
            help="Environment variable holding the IMAP password.",
        ),
        click.option(
            "--password-file",
            type=click.Path(path_type=Path, dir_okay=False),
            help="File whose first line is the IMAP password.",
        ),
        click.option(
            "--ca-file",
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            help="Trust this CA certificate file for the IMAP server.",
        ),
        click.option(
            "--archive-folder", default="Archive", show_default=True, help="Where stored mail goes."
        ),
        click.option(
            "--invalid-folder",
            default="Invalid",
            show_default=True,
            help="Where unparseable mail goes.",
        ),
        click.option(
            "--batch-size",
            type=click.IntRange(1, 1000),
            default=50,
            show_default=True,
            help="Messages fetched per IMAP request.",
        ),
        click.option("--no-idle", is_flag=True, help="With --watch: poll instead of IMAP IDLE."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def imap_source(options: dict[str, Any]) -> ImapSource:
    """Build the IMAP source the options describe; ``ConfigError`` for bad ones."""
    target = parse_imap_url(options["imap"])
    password = imap_password(options["password_env"], options["password_file"])
    context = ssl.create_default_context()
    if options["ca_file"] is not None:
        try:
            context.load_verify_locations(cafile=str(options["ca_file"]))
        except ssl.SSLError as error:
            raise ConfigError(f"{options['ca_file']}: not a CA certificate file") from error
    return ImapSource(
        target,
        password,
        archive_folder=options["archive_folder"],
        invalid_folder=options["invalid_folder"],
        batch_size=options["batch_size"],
        ssl_context=context,
    )


def run_imap(
    source: ImapSource,
    ingestor: Ingestor,
    watch: bool,
    interval: float | None,
    *,
    verbose: bool,
    use_idle: bool = True,
) -> IngestCounts:
    """Ingest the IMAP folder once, or keep watching it with ``watch`` until Ctrl-C.

    An unreachable or failing server ends the command with exit 3.
    """
    total = IngestCounts()

    def many(items: Iterable[RawInput]) -> Iterator[tuple[RawInput, Outcome]]:
        nonlocal total
        for item, outcome in ingestor.process_many(items):
            total += outcome.counts
            if verbose and watch:
                echo_progress(item.source, outcome.counts)
            yield item, outcome

    def handle(item: RawInput) -> Outcome:
        ((_, outcome),) = list(many([item]))
        return outcome

    stop = threading.Event()
    try:
        if watch:
            source.watch(
                handle,
                stop,
                poll_interval=interval or 30.0,
                use_idle=use_idle,
                many=many,
                sync=ingestor.store.sync,
            )
        else:
            source.run_once(handle, many=many, sync=ingestor.store.sync)
    except ImapError as error:
        click.echo(f"mailwarden: error: {error}", err=True)
        raise click.exceptions.Exit(3) from error
    except KeyboardInterrupt:
        stop.set()
    finally:
        source.close()
    return total
