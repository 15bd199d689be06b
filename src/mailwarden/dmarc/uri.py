"""DMARC reporting URIs (``rua`` / ``ruf`` values): parsing with the legacy ``!size`` suffix."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from mailwarden.dns.names import validate_domain
from mailwarden.errors import InputError, ParseError

__all__ = ["ReportUri", "parse_report_uri"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_SIZE = re.compile(r"!(\d{1,15})([kmgtKMGT]?)$")
_URI_CHARS = re.compile(r"^[\x21-\x7e]+$")


@dataclass(frozen=True, slots=True)
class ReportUri:
    """One reporting URI.

    ``uri`` is the URI without any legacy size suffix; ``scheme`` is lower case; ``domain`` is
    the destination's domain in A-label form (the host of a ``mailto:`` address or of an
    ``https:`` URI), ``None`` when the URI names none; ``size_limit`` is the obsolete
    ``!size`` suffix (``"10m"``) when one was given.
    """

    uri: str
    scheme: str
    domain: str | None
    size_limit: str | None = None

    @property
    def is_mailto(self) -> bool:
        """Return True for a ``mailto:`` URI (the scheme every report sender supports)."""
        return self.scheme == "mailto"


def parse_report_uri(text: str) -> ReportUri:
    """Return the ``ReportUri`` written as ``text`` (one element of a ``rua`` / ``ruf`` list).

    Raises ``ParseError`` when ``text`` is not a URI (no scheme, spaces or control characters,
    a ``mailto:`` without a usable domain).
    """
    raw = text.strip(" \t")
    size = None
    match = _SIZE.search(raw)
    if match:
        size = match.group(1) + match.group(2).lower()
        raw = raw[: match.start()]
    if not raw or not _URI_CHARS.match(raw) or not _SCHEME.match(raw):
        raise ParseError("not a URI", text, 0)
    scheme = raw.split(":", 1)[0].lower()
    domain = _destination_domain(scheme, raw)
    return ReportUri(uri=raw, scheme=scheme, domain=domain, size_limit=size)


def _destination_domain(scheme: str, raw: str) -> str | None:
    if scheme == "mailto":
        address = unquote(raw.split(":", 1)[1].split("?", 1)[0])
        if "@" not in address or not address.rsplit("@", 1)[0]:
            raise ParseError("mailto: URI without a mailbox", raw, len(scheme) + 1)
        return _domain(address.rsplit("@", 1)[1], raw)
    try:
        host = urlsplit(raw).hostname
    except ValueError:
        raise ParseError("malformed URI", raw, 0) from None
    return _domain(host, raw) if host else None


def _domain(host: str, raw: str) -> str:
    try:
        return validate_domain(host)
    except InputError:
        raise ParseError(f"URI names an invalid domain {host!r}", raw, raw.find(host)) from None
