"""Tag=value lists (RFC 6376 section 3.2), shared by DKIM-Signature fields and key records."""

from __future__ import annotations

import re

from mailwarden.errors import ParseError

__all__ = ["parse_tag_list", "strip_fws"]

_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_FWS = " \t\r\n"
# tag-value: VALCHARs (printable ASCII except ";") separated by folding white space.
_BAD_VALUE_CHAR = re.compile(r"[^\x21-\x3a\x3c-\x7e \t\r\n]")


def parse_tag_list(text: str) -> dict[str, str]:
    """Return the tags of ``text`` as ``{name: value}``, values stripped of surrounding FWS.

    Empty tag-specs (``;;`` or a trailing ``;``) are skipped. Raises ``ParseError`` with the
    position for a tag without ``=``, an invalid tag name, a duplicate tag or a value holding
    characters outside printable US-ASCII.
    """
    tags: dict[str, str] = {}
    position = 0
    for spec in text.split(";"):
        start = position
        position += len(spec) + 1
        if not spec.strip(_FWS):
            continue
        name, eq, value = spec.partition("=")
        at = start + len(spec) - len(spec.lstrip(_FWS))
        name = name.strip(_FWS)
        if not eq:
            raise ParseError(f"tag {name[:20]!r} has no '='", text, at)
        if not _TAG_NAME.match(name):
            raise ParseError(f"invalid tag name {name[:20]!r}", text, at)
        if name in tags:
            raise ParseError(f"duplicate tag {name!r}", text, at)
        bad = _BAD_VALUE_CHAR.search(value)
        if bad is not None:
            offset = start + len(spec) - len(value) + bad.start()
            raise ParseError(f"invalid character in tag {name!r}", text, offset)
        tags[name] = value.strip(_FWS)
    return tags


def strip_fws(value: str) -> str:
    """Return ``value`` without any space, tab, CR or LF (for base64 values and lists)."""
    return value.translate(_DELETE_FWS)


_DELETE_FWS = str.maketrans("", "", _FWS)
