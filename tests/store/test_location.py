"""Where the store lives by default, and how --db values become database URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailwarden.errors import ConfigError
from mailwarden.store.location import data_dir, database_url, display_url


def test_linux_default_follows_xdg() -> None:
    """On Linux the data directory is $XDG_DATA_HOME/mailwarden, else ~/.local/share."""
    assert data_dir({"HOME": "/h", "XDG_DATA_HOME": "/x"}, "linux") == Path("/x/mailwarden")
    assert data_dir({"HOME": "/h"}, "linux") == Path("/h/.local/share/mailwarden")


def test_other_platforms() -> None:
    """macOS and Windows use their own per-user application data folders."""
    assert data_dir({"HOME": "/h"}, "darwin") == Path("/h/Library/Application Support/mailwarden")
    assert data_dir({"HOME": "/h", "LOCALAPPDATA": "C:/L"}, "win32") == Path("C:/L/mailwarden")


def test_default_url_is_sqlite_in_data_dir() -> None:
    """No --db means the SQLite file mailwarden.db in the data directory."""
    url = database_url(None, {"HOME": "/h"})
    assert url.startswith("sqlite:///") and url.endswith("mailwarden/mailwarden.db")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("/tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_db_values(value: str, expected: str) -> None:
    """Paths become SQLite URLs and PostgreSQL URLs use psycopg 3."""
    assert database_url(value) == expected


def test_unsupported_scheme() -> None:
    """A scheme other than sqlite or postgresql is a configuration error."""
    with pytest.raises(ConfigError, match="mysql"):
        database_url("mysql://u@h/db")


def test_password_hidden() -> None:
    """Passwords never appear in messages."""
    assert display_url("postgresql+psycopg://u:secret@h/db") == "postgresql+psycopg://u:***@h/db"
