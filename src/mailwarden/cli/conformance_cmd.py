"""``mailwarden conformance``: run public conformance suites (one subcommand per protocol)."""

from __future__ import annotations

from mailwarden.cli.app import cli

__all__ = ["conformance_group"]


@cli.group("conformance")
def conformance_group() -> None:
    """Run conformance suites against mailwarden's implementations."""
