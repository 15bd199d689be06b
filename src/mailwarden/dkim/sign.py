"""DKIM signing (RFC 6376 section 5): build the DKIM-Signature field to prepend."""

from __future__ import annotations

import base64
import datetime as dt
import re
import time
from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric import ed25519

from mailwarden.dkim.canon import BodyHasher, Canon, parse_canonicalization
from mailwarden.dkim.crypto import HeaderIndex, header_digest, sign_digest
from mailwarden.dkim.keys import load_private_key
from mailwarden.dkim.message import parse_message
from mailwarden.dkim.signature import ALGORITHMS
from mailwarden.dns import validate_domain
from mailwarden.errors import InputError

__all__ = ["DEFAULT_SIGNED_HEADERS", "sign", "validate_selector"]

DEFAULT_SIGNED_HEADERS = (
    "from",
    "reply-to",
    "subject",
    "date",
    "to",
    "cc",
    "resent-date",
    "resent-from",
    "resent-sender",
    "resent-to",
    "resent-cc",
    "in-reply-to",
    "references",
    "list-id",
    "list-help",
    "list-unsubscribe",
    "list-subscribe",
    "list-post",
    "list-owner",
    "list-archive",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "sender",
)
"""RFC 6376 section 5.4.1's list plus the MIME fields, Message-ID and Sender."""

_SELECTOR = re.compile(
    r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\Z"
)
_FOLD = 76


def validate_selector(selector: str) -> str:
    """Return ``selector`` when it is a DNS name (dot-separated labels of letters, digits,
    ``_`` and ``-``); raise ``InputError`` otherwise (empty, a ``/``, an empty label)."""
    if not _SELECTOR.match(selector):
        raise InputError(f"{selector!r} is not a valid selector")
    return selector


def sign(
    message: bytes,
    *,
    domain: str,
    selector: str,
    private_key: bytes,
    algorithm: str | None = None,
    canonicalization: str = "relaxed/relaxed",
    headers: Sequence[str] | None = None,
    now: dt.datetime | None = None,
    identity: str | None = None,
    body_length: bool = False,
    expires_in: int | None = None,
) -> bytes:
    """Return the ``DKIM-Signature: ...\\r\\n`` field to prepend to ``message``.

    The algorithm follows from ``private_key`` (``rsa-sha256`` or ``ed25519-sha256``);
    ``algorithm`` may name it, or ``rsa-sha1`` for an RSA key. ``headers`` are the field
    names to sign (default: those of :data:`DEFAULT_SIGNED_HEADERS` present, each as often
    as it occurs, From once more so that no From can be added). ``identity`` sets ``i=``,
    ``body_length`` adds ``l=``, ``expires_in`` seconds sets ``x=``. LF-only input is read
    as CRLF. Raises ``InputError`` for an unusable key or option (an ``identity`` outside
    ``domain``) or a message without From,
    ``ParseError`` for a message that cannot be parsed.
    """
    key = load_private_key(private_key)
    kind = "ed25519" if isinstance(key, ed25519.Ed25519PrivateKey) else "rsa"
    algorithm = _algorithm(algorithm, kind)
    hash_name = ALGORITHMS[algorithm][1]
    header_canon, body_canon = _canonicalization(canonicalization)
    domain = validate_domain(domain)
    validate_selector(selector)
    if identity is not None and not _within(identity, domain):
        raise InputError(f"identity {identity!r} is not within {domain}")
    parsed = parse_message(message)
    index = HeaderIndex(parsed.headers)
    names = _signed_names(index, headers)
    hasher = BodyHasher(body_canon, hash_name)
    hasher.update(parsed.body)
    body_hash = hasher.digest()
    stamp = int(now.timestamp()) if now is not None else int(time.time())
    tags = [
        ("v", "1"),
        ("a", algorithm),
        ("c", f"{header_canon}/{body_canon}"),
        ("d", domain),
        ("s", selector),
    ]
    if identity is not None:
        tags.append(("i", identity))
    tags.append(("t", str(stamp)))
    if expires_in is not None:
        tags.append(("x", str(stamp + expires_in)))
    if body_length:
        tags.append(("l", str(hasher.length)))
    tags += [("h", ":".join(names)), ("bh", base64.b64encode(body_hash).decode("ascii"))]
    unsigned = _fold(tags)
    digest = header_digest(index, names, header_canon, unsigned.encode("ascii"), hash_name)
    signature = base64.b64encode(sign_digest(key, digest, hash_name)).decode("ascii")
    return (unsigned + _fold_b(signature, len(unsigned) - unsigned.rfind("\n"))).encode("ascii")


def _within(identity: str, domain: str) -> bool:
    host = identity.rpartition("@")[2].rstrip(".").lower()
    return "@" in identity and (host == domain or host.endswith("." + domain))


def _algorithm(requested: str | None, kind: str) -> str:
    if requested is None:
        return f"{kind}-sha256"
    name = requested.lower()
    if name not in ALGORITHMS:
        raise InputError(f"unknown algorithm {requested!r}")
    if ALGORITHMS[name][0] != kind:
        raise InputError(f"algorithm {name} does not fit an {kind} key")
    return name


def _canonicalization(value: str) -> tuple[Canon, Canon]:
    try:
        return parse_canonicalization(value)
    except ValueError:
        raise InputError(f"unknown canonicalization {value!r}") from None


def _signed_names(index: HeaderIndex, headers: Sequence[str] | None) -> list[str]:
    if index.count("from") == 0:
        raise InputError("the message has no From field, which DKIM must sign")
    if headers is not None:
        names = [name.strip().lower() for name in headers if name.strip()]
        if "from" not in names:
            raise InputError("the signed headers must include From")
        return names
    names = []
    for name in DEFAULT_SIGNED_HEADERS:
        names += [name] * (index.count(name) + (1 if name == "from" else 0))
    return names


def _fold(tags: list[tuple[str, str]]) -> str:
    """Return ``DKIM-Signature: tag=value; ...; b=`` folded at about 76 columns."""
    lines = ["DKIM-Signature:"]
    for name, value in tags:
        parts = value.split(":") if name == "h" else [value]
        piece = f" {name}={parts[0]}"
        for part in parts[1:]:
            if len(lines[-1]) + len(piece) + len(part) + 1 > _FOLD:
                _add(lines, piece)
                piece = ""
            piece += ":" + part
        _add(lines, piece + ";")
    _add(lines, " b=")
    return "\r\n".join(lines)


def _add(lines: list[str], piece: str) -> None:
    if len(lines[-1]) + len(piece) > _FOLD and lines[-1].strip():
        lines.append("\t" + piece.lstrip(" "))
    else:
        lines[-1] += piece


def _fold_b(value: str, column: int) -> str:
    """Return the ``b=`` value folded so that lines stay under about 76 columns, with CRLF."""
    first = max(_FOLD - column, 0)
    chunks = [value[:first]] + [value[i : i + 64] for i in range(first, len(value), 64)]
    return "\r\n\t".join(c for c in chunks if c) + "\r\n"
