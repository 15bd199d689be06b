"""Split a message into header fields and body, the way DKIM sees it (bytes, CRLF lines)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailwarden.errors import ParseError

__all__ = ["Header", "Message", "parse_header_section", "parse_message", "to_crlf"]

_BARE_LF = re.compile(rb"(?<!\r)\n")
_FIELD_NAME = re.compile(rb"[\x21-\x39\x3b-\x7e]+\Z")


@dataclass(frozen=True, slots=True)
class Header:
    """One header field: ``name`` in lower case (ASCII) and ``raw``, the field with its CRLF."""

    name: str
    raw: bytes

    @property
    def value(self) -> bytes:
        """Return the raw value: everything after the first colon, without the final CRLF."""
        return self.raw[self.raw.index(b":") + 1 : -2]


@dataclass(frozen=True, slots=True)
class Message:
    """A message as header fields in order (top first) and the body bytes (CRLF lines)."""

    headers: tuple[Header, ...]
    body: bytes

    def named(self, name: str) -> list[Header]:
        """Return the fields called ``name`` (case-insensitive), top first."""
        key = name.lower()
        return [h for h in self.headers if h.name == key]


def to_crlf(data: bytes) -> bytes:
    """Return ``data`` with every bare LF turned into CRLF (CRLF input is returned unchanged)."""
    if b"\n" not in data or data.count(b"\n") == data.count(b"\r\n"):
        return data
    return _BARE_LF.sub(b"\r\n", data)


def parse_message(data: bytes) -> Message:
    """Return the header fields and body of ``data`` (LF-only input is read as CRLF).

    Raises ``ParseError`` when the header section is not ended by an empty line, when a header
    line has no colon or an invalid field name, or when the first line is a continuation.
    """
    data = to_crlf(data)
    if data.startswith(b"\r\n"):
        return Message((), data[2:])
    end = data.find(b"\r\n\r\n")
    if end < 0:
        raise ParseError("message has no empty line between header and body", "", None)
    return Message(_split_fields(data[: end + 2]), data[end + 4 :])


def parse_header_section(data: bytes) -> tuple[Header, ...]:
    """Return the header fields of a header section (CRLF or LF lines, empty line optional).

    Raises ``ParseError`` for a line that is not a field or a leading continuation line.
    """
    data = to_crlf(data)
    if data.endswith(b"\r\n\r\n"):
        data = data[:-2]
    elif data and not data.endswith(b"\r\n"):
        data += b"\r\n"
    if b"\r\n\r\n" in data:
        raise ParseError("the header section holds an empty line", "", data.index(b"\r\n\r\n"))
    return _split_fields(data) if data else ()


def _split_fields(block: bytes) -> tuple[Header, ...]:
    lines = block.split(b"\r\n")[:-1]
    fields: list[list[bytes]] = []
    for number, line in enumerate(lines):
        if line[:1] in (b" ", b"\t"):
            if not fields:
                raise ParseError("message starts with a continuation line", "", 0)
            fields[-1].append(line)
            continue
        name, colon, _ = line.partition(b":")
        name = name.rstrip(b" \t")
        if not colon or not _FIELD_NAME.match(name):
            shown = line[:40].decode("ascii", "replace")
            raise ParseError(f"header line {number + 1} is not a field: {shown!r}", "", None)
        fields.append([line])
    return tuple(_header(parts) for parts in fields)


def _header(parts: list[bytes]) -> Header:
    raw = b"\r\n".join(parts) + b"\r\n"
    name = raw[: raw.index(b":")].rstrip(b" \t").decode("ascii").lower()
    return Header(name, raw)
