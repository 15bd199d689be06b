"""Password hashing, session cookies, loopback detection and the serve exposure check."""

from __future__ import annotations

import pytest

from mailwarden.cli.serve_cmd import check_exposure, parse_listen
from mailwarden.errors import ConfigError
from mailwarden.web.auth import (
    AuthConfig,
    Sessions,
    csrf_matches,
    hash_password,
    is_loopback,
    verify_password,
)


def test_password_hash_round_trip() -> None:
    """A scrypt hash verifies its password and no other."""
    stored = hash_password("correct horse battery")
    assert stored.startswith("scrypt$")
    assert verify_password("correct horse battery", stored)
    assert not verify_password("wrong", stored)


def test_malformed_hash_never_verifies() -> None:
    """A hash in the wrong form is rejected, not an exception."""
    assert not verify_password("x", "md5$abc")


def test_token_accepted_only_exactly() -> None:
    """The configured token is accepted; a prefix of it is not."""
    config = AuthConfig(token="a" * 20)
    assert config.accepts("a" * 20)
    assert not config.accepts("a" * 19)


def test_sessions_expire_and_cannot_be_forged() -> None:
    """A session cookie is valid until it expires, and a changed signature is refused."""
    sessions = Sessions(lifetime=60)
    cookie = sessions.issue(now=1000)
    assert sessions.valid(cookie, now=1030)
    assert not sessions.valid(cookie, now=1100)
    assert not sessions.valid(cookie[:-1] + ("0" if cookie[-1] != "0" else "1"), now=1030)
    assert not Sessions().valid(cookie, now=1030)


def test_csrf_needs_both_values_equal() -> None:
    """The CSRF check fails on a missing or different token."""
    assert csrf_matches("abc", "abc")
    assert not csrf_matches("abc", "abd")
    assert not csrf_matches(None, "abc")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.0.2.1", False),
        ("example.com", False),
    ],
)
def test_loopback(host: str, expected: bool) -> None:
    """Only loopback addresses and localhost count as loopback."""
    assert is_loopback(host) is expected


def test_exposure_refused_without_auth() -> None:
    """A non-loopback address without authentication is refused with the reason."""
    with pytest.raises(ConfigError, match="not a loopback address"):
        check_exposure("0.0.0.0", auth_enabled=False)
    check_exposure("0.0.0.0", auth_enabled=True)
    check_exposure("127.0.0.1", auth_enabled=False)


def test_parse_listen() -> None:
    """HOST:PORT parses, IPv6 in brackets too; a missing port is an error."""
    assert parse_listen("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert parse_listen("[::1]:9000") == ("::1", 9000)
    with pytest.raises(ConfigError):
        parse_listen("127.0.0.1")
