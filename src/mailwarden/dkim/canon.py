"""Canonicalization (RFC 6376 section 3.4): header fields, and an incremental body hasher.

The body hasher takes the body in chunks of any size (as a milter receives it) and gives the
same digest as hashing the whole body at once: only complete lines are canonicalized, and
empty lines are held back until a non-empty line shows they are not trailing.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum

__all__ = ["BodyHasher", "Canon", "canonicalize_header", "parse_canonicalization"]

_WSP_RUN = re.compile(rb"\t[ \t]*| [ \t]+")  # only runs that change: a tab, or 2+ WSP
_CRLF = b"\r\n"


class Canon(StrEnum):
    """A canonicalization algorithm."""

    SIMPLE = "simple"
    RELAXED = "relaxed"


def parse_canonicalization(value: str) -> tuple[Canon, Canon]:
    """Return ``(header, body)`` algorithms of a ``c=`` value (``relaxed`` = ``relaxed/simple``).

    Raises ``ValueError`` for an unknown algorithm.
    """
    head, _, body = value.lower().partition("/")
    return Canon(head), Canon(body or "simple")


def canonicalize_header(raw: bytes, canon: Canon) -> bytes:
    """Return header field ``raw`` (with its CRLF) canonicalized, ending in CRLF.

    ``relaxed``: name in lower case, unfolded, runs of WSP made one SP, WSP around the colon
    and at the ends of the value removed. ``simple``: unchanged.
    """
    if canon is Canon.SIMPLE:
        return raw if raw.endswith(_CRLF) else raw + _CRLF
    name, _, value = raw.partition(b":")
    value = _collapse_wsp(value.replace(_CRLF, b"")).strip(b" ")
    return name.rstrip(b" \t").lower() + b":" + value + _CRLF


def _collapse_wsp(data: bytes) -> bytes:
    """Return ``data`` with every run of spaces and tabs made one space."""
    if b"\t" not in data and b"  " not in data:
        return data
    return _WSP_RUN.sub(b" ", data)


class BodyHasher:
    """Hash a message body incrementally under one canonicalization and an optional ``l=``.

    Call :meth:`update` with chunks in order, then :meth:`digest`. ``limit`` caps the number
    of canonical bytes hashed (the ``l=`` tag); :attr:`length` counts all canonical bytes,
    so ``length - limit`` is the body the signature does not cover.
    """

    __slots__ = ("_canon", "_done", "_emitted", "_hash", "_limit", "_partial", "_pending")

    def __init__(self, canon: Canon, hash_name: str = "sha256", limit: int | None = None) -> None:
        self._canon = canon
        self._hash = hashlib.new(hash_name)
        self._limit = limit
        self._partial: list[bytes] = []
        self._pending = 0  # empty lines seen but not yet known to be inside the body
        self._emitted = 0
        self._done = False

    @property
    def length(self) -> int:
        """Return the number of canonical body bytes seen so far (hashed or beyond ``l=``)."""
        return self._emitted

    def update(self, chunk: bytes) -> None:
        """Feed the next ``chunk`` of the body (CRLF line ends)."""
        if not chunk:
            return
        if self._done:
            raise ValueError("update() after digest()")
        if chunk.find(b"\n") < 0:
            self._partial.append(chunk)
            return
        if self._partial:
            self._partial.append(chunk)
            chunk = b"".join(self._partial)
            self._partial = []
        end = chunk.rfind(_CRLF) + 2
        if end == 1:  # an LF but no CRLF
            self._partial.append(chunk)
            return
        if end < len(chunk):
            self._partial.append(chunk[end:])
        self._lines(chunk[:end])

    def digest(self) -> bytes:
        """Return the body hash; the body is complete after this call."""
        if not self._done:
            self._done = True
            rest = b"".join(self._partial)
            self._partial = []
            if rest:
                self._lines(rest + _CRLF)
            if self._canon is Canon.SIMPLE and self._emitted == 0:
                self._emit(_CRLF)
        return self._hash.digest()

    def _lines(self, block: bytes) -> None:
        """Canonicalize complete lines ``block`` (ends with CRLF) and hash all but trailing ones."""
        if self._canon is Canon.RELAXED:
            block = _collapse_wsp(block).replace(b" \r\n", _CRLF)
        content = _content_end(block)
        if content == 0:
            self._pending += len(block) // 2
            return
        if self._pending:
            self._emit(_CRLF * self._pending)
        self._emit(block[:content])
        self._pending = (len(block) - content) // 2

    def _emit(self, data: bytes) -> None:
        start = self._emitted
        self._emitted += len(data)
        if self._limit is None:
            self._hash.update(data)
        elif start < self._limit:
            self._hash.update(data[: self._limit - start])


def _content_end(block: bytes) -> int:
    """Return the end of the last non-empty line of ``block`` (0 when all lines are empty)."""
    stripped = len(block.rstrip(b"\r\n"))
    rest = block[stripped:]
    start = 0
    if rest != _CRLF * (len(rest) // 2):
        # a line ending in bare CR or LF: the empty CRLF lines start after the last doubling
        start = max(rest.rfind(b"\r\r"), rest.rfind(b"\n\n")) + 1
        start += (len(rest) - start) % 2
    if stripped + start == 0:
        return 0
    return stripped + start + 2
