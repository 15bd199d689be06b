"""The DKIM-Signature header field: parse and check its tags (RFC 6376 sections 3.5, 6.1.1)."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from mailwarden.dkim.canon import Canon, parse_canonicalization
from mailwarden.dkim.tags import parse_tag_list, strip_fws
from mailwarden.errors import ParseError

__all__ = ["ALGORITHMS", "Signature", "SignatureError", "parse_signature", "strip_b_value"]

ALGORITHMS = {
    "rsa-sha256": ("rsa", "sha256"),
    "rsa-sha1": ("rsa", "sha1"),
    "ed25519-sha256": ("ed25519", "sha256"),
}
_REQUIRED = ("v", "a", "b", "bh", "d", "h", "s")
_DOMAIN = re.compile(
    r"(?=.{1,253}\Z)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\Z"
)
_SELECTOR = _DOMAIN
_DIGITS = re.compile(r"[0-9]{1,76}\Z")
MAX_SIGNATURE_BYTES = 16384


class SignatureError(ParseError):
    """A DKIM-Signature that cannot be used; ``reason`` is a stable code."""

    def __init__(self, reason: str, message: str, text: str = "", position: int | None = None):
        super().__init__(message, text, position)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Signature:
    """The checked tags of one DKIM-Signature field."""

    algorithm: str
    key_type: str
    hash_name: str
    signature: bytes
    body_hash: bytes
    header_canon: Canon
    body_canon: Canon
    domain: str
    selector: str
    signed_headers: tuple[str, ...]
    identity: str
    body_length: int | None
    timestamp: int | None
    expiration: int | None
    b_text: str


def parse_signature(raw_value: bytes) -> Signature:
    """Return the checked tags of a DKIM-Signature field value ``raw_value``.

    Raises ``SignatureError`` whose ``reason`` is one of ``signature-syntax``,
    ``signature-too-long``, ``missing-tag``, ``bad-version``, ``unsupported-algorithm``,
    ``unsupported-canonicalization``, ``unsupported-query-method``, ``bad-base64``,
    ``bad-domain``, ``bad-selector``, ``identity-mismatch``, ``from-not-signed``,
    ``bad-body-length``, ``bad-timestamp``.
    """
    if len(raw_value) > MAX_SIGNATURE_BYTES:
        raise SignatureError("signature-too-long", f"field is over {MAX_SIGNATURE_BYTES} bytes")
    try:
        text = raw_value.decode("ascii")
        tags = parse_tag_list(text)
    except UnicodeDecodeError as exc:
        raise SignatureError("signature-syntax", "8-bit byte in the field", "", exc.start) from None
    except ParseError as exc:
        raise SignatureError("signature-syntax", exc.message, exc.text, exc.position) from None
    return _check(tags)


def _check(tags: dict[str, str]) -> Signature:
    missing = [name for name in _REQUIRED if name not in tags]
    if missing:
        raise SignatureError("missing-tag", f"required tag {missing[0]}= is missing")
    if tags["v"] != "1":
        raise SignatureError("bad-version", f"v={tags['v'][:20]} is not 1")
    algorithm = tags["a"].lower()
    if algorithm not in ALGORITHMS:
        raise SignatureError("unsupported-algorithm", f"unknown algorithm a={algorithm[:30]}")
    header_canon, body_canon = _canonicalization(tags.get("c", "simple/simple"))
    if "dns/txt" not in strip_fws(tags.get("q", "dns/txt")).lower().split(":"):
        raise SignatureError("unsupported-query-method", "q= does not offer dns/txt")
    domain, selector = _domain(tags["d"]), _selector(tags["s"])
    signed = tuple(name.lower() for name in strip_fws(tags["h"]).split(":") if name)
    if "from" not in signed:
        raise SignatureError("from-not-signed", "h= does not include From")
    timestamp, expiration = _number(tags, "t", 12), _number(tags, "x", 12)
    if timestamp is not None and expiration is not None and expiration <= timestamp:
        raise SignatureError("bad-timestamp", f"x={expiration} is not after t={timestamp}")
    kind, hash_name = ALGORITHMS[algorithm]
    return Signature(
        algorithm=algorithm,
        key_type=kind,
        hash_name=hash_name,
        signature=_base64(tags["b"], "b"),
        body_hash=_base64(tags["bh"], "bh"),
        header_canon=header_canon,
        body_canon=body_canon,
        domain=domain,
        selector=selector,
        signed_headers=signed,
        identity=_identity(tags.get("i"), domain),
        body_length=_number(tags, "l", 76),
        timestamp=timestamp,
        expiration=expiration,
        b_text=strip_fws(tags["b"]),
    )


def _canonicalization(value: str) -> tuple[Canon, Canon]:
    try:
        return parse_canonicalization(strip_fws(value))
    except ValueError:
        raise SignatureError("unsupported-canonicalization", f"unknown c={value[:30]}") from None


def _domain(value: str) -> str:
    domain = value.rstrip(".")
    if not _DOMAIN.match(domain):
        raise SignatureError("bad-domain", f"d={value[:60]} is not a domain name")
    return domain.lower()


def _selector(value: str) -> str:
    if not _SELECTOR.match(value):
        raise SignatureError("bad-selector", f"s={value[:60]} is not a selector")
    return value.lower()


def _identity(value: str | None, domain: str) -> str:
    if value is None:
        return "@" + domain
    local, at, host = value.rpartition("@")
    host = host.rstrip(".").lower()
    if not at or not (host == domain or host.endswith("." + domain)):
        raise SignatureError("identity-mismatch", f"i={value[:60]} is not within d={domain}")
    return f"{local}@{host}"


def _number(tags: dict[str, str], name: str, digits: int) -> int | None:
    if name not in tags:
        return None
    value = tags[name]
    if not _DIGITS.match(value) or len(value) > digits:
        reason = "bad-body-length" if name == "l" else "bad-timestamp"
        raise SignatureError(reason, f"{name}={value[:30]} is not a number of {digits} digits")
    return int(value)


def _base64(value: str, name: str) -> bytes:
    try:
        data = base64.b64decode(strip_fws(value), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("bad-base64", f"{name}= is not valid base64") from None
    if not data:
        raise SignatureError("bad-base64", f"{name}= is empty")
    return data


def strip_b_value(raw: bytes) -> bytes:
    """Return the DKIM-Signature field ``raw`` with the value of its ``b=`` tag removed.

    The tag name, its ``=`` and any white space before the name stay; everything after ``=``
    up to the next ``;`` (or the end of the field, before its CRLF) goes, as RFC 6376
    section 3.7 requires. ``raw`` must hold a well-formed tag list.
    """
    crlf = raw.endswith(b"\r\n")
    body = raw[:-2] if crlf else raw
    name, colon, value = body.partition(b":")
    specs = value.split(b";")
    for index, spec in enumerate(specs):
        tag, eq, _ = spec.partition(b"=")
        if eq and tag.strip(b" \t\r\n") == b"b":
            specs[index] = tag + eq
            break
    return name + colon + b";".join(specs) + (b"\r\n" if crlf else b"")
