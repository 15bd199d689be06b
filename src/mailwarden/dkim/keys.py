"""DKIM key records (RFC 6376 section 3.6.1, RFC 8463) and private keys."""

from __future__ import annotations

import base64
import binascii
import functools
from dataclasses import dataclass
from typing import TypeAlias

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from mailwarden.dkim.tags import parse_tag_list, strip_fws
from mailwarden.errors import InputError, ParseError

__all__ = [
    "KeyRecord",
    "KeyRecordError",
    "PrivateKey",
    "PublicKey",
    "load_private_key",
    "parse_key_record",
]

PublicKey: TypeAlias = rsa.RSAPublicKey | ed25519.Ed25519PublicKey
PrivateKey: TypeAlias = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

_KEY_TYPES = ("rsa", "ed25519")


class KeyRecordError(ParseError):
    """A key record that cannot be used; ``reason`` is a stable code (``key-syntax``, ...)."""

    def __init__(self, reason: str, message: str, text: str = "") -> None:
        super().__init__(message, text)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A parsed DKIM key record.

    ``public_key`` is ``None`` for a revoked key (empty ``p=``). ``hash_algorithms`` is
    ``None`` when the record has no ``h=`` (all allowed). ``flags`` holds the ``t=`` flags
    (``y`` testing, ``s`` strict identity); ``services`` the ``s=`` service types.
    """

    key_type: str
    public_key: PublicKey | None
    key_bits: int | None
    hash_algorithms: tuple[str, ...] | None
    services: tuple[str, ...]
    flags: tuple[str, ...]
    notes: str = ""

    @property
    def revoked(self) -> bool:
        """Return True when the record revokes its key (empty ``p=``)."""
        return self.public_key is None

    @property
    def testing(self) -> bool:
        """Return True when the ``t=y`` (testing) flag is set."""
        return "y" in self.flags


@functools.lru_cache(maxsize=512)
def parse_key_record(text: str) -> KeyRecord:
    """Return the key record ``text`` (the TXT strings joined) parsed.

    Raises ``KeyRecordError`` with reason ``key-syntax`` (tag syntax, bad ``v=``), ``key-type``
    (unknown ``k=``) or ``key-malformed`` (``p=`` not base64 or not a key of type ``k=``).
    Results are cached by text: a key is parsed once however many messages it verifies.
    """
    try:
        tags = parse_tag_list(text)
    except ParseError as exc:
        raise KeyRecordError("key-syntax", f"key record: {exc}", text) from None
    if "v" in tags and (tags["v"] != "DKIM1" or not text.lstrip().startswith("v")):
        raise KeyRecordError("key-syntax", f"key record has version {tags['v']!r}, not DKIM1", text)
    if "p" not in tags:
        raise KeyRecordError("key-syntax", "key record has no p= tag", text)
    key_type = tags.get("k", "rsa").lower()
    if key_type not in _KEY_TYPES:
        raise KeyRecordError("key-type", f"unknown key type k={key_type}", text)
    public_key, bits = _public_key(key_type, strip_fws(tags["p"]), text)
    return KeyRecord(
        key_type=key_type,
        public_key=public_key,
        key_bits=bits,
        hash_algorithms=_colon_list(tags["h"]) if "h" in tags else None,
        services=_colon_list(tags.get("s", "*")),
        flags=_colon_list(tags.get("t", "")),
        notes=tags.get("n", ""),
    )


def _colon_list(value: str) -> tuple[str, ...]:
    return tuple(item for item in strip_fws(value).lower().split(":") if item)


def _public_key(key_type: str, data: str, text: str) -> tuple[PublicKey | None, int | None]:
    if not data:
        return None, None
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise KeyRecordError("key-malformed", "p= is not valid base64", text) from None
    if key_type == "ed25519":
        if len(raw) != 32:
            raise KeyRecordError("key-malformed", f"ed25519 key has {len(raw)} bytes, not 32", text)
        return ed25519.Ed25519PublicKey.from_public_bytes(raw), 256
    key = _rsa_public_key(raw)
    if key is None:
        raise KeyRecordError("key-malformed", "p= is not an RSA public key", text)
    return key, key.key_size


def _rsa_public_key(raw: bytes) -> rsa.RSAPublicKey | None:
    """Return the RSA key in ``raw`` (SubjectPublicKeyInfo or bare PKCS#1), or ``None``."""
    for loader in (serialization.load_der_public_key, _load_pkcs1):
        try:
            key = loader(raw)
        except (ValueError, UnsupportedAlgorithm):
            continue
        if isinstance(key, rsa.RSAPublicKey):
            return key
    return None


def _load_pkcs1(raw: bytes) -> object:
    pem = b"-----BEGIN RSA PUBLIC KEY-----\n" + base64.encodebytes(raw)
    return serialization.load_pem_public_key(pem + b"-----END RSA PUBLIC KEY-----\n")


@functools.lru_cache(maxsize=64)
def load_private_key(data: bytes) -> PrivateKey:
    """Return the private key in ``data``: PEM (PKCS#1 or PKCS#8, RSA or Ed25519), or an
    Ed25519 seed of 32 bytes in base64 (the form RFC 8463 and dkimpy use).

    Raises ``InputError`` for anything else (including encrypted keys). Loaded keys are
    cached by their bytes, so signing many messages with one key parses it once.
    """
    stripped = data.strip()
    if b"-----BEGIN" not in stripped:
        return _ed25519_seed(stripped)
    try:
        key = serialization.load_pem_private_key(stripped, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InputError(f"cannot read the private key: {exc}") from None
    if isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        return key
    raise InputError(f"unsupported private key type {type(key).__name__}")


def _ed25519_seed(data: bytes) -> ed25519.Ed25519PrivateKey:
    try:
        seed = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("the private key is neither PEM nor a base64 Ed25519 seed") from None
    if len(seed) != 32:
        raise InputError(f"an Ed25519 seed has 32 bytes, this one {len(seed)}")
    return ed25519.Ed25519PrivateKey.from_private_bytes(seed)
