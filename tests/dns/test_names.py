"""Domain-name validation and IDNA conversion."""

from __future__ import annotations

import pytest

from mailwarden.dns import to_unicode, validate_domain
from mailwarden.dns.client import parse_nameserver
from mailwarden.errors import ConfigError, InputError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Example.COM.", "example.com"),
        ("_dmarc.example.com", "_dmarc.example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("xn--i-7iq.ws", "xn--i-7iq.ws"),  # IDNA 2003 (emoji): registered, so still scanned
    ],
)
def test_valid_names(raw: str, expected: str) -> None:
    """Valid names are normalized to lower-case A-labels without a trailing dot."""
    assert validate_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "empty domain"),
        ("a..example", "empty label"),
        ("a" * 64 + ".example", "over 63"),
        (".".join(["abcdefghi"] * 26), "over 253"),
        ("bad_char!.example", "not allowed"),
        ("-lead.example", "not allowed"),
        ("xn--zz.com", "not valid Punycode"),
        ("xn--9999999999a.example", "not valid Punycode"),
        ("xn--a-b.example", "not valid Punycode"),
    ],
)
def test_invalid_names(raw: str, problem: str) -> None:
    """Each malformed name raises InputError saying what is wrong."""
    with pytest.raises(InputError, match=problem):
        validate_domain(raw)


def test_to_unicode() -> None:
    """A-labels are shown as U-labels."""
    assert to_unicode("xn--bcher-kva.example") == "bücher.example"


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("127.0.0.1", "127.0.0.1", 53),
        ("127.0.0.1:5353", "127.0.0.1", 5353),
        ("::1", "::1", 53),
        ("[::1]:5353", "::1", 5353),
    ],
)
def test_parse_nameserver(text: str, host: str, port: int) -> None:
    """host[:port] forms for IPv4 and IPv6."""
    server = parse_nameserver(text)
    assert (server.host, server.port) == (host, port)


@pytest.mark.parametrize(
    "text", ["127.0.0.1:0", "127.0.0.1:x", "[::1", "[::1]5353", "a" * 300, "a" * 64 + ".test"]
)
def test_parse_nameserver_rejects(text: str) -> None:
    """Malformed nameserver strings raise ConfigError."""
    with pytest.raises(ConfigError):
        parse_nameserver(text)


def test_to_unicode_leaves_names_without_a_labels_alone() -> None:
    """Names with no A-label come back as given; a mixed one has only its A-label decoded."""
    for name in ("example.com", "_dmarc.example.com", "ab--c.example", "Mail.Example.COM"):
        assert to_unicode(name) == name
    assert to_unicode("mail.XN--bcher-kva.example") == "mail.bücher.example"
    assert to_unicode("xn--invalid-.example") == "xn--invalid-.example"
