"""``mailwarden receive --listen HOST:PORT --domain DOMAIN``: receive reports by SMTP."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from mailwarden.cli.app import cli
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.cli.store_options import (
    build_enricher,
    db_option,
    echo_progress,
    enrich_options,
    open_cli_store,
    print_summary,
)
from mailwarden.errors import ConfigError, InputError
from mailwarden.ingest import Ingestor
from mailwarden.ingest.parsing import default_parser
from mailwarden.ingest.smtp import ReportAddresses, ReportReceiver
from mailwarden.ingest.spool import Spool
from mailwarden.store import IngestCounts, data_dir

__all__ = ["parse_listen", "receive"]


def parse_listen(value: str) -> tuple[str, int]:
    """Return (host, port) of ``HOST:PORT`` or ``[IPv6]:PORT``; ``ConfigError`` when malformed."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536 or not host:
        raise ConfigError(f"--listen {value!r}: use HOST:PORT, e.g. 127.0.0.1:2525")
    return host.strip("[]"), int(port)


@cli.command("receive")
@click.option(
    "--listen", "listen", default="127.0.0.1:2525", show_default=True, metavar="HOST:PORT"
)
@click.option(
    "--domain",
    "domains",
    multiple=True,
    metavar="DOMAIN",
    help="Accept reports at DOMAIN (repeatable).",
)
@click.option(
    "--address",
    "addresses",
    multiple=True,
    metavar="ADDR",
    help="Accept reports for ADDR (repeatable).",
)
@click.option(
    "--local-part",
    "local_parts",
    multiple=True,
    metavar="NAME",
    help="Local parts accepted at each --domain [default: dmarc, dmarc-reports, rua, ruf, "
    "tlsrpt, tls-reports].",
)
@click.option(
    "--max-size",
    type=click.IntRange(min=1024),
    default=25 << 20,
    show_default=True,
    help="Largest message accepted, in bytes.",
)
@click.option(
    "--spool",
    type=click.Path(path_type=Path, file_okay=False),
    help="Spool directory [default: spool/ in the data directory].",
)
@enrich_options
@db_option
@global_options
@pass_settings
def receive(
    settings: Settings,
    listen: str,
    domains: tuple[str, ...],
    addresses: tuple[str, ...],
    local_parts: tuple[str, ...],
    max_size: int,
    spool: Path | None,
    db: str | None,
    rdns: bool,
    geoip: tuple[Path, ...],
) -> None:
    """Run an SMTP server that accepts report mail for the configured addresses and ingests it.

    Each message is written durably to the spool before the server answers 250, then stored
    in one transaction and removed from the spool. Runs until interrupted (Ctrl-C).
    """
    if not domains and not addresses:
        raise InputError("give at least one --domain or --address to accept reports for")
    host, port = parse_listen(listen)
    accept = ReportAddresses.build(addresses, domains, local_parts)
    parse = default_parser()
    enricher = build_enricher(settings, rdns, geoip)
    store = open_cli_store(db)
    verbose = not settings.json
    receiver = ReportReceiver(
        Ingestor(store, parse, enrich=enricher),
        Spool(spool or data_dir() / "spool"),
        accept,
        max_size=max_size,
        on_ingested=echo_progress if verbose else None,
        on_error=lambda name, reason: click.echo(f"mailwarden: {name}: {reason}", err=True),
    )
    try:
        receiver.start(host, port)
    except (OSError, UnicodeError) as error:  # UnicodeError: a host name IDNA cannot encode
        store.close()
        reason = getattr(error, "strerror", None) or error
        click.echo(f"mailwarden: error: cannot listen on {listen}: {reason}", err=True)
        raise click.exceptions.Exit(3) from error
    if verbose:
        click.echo(f"listening on {host}:{port}; Ctrl-C stops", err=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.stop()
        store.close()
    print_summary(settings, receiver.total or IngestCounts())
