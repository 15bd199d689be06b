"""Parsers for the small ``v=...; k=v`` TXT records an audit reads: MTA-STS, TLS-RPT and BIMI."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailwarden.errors import ParseError

__all__ = [
    "BimiRecord",
    "MtaStsRecord",
    "TlsRptRecord",
    "parse_bimi_record",
    "parse_mta_sts_record",
    "parse_tag_list",
    "parse_tls_rpt_record",
]

_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_STS_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")


@dataclass(frozen=True, slots=True)
class MtaStsRecord:
    """An ``_mta-sts`` TXT record (RFC 8461 section 3.1)."""

    id: str
    extensions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class TlsRptRecord:
    """An ``_smtp._tls`` TXT record (RFC 8460 section 3)."""

    rua: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BimiRecord:
    """A ``default._bimi`` TXT record: logo location ``l`` and evidence (VMC) location ``a``."""

    location: str
    authority: str


def parse_tag_list(text: str, *, version_tag: str, version: str) -> list[tuple[str, str]]:
    """Return the ``(tag, value)`` pairs of a ``v=VERSION; tag=value; ...`` record.

    The version tag must come first with exactly ``version``. Tag names are compared in lower
    case. Raises ``ParseError`` with the position of the first problem (missing or wrong
    version, a part without ``=``, a malformed or duplicated tag name).
    """
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    position = 0
    for part in text.split(";"):
        start = position + len(part) - len(part.lstrip())
        position += len(part) + 1
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not _TAG.match(name):
            raise ParseError(f"malformed tag {part.strip()!r}", text, start)
        key = name.lower()
        if key in seen:
            raise ParseError(f"tag {name!r} appears twice", text, start)
        seen.add(key)
        pairs.append((key, value.strip()))
    if not pairs or pairs[0][0] != version_tag:
        raise ParseError(f"record must start with {version_tag}={version}", text, 0)
    if pairs[0][1] != version:
        raise ParseError(f"unsupported version {pairs[0][1]!r}, expected {version}", text, 0)
    return pairs


def parse_mta_sts_record(text: str) -> MtaStsRecord:
    """Return the parsed ``v=STSv1; id=...`` record; raises ``ParseError`` when invalid."""
    pairs = parse_tag_list(text, version_tag="v", version="STSv1")
    tags = dict(pairs)
    if "id" not in tags:
        raise ParseError("MTA-STS record has no id tag", text, None)
    if not _STS_ID.match(tags["id"]):
        raise ParseError(
            f"MTA-STS id {tags['id']!r} must be 1 to 32 letters and digits", text, text.find("id")
        )
    extensions = tuple((k, v) for k, v in pairs if k not in ("v", "id"))
    return MtaStsRecord(tags["id"], extensions)


def parse_tls_rpt_record(text: str) -> TlsRptRecord:
    """Return the parsed ``v=TLSRPTv1; rua=...`` record; raises ``ParseError`` when invalid.

    ``rua`` is a comma-separated list of ``mailto:`` or ``https:`` URIs and is required.
    """
    tags = dict(parse_tag_list(text, version_tag="v", version="TLSRPTv1"))
    if "rua" not in tags or not tags["rua"]:
        raise ParseError("TLS-RPT record has no rua tag", text, None)
    uris = tuple(u.strip() for u in tags["rua"].split(",") if u.strip())
    for uri in uris:
        if not uri.lower().startswith(("mailto:", "https:")):
            raise ParseError(f"rua URI {uri!r} must be mailto: or https:", text, text.find(uri))
    return TlsRptRecord(uris)


def parse_bimi_record(text: str) -> BimiRecord:
    """Return the parsed ``v=BIMI1; l=...; a=...`` record; raises ``ParseError`` when invalid.

    ``l`` and ``a`` must be ``https:`` URLs when not empty (an empty ``l`` declines BIMI).
    """
    tags = dict(parse_tag_list(text, version_tag="v", version="BIMI1"))
    location, authority = tags.get("l", ""), tags.get("a", "")
    for name, url in (("l", location), ("a", authority)):
        if url and not url.lower().startswith("https://"):
            raise ParseError(
                f"BIMI {name}= must be an https URL, got {url!r}", text, text.find(url)
            )
    return BimiRecord(location, authority)
