"""The ``mailwarden`` command line: one module per command group, registered on import."""

from __future__ import annotations

from mailwarden.cli import (  # noqa: F401  (registers commands)
    conformance_cmd,
    db_cmd,
    demo_cmd,
    dkim_cmd,
    dns_cmd,
    ingest_cmd,
    quarantine_cmd,
    receive_cmd,
    spf_cmd,
)
from mailwarden.cli.app import cli, run

__all__ = ["cli", "main"]


def main() -> None:
    """Entry point of the ``mailwarden`` console script."""
    run()
