"""The ``mailwarden`` command line: one module per command group, registered on import."""

from __future__ import annotations

from mailwarden.cli import (  # noqa: F401  (registers commands)
    authres_cmd,
    check_cmd,
    conformance_cmd,
    db_cmd,
    demo_cmd,
    dkim_cmd,
    dmarc_cmd,
    dns_cmd,
    ingest_cmd,
    quarantine_cmd,
    receive_cmd,
    report_cmd,
    scan_cmd,
    serve_cmd,
    spf_cmd,
    stats_cmd,
    suggest_cmd,
    verify_cmd,
)
from mailwarden.cli.app import cli, run

__all__ = ["cli", "main"]


def main() -> None:
    """Entry point of the ``mailwarden`` console script."""
    run()
