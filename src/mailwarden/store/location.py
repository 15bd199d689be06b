"""Where the store lives: a SQLite file in the user's data directory, or a ``--db`` URL."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from mailwarden.errors import ConfigError

__all__ = ["data_dir", "database_url", "default_database_path", "display_url"]

APP = "mailwarden"


def data_dir(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """Return the platform's per-user data directory for mailwarden (not created).

    Linux and other Unix: ``$XDG_DATA_HOME/mailwarden`` or ``~/.local/share/mailwarden``;
    macOS: ``~/Library/Application Support/mailwarden``; Windows: ``%LOCALAPPDATA%\\mailwarden``.
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    home = Path(env.get("HOME") or Path.home())
    if platform.startswith("win"):
        base = env.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / APP
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP
    xdg = env.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else home / ".local" / "share") / APP


def default_database_path(env: Mapping[str, str] | None = None) -> Path:
    """Return the default SQLite database file, ``<data dir>/mailwarden.db``."""
    return data_dir(env) / "mailwarden.db"


def database_url(value: str | None, env: Mapping[str, str] | None = None) -> str:
    """Return the SQLAlchemy URL for a ``--db`` value.

    ``None`` means the default SQLite file; a plain path means a SQLite file;
    ``postgresql://`` and ``postgres://`` URLs use psycopg 3; ``sqlite://`` and
    ``postgresql+psycopg://`` URLs are kept. Raises ``ConfigError`` for any other scheme.
    """
    if value is None or value == "":
        return f"sqlite:///{default_database_path(env)}"
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().absolute()}"
    scheme, rest = value.split("://", 1)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return f"postgresql+psycopg://{rest}"
    if scheme == "sqlite":
        return value
    raise ConfigError(
        f"unsupported database URL scheme {scheme!r}: use a path, sqlite:// or postgresql://"
    )


def display_url(url: str) -> str:
    """Return ``url`` with any password replaced by ``***`` (safe to print in messages)."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
