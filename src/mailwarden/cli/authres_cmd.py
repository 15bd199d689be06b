"""``mailwarden authres``: read the Authentication-Results headers of a message."""

from __future__ import annotations

import click

from mailwarden.authres import (
    HEADER_NAME,
    AuthenticationResults,
    claims_authserv_id,
    parse_authentication_results,
)
from mailwarden.cli.app import EXIT_FAILED, cli
from mailwarden.cli.render import console, echo_json
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.dmarc import parse_header_block
from mailwarden.errors import ParseError
from mailwarden.inputs import MAX_MESSAGE_BYTES, read_input

__all__ = ["authres_group", "read_message"]


def read_message(path: str) -> bytes:
    """Return the bytes of the message at ``path`` (``-`` for stdin); raise ``InputError``
    when it cannot be read, is a device, or is over ``MAX_MESSAGE_BYTES``."""
    return read_input(path, limit=MAX_MESSAGE_BYTES, stdin=True)


@cli.group("authres")
def authres_group() -> None:
    """Authentication-Results headers (RFC 8601)."""


@authres_group.command("parse")
@click.argument("message", default="-")
@click.option(
    "--authserv-id",
    metavar="ID",
    help="Mark headers that claim this authserv-id as forged (they would be stripped).",
)
@global_options
@pass_settings
def parse(settings: Settings, message: str, authserv_id: str | None) -> None:
    """Parse every Authentication-Results header of MESSAGE (a file, or - for stdin).

    MESSAGE may be a whole message or just header lines. Exit 0 when every header parsed,
    1 when one did not or there is none, 2 when MESSAGE cannot be read.
    """
    headers = parse_header_block(read_message(message))
    values = [v for n, v in headers if n.strip().lower() == HEADER_NAME.lower()]
    entries = [_entry(value, authserv_id) for value in values]
    if settings.json:
        echo_json(entries)
    else:
        _print(entries)
    if not entries or any(e["error"] for e in entries):
        click.get_current_context().exit(EXIT_FAILED)


def _entry(value: str, authserv_id: str | None) -> dict[str, object]:
    unfolded = " ".join(value.split())
    parsed: AuthenticationResults | None = None
    error = None
    try:
        parsed = parse_authentication_results(value)
    except ParseError as exc:
        error = str(exc)
    forged = bool(authserv_id) and claims_authserv_id(value, authserv_id or "")
    return {"header": unfolded, "parsed": parsed, "error": error, "forged": forged}


def _print(entries: list[dict[str, object]]) -> None:
    out = console()
    if not entries:
        out.print("no Authentication-Results header")
    for entry in entries:
        out.print(f"{HEADER_NAME}: {entry['header']}", markup=False)
        if entry["forged"]:
            out.print("  FORGED: claims our authserv-id; a receiver strips it", markup=False)
        parsed = entry["parsed"]
        if not isinstance(parsed, AuthenticationResults):
            out.print(f"  error: {entry['error']}", markup=False)
            continue
        version = f" (version {parsed.version})" if parsed.version else ""
        out.print(f"  authserv-id: {parsed.authserv_id}{version}", markup=False)
        for result in parsed.results:
            line = f"  {result.method}: {result.result}"
            details = [f"{p.ptype}.{p.name}={p.value}" for p in result.properties]
            if result.reason:
                details.insert(0, f"reason={result.reason}")
            details += [f"({c})" for c in result.comments]
            out.print(line + ("  " + " ".join(details) if details else ""), markup=False)
