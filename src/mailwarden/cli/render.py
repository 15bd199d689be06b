"""Output helpers: JSON to stdout, rich text only where it helps, colour only on a terminal."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.console import Console

from mailwarden.serialize import dumps

__all__ = ["console", "echo_json", "err_console"]


def console() -> Console:
    """Return a console for stdout; colour and markup effects only when stdout is a terminal."""
    return Console(
        highlight=False, soft_wrap=True, force_terminal=None if sys.stdout.isatty() else False
    )


def err_console() -> Console:
    """Return a console for stderr."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def echo_json(value: Any, *, pretty: bool = False) -> None:
    """Print ``value`` as one line of JSON (or indented with ``pretty``) to stdout."""
    click.echo(dumps(value, indent=2 if pretty else None))
