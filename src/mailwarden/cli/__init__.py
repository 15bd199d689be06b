"""The ``mailwarden`` command line: one module per command group, registered on import."""

from __future__ import annotations

from mailwarden.cli import check_cmd, demo_cmd, dns_cmd, scan_cmd, stats_cmd  # noqa: F401
from mailwarden.cli.app import cli, run

__all__ = ["cli", "main"]


def main() -> None:
    """Entry point of the ``mailwarden`` console script."""
    run()
