"""The ``mailwarden`` command group and its error handling (exit codes 0, 1, 2, 3)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
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
    """A click group that turns mailwarden errors into a message and an exit code, and loads
    each command's module only when that command is needed (invoked, completed or listed in
    help): a command run pays for its own imports, not for every other command's."""

    command_modules: dict[str, tuple[str, ...]]
    """Command name -> the modules (under ``mailwarden.cli``) that define it and its
    subcommands; filled by ``mailwarden.cli`` (see ``register_lazy``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.command_modules = {}

    def register_lazy(self, modules: Mapping[str, tuple[str, ...]]) -> None:
        """Declare commands by name with the modules to import when one of them is needed."""
        self.command_modules.update(modules)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return the names of every command, loaded or not, sorted."""
        return sorted({*self.commands, *self.command_modules})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the command ``cmd_name``, importing its modules first if it is declared lazily."""
        for module in self.command_modules.get(cmd_name, ()):
            importlib.import_module(f"mailwarden.cli.{module}")
        return super().get_command(ctx, cmd_name)

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
