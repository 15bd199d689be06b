"""``mailwarden serve``: the web dashboard over the report store."""

from __future__ import annotations

import os
import sys

import click

from mailwarden.cli.app import cli
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.cli.store_options import db_option, open_cli_store
from mailwarden.errors import ConfigError, InputError
from mailwarden.inputs import MAX_SECRET_BYTES, read_text_input
from mailwarden.store import SqlReportStore
from mailwarden.store.location import display_url
from mailwarden.web.auth import AuthConfig, check_hash_format, hash_password, is_loopback

__all__ = ["check_exposure", "load_auth", "parse_listen", "run_dashboard", "serve"]

DEFAULT_LISTEN = "127.0.0.1:8080"
TOKEN_ENV = "MAILWARDEN_WEB_TOKEN"
HASH_ENV = "MAILWARDEN_WEB_PASSWORD_HASH"


def parse_listen(text: str) -> tuple[str, int]:
    """Return (host, port) of ``HOST:PORT`` (IPv6 as ``[::1]:8080``); ``ConfigError`` if bad."""
    host, sep, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"--listen wants HOST:PORT such as {DEFAULT_LISTEN}, not {text!r}")
    return host, int(port)


def _read_secret(path: str | None, env: str, what: str) -> str | None:
    if path:
        try:
            value = read_text_input(path, limit=MAX_SECRET_BYTES).strip()
        except InputError as error:
            raise ConfigError(f"cannot use the {what} file {error}") from None
        if not value:
            raise ConfigError(f"the {what} file {path} is empty")
        return value
    return os.environ.get(env, "").strip() or None


def load_auth(token_file: str | None, password_hash_file: str | None) -> AuthConfig:
    """Return the authentication from the files given or the environment; ``ConfigError`` if bad."""
    token = _read_secret(token_file, TOKEN_ENV, "token")
    if token is not None and len(token) < 16:
        raise ConfigError("the token must be at least 16 characters long")
    password_hash = _read_secret(password_hash_file, HASH_ENV, "password hash")
    if password_hash is not None:
        check_hash_format(password_hash)
    return AuthConfig(token=token, password_hash=password_hash)


def check_exposure(host: str, auth_enabled: bool) -> None:
    """Raise ``ConfigError`` when ``host`` is not loopback and no authentication is configured."""
    if not is_loopback(host) and not auth_enabled:
        raise ConfigError(
            f"refusing to listen on {host}: it is not a loopback address and no authentication "
            f"is configured; give --token-file or --password-hash-file (or set {TOKEN_ENV} "
            f"or {HASH_ENV}), or listen on 127.0.0.1"
        )


def run_dashboard(store: SqlReportStore, host: str, port: int, auth_config: AuthConfig) -> None:
    """Serve the dashboard for ``store`` on ``host:port`` until interrupted."""
    import uvicorn

    from mailwarden.web.app import LOOPBACK_HOSTS, WebConfig, create_app

    hosts = (*LOOPBACK_HOSTS, host.lower()) if is_loopback(host) else None
    app = create_app(WebConfig(store, auth_config=auth_config, allowed_hosts=hosts))
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        f"mailwarden: dashboard on http://{shown}:{port}/ (store {display_url(store.url)}); "
        "Ctrl-C stops it",
        err=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def _hash_from_input() -> None:
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        raise ConfigError("the password must be at least 8 characters long")
    click.echo(hash_password(password))


@cli.command("serve")
@db_option
@click.option(
    "--listen",
    default=DEFAULT_LISTEN,
    show_default=True,
    metavar="HOST:PORT",
    help="Address to serve on; a non-loopback address needs authentication.",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False),
    help=f"File holding the access token (or set {TOKEN_ENV}).",
)
@click.option(
    "--password-hash-file",
    type=click.Path(dir_okay=False),
    help=f"File holding a password hash made by --hash-password (or set {HASH_ENV}).",
)
@click.option(
    "--hash-password",
    "hash_password_flag",
    is_flag=True,
    help="Read a password (prompt or first line of stdin), print its scrypt hash and exit.",
)
@global_options
@pass_settings
def serve(
    settings: Settings,
    db: str | None,
    listen: str,
    token_file: str | None,
    password_hash_file: str | None,
    hash_password_flag: bool,
) -> None:
    """Serve the web dashboard over the report store (loopback only unless authenticated)."""
    if hash_password_flag:
        _hash_from_input()
        return
    host, port = parse_listen(listen)
    auth_config = load_auth(token_file, password_hash_file)
    check_exposure(host, auth_config.enabled)
    store = open_cli_store(db)
    try:
        run_dashboard(store, host, port, auth_config)
    finally:
        store.close()
