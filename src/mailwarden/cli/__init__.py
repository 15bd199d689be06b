"""The ``mailwarden`` command line: one module per command group, imported when needed.

Each command's modules are named below (command name -> modules under ``mailwarden.cli``,
the first defines the command, the others add subcommands to it); a module registers its
commands on ``cli`` when imported. A new command module is added here.
"""

from __future__ import annotations

from mailwarden.cli.app import cli, run

__all__ = ["COMMAND_MODULES", "cli", "main"]

COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "authres": ("authres_cmd",),
    "check": ("check_cmd",),
    "conformance": ("conformance_cmd", "spf_cmd"),
    "db": ("db_cmd",),
    "demo": ("demo_cmd",),
    "dkim": ("dkim_cmd",),
    "dmarc": ("dmarc_cmd",),
    "dns": ("dns_cmd",),
    "ingest": ("ingest_cmd",),
    "quarantine": ("quarantine_cmd",),
    "receive": ("receive_cmd",),
    "report": ("report_cmd",),
    "scan": ("scan_cmd",),
    "serve": ("serve_cmd",),
    "spf": ("spf_cmd",),
    "stats": ("stats_cmd",),
    "suggest": ("suggest_cmd",),
    "verify": ("verify_cmd",),
}
cli.register_lazy(COMMAND_MODULES)


def main() -> None:
    """Entry point of the ``mailwarden`` console script."""
    run()
