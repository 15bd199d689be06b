"""Repair mode for aggregate XML: decode leniently and escape what is not markup.

Used only after a strict parse failed. Bytes are decoded with the declared encoding (invalid
sequences become U+FFFD and are counted), the XML declaration is dropped (the text is fed to
expat as Unicode), control characters are replaced, and every ``<`` or ``&`` that cannot
start markup or a predefined entity is escaped. Comments and CDATA sections within one
chunk are passed through untouched.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import BinaryIO

from mailwarden.reports._warn import WarningLog

__all__ = ["repaired_text"]

_CHUNK = 1 << 16
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_DECLARATION = re.compile(r"^[^<]*<\?xml[^>]*\?>")
_FIX = re.compile(
    r"(<!--.*?-->|<!\[CDATA\[.*?\]\]>)"
    r"|(<(?!/?[^\W\d][-\w.:]*(?:\s[^<>]*)?/?>|!--|!\[CDATA\[|\?))"
    r"|(&(?!(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);))"
    r"|([\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff])",
    re.S,
)


def _encoding(head: bytes, log: WarningLog) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    match = _DECLARED.match(head)
    if not match:
        return "utf-8"
    name = match.group(1).decode("ascii")
    try:
        return codecs.lookup(name).name
    except LookupError:
        log.add("aggregate.unknown-encoding", f"unknown encoding {name!r}; read as UTF-8")
        return "utf-8"


def repaired_text(stream: BinaryIO, log: WarningLog) -> Iterator[str]:
    """Yield the document in ``stream`` as repaired text chunks, recording what was fixed."""
    head = stream.read(_CHUNK)
    encoding = _encoding(head, log)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    counts = [0, 0, 0]  # unescaped characters, control characters, invalid byte sequences
    pending = ""
    first = True
    raw = head
    while True:
        final = not raw
        text = pending + decoder.decode(raw, final=final)
        if encoding.startswith("utf-8"):
            counts[2] += max(0, text.count("\ufffd") - pending.count("\ufffd"))
            counts[2] -= raw.count(b"\xef\xbf\xbd")
        if first:
            text = _DECLARATION.sub("", text, count=1).lstrip()
            first = False
        cut = len(text) if final else max(text.rfind("<"), text.rfind("&"))
        if cut < 0:
            cut = len(text)
        pending = text[cut:]
        yield _FIX.sub(lambda m: _fix(m, counts), text[:cut])
        if final:
            break
        raw = stream.read(_CHUNK)
    _report(counts, log)


def _fix(match: re.Match[str], counts: list[int]) -> str:
    if match.group(1):
        return match.group(1)
    if match.group(2):
        counts[0] += 1
        return "&lt;"
    if match.group(3):
        counts[0] += 1
        return "&amp;"
    counts[1] += 1
    return "\ufffd"


def _report(counts: list[int], log: WarningLog) -> None:
    unescaped, control, invalid = counts
    if unescaped:
        log.add(
            "aggregate.unescaped-character",
            "'<' or '&' not escaped in text; kept as text",
            unescaped,
        )
    if control:
        log.add(
            "aggregate.invalid-character",
            "characters not allowed in XML; replaced with U+FFFD",
            control,
        )
    if invalid > 0:
        log.add(
            "aggregate.invalid-utf8",
            "invalid byte sequences; replaced with U+FFFD",
            invalid,
        )
