"""Splitting a message into header fields and body, and reading header sections."""

from __future__ import annotations

import pytest

from mailwarden.dkim.message import parse_header_section, parse_message, to_crlf
from mailwarden.errors import ParseError


def test_fields_keep_their_raw_bytes_and_folding() -> None:
    """Each field keeps its exact bytes with CRLF; names are lower case; the body follows."""
    message = parse_message(b"Subject: a\r\n  b\r\nFROM : x@y\r\n\r\nbody\r\n")
    assert [(h.name, h.raw) for h in message.headers] == [
        ("subject", b"Subject: a\r\n  b\r\n"),
        ("from", b"FROM : x@y\r\n"),
    ]
    assert message.headers[1].value == b" x@y"
    assert message.body == b"body\r\n"


def test_lf_only_is_read_as_crlf() -> None:
    """Bare LF line ends become CRLF; CRLF input is returned as the same object."""
    crlf = b"A: 1\r\n\r\nx\r\n"
    assert to_crlf(crlf) is crlf
    assert to_crlf(b"A: 1\n\nx\n") == crlf
    assert parse_message(b"A: 1\n\nx\n").body == b"x\r\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"From: a\r\nSubject: b\r\n", "no empty line"),
        (b" folded: first\r\n\r\n", "continuation"),
        (b"From a@b Mon Jan 1\r\n\r\n", "not a field"),
        (b"Fr\xc3\xb6m: a\r\n\r\n", "not a field"),
    ],
)
def test_malformed_messages_raise(data: bytes, message: str) -> None:
    """Messages whose header cannot be read raise ParseError saying why."""
    with pytest.raises(ParseError, match=message):
        parse_message(data)


def test_header_section_with_or_without_empty_line() -> None:
    """A header section parses the same with or without its ending empty line."""
    assert parse_header_section(b"A: 1\nB: 2\n\n") == parse_header_section(b"A: 1\r\nB: 2")
    with pytest.raises(ParseError):
        parse_header_section(b"A: 1\r\n\r\nB: 2\r\n")
