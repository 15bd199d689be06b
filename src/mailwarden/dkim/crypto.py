"""The header hash and the signature primitives shared by signing and verification."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, utils

from mailwarden.dkim.canon import Canon, canonicalize_header
from mailwarden.dkim.keys import PrivateKey, PublicKey
from mailwarden.dkim.message import Header

__all__ = ["HeaderIndex", "header_digest", "sign_digest", "verify_digest"]

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"sha256": hashes.SHA256, "sha1": hashes.SHA1}


class HeaderIndex:
    """The fields of a message by lower-case name, for picking them bottom-up (RFC 6376 5.4.2)."""

    __slots__ = ("_by_name",)

    def __init__(self, headers: Iterable[Header]) -> None:
        self._by_name: dict[str, list[Header]] = {}
        for header in headers:
            self._by_name.setdefault(header.name, []).append(header)

    def count(self, name: str) -> int:
        """Return how many fields are called ``name`` (lower case)."""
        return len(self._by_name.get(name, ()))

    def select(self, names: Sequence[str]) -> list[Header]:
        """Return the fields ``names`` pick: each name takes the lowest field not yet taken;
        a name with no field left picks nothing."""
        used: dict[str, int] = {}
        picked = []
        for name in names:
            fields = self._by_name.get(name)
            taken = used.get(name, 0)
            if fields is None or taken >= len(fields):
                continue
            used[name] = taken + 1
            picked.append(fields[-1 - taken])
        return picked


def header_digest(
    index: HeaderIndex, names: Sequence[str], canon: Canon, signature_field: bytes, hash_name: str
) -> bytes:
    """Return the header hash: the fields ``names`` picks, canonicalized, then
    ``signature_field`` (with its ``b=`` value already empty) without its final CRLF."""
    digest = hashlib.new(hash_name)
    for header in index.select(names):
        digest.update(canonicalize_header(header.raw, canon))
    digest.update(canonicalize_header(signature_field, canon)[:-2])
    return digest.digest()


def sign_digest(key: PrivateKey, digest: bytes, hash_name: str) -> bytes:
    """Return the signature of ``digest``: RSASSA-PKCS1-v1_5 for RSA, PureEdDSA over the
    digest for Ed25519 (RFC 8463)."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(digest)
    return key.sign(digest, padding.PKCS1v15(), utils.Prehashed(_HASHES[hash_name]()))


def verify_digest(key: PublicKey, signature: bytes, digest: bytes, hash_name: str) -> bool:
    """Return True when ``signature`` over ``digest`` verifies with ``key``."""
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, digest)
        else:
            key.verify(signature, digest, padding.PKCS1v15(), utils.Prehashed(_HASHES[hash_name]()))
    except InvalidSignature:
        return False
    return True
