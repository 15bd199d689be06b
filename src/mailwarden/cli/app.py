"""The ``mailwarden`` command group and its error handling (exit codes 0, 1, 2, 3)."""

from __future__ import annotations

import sys
from typing import Any

import click

from mailwarden import __version__
from mailwarden.cli.settings import global_options
from mailwarden.errors import (
    ConfigError,
    DnsError,
    InputError,
    MailwardenError,
    ParseError,
    ReportError,
    StorageError,
)

__all__ = ["EXIT_ENVIRONMENT", "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "MailwardenGroup", "cli"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3

_EXIT_CODES: tuple[tuple[type[MailwardenError], int], ...] = (
    (DnsError, EXIT_ENVIRONMENT),
    (StorageError, EXIT_ENVIRONMENT),
    (InputError, EXIT_USAGE),
    (ParseError, EXIT_USAGE),
    (ConfigError, EXIT_USAGE),
    (ReportError, EXIT_USAGE),
)


def exit_code_for(error: MailwardenError) -> int:
    """Return the documented exit code for ``error``."""
    for kind, code in _EXIT_CODES:
        if isinstance(error, kind):
            return code
    return EXIT_USAGE


class MailwardenGroup(click.Group):
    """A click group that turns mailwarden errors into a message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; on a ``MailwardenError`` print ``mailwarden: error: ...`` and exit."""
        try:
            return super().invoke(ctx)
        except MailwardenError as error:
            click.echo(f"mailwarden: error: {error}", err=True)
            ctx.exit(exit_code_for(error))
        except KeyboardInterrupt:
            click.echo("mailwarden: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=MailwardenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mailwarden")
@global_options
def cli() -> None:
    """Secure a domain's email with SPF, DKIM and DMARC: audit, sign, verify, read reports.

    Exit codes: 0 success, 1 a check found errors or verification failed, 2 bad usage or
    bad input, 3 an environment problem (DNS unreachable, database unavailable).
    """


def run(argv: list[str] | None = None) -> None:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``) and exit."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="mailwarden")
