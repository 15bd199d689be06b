"""Domain-name checks and normalization shared by every protocol and command."""

from __future__ import annotations

import re

import idna

from mailwarden.errors import InputError

__all__ = ["is_subdomain", "normalize_name", "to_ascii", "to_unicode", "validate_domain"]

_LDH = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
MAX_NAME_OCTETS = 253
MAX_LABEL_OCTETS = 63


def normalize_name(name: str) -> str:
    """Return ``name`` in lower case without a trailing dot (no validation)."""
    return name.rstrip(".").lower() if name != "." else ""


def to_ascii(name: str) -> str:
    """Return ``name`` with U-labels converted to A-labels (IDNA 2008, UTS 46 mapping).

    Raises ``InputError`` naming the input when a label is not valid IDNA.
    """
    cleaned = normalize_name(name.strip())
    if cleaned.isascii():
        return cleaned
    try:
        return idna.encode(cleaned, uts46=True).decode("ascii").lower()
    except idna.IDNAError as exc:
        raise InputError(f"{name!r} is not a valid internationalized domain name: {exc}") from None


def to_unicode(name: str) -> str:
    """Return ``name`` with A-labels shown as U-labels; the input unchanged if it has none or
    cannot be decoded."""
    if name.isascii() and "xn--" not in name.lower():
        return name  # no A-label: nothing to show differently (and IDNA decoding is slow)
    try:
        return idna.decode(name)
    except (idna.IDNAError, UnicodeError):
        return name


def validate_domain(name: str) -> str:
    """Return ``name`` as a normalized A-label domain, or raise ``InputError`` naming what is wrong.

    Rejected: empty names, empty labels, labels over 63 octets, names over 253 octets, and
    characters other than letters, digits, hyphen and underscore (underscore is allowed for
    service names like ``_dmarc``), and ``xn--`` labels that are not valid Punycode. A single
    trailing dot is accepted.
    """
    if not name or not name.strip() or name.strip() == ".":
        raise InputError("empty domain name")
    ascii_name = to_ascii(name)
    if len(ascii_name) > MAX_NAME_OCTETS:
        raise InputError(f"{name!r}: name is {len(ascii_name)} octets long, over {MAX_NAME_OCTETS}")
    for label in ascii_name.split("."):
        if not label:
            raise InputError(f"{name!r}: empty label")
        if len(label) > MAX_LABEL_OCTETS:
            raise InputError(
                f"{name!r}: label {label[:20]!r}... is {len(label)} octets, over {MAX_LABEL_OCTETS}"
            )
        if not _LDH.match(label):
            raise InputError(f"{name!r}: label {label!r} has characters not allowed in a host name")
        if label.startswith("xn--") and not _is_a_label(label):
            raise InputError(
                f"{name!r}: label {label!r} starts with xn-- but is not valid Punycode"
            )
    return ascii_name


def _is_a_label(label: str) -> bool:
    """Return True when ``label`` (``xn--...``) decodes as Punycode to a label with at least
    one non-ASCII character, as an A-label must (RFC 5890, 2.3.2.1). IDNA 2008's further rules
    are not applied: names registered under IDNA 2003 (emoji) still exist and are scanned."""
    try:
        decoded = label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError, OverflowError):
        return False
    return bool(decoded) and not decoded.isascii()


def is_subdomain(name: str, parent: str) -> bool:
    """Return True when ``name`` equals ``parent`` or lies below it (case-insensitive)."""
    child, root = normalize_name(name), normalize_name(parent)
    return not root or child == root or child.endswith("." + root)
