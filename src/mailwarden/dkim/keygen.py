"""Key generation: a private key in PEM and the TXT record that publishes its public half."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from mailwarden.dkim.sign import validate_selector
from mailwarden.errors import InputError

__all__ = ["MIN_RSA_BITS", "GeneratedKey", "generate_key", "split_txt", "zone_line"]

MIN_RSA_BITS = 1024
MAX_RSA_BITS = 8192
_TXT_STRING = 255


@dataclass(frozen=True, slots=True)
class GeneratedKey:
    """A new key pair: ``private_pem`` (PKCS#8, unencrypted) and ``record``, the TXT value."""

    algorithm: str
    bits: int
    private_pem: bytes
    record: str


def generate_key(algorithm: str = "rsa", bits: int = 2048) -> GeneratedKey:
    """Return a new key pair for ``algorithm`` (``rsa`` or ``ed25519``; ``bits`` is for RSA).

    Raises ``InputError`` for an unknown algorithm or RSA sizes outside 1024..8192 bits.
    """
    if algorithm == "ed25519":
        private: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey = (
            ed25519.Ed25519PrivateKey.generate()
        )
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        bits = 256
    elif algorithm == "rsa":
        if not MIN_RSA_BITS <= bits <= MAX_RSA_BITS:
            raise InputError(
                f"RSA keys must have {MIN_RSA_BITS} to {MAX_RSA_BITS} bits, not {bits}"
            )
        private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        raw = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    else:
        raise InputError(f"unknown algorithm {algorithm!r}; use rsa or ed25519")
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    record = f"v=DKIM1; k={algorithm}; p={base64.b64encode(raw).decode('ascii')}"
    return GeneratedKey(algorithm, bits, pem, record)


def split_txt(value: str) -> list[str]:
    """Return ``value`` cut into TXT character-strings of at most 255 characters."""
    return [value[i : i + _TXT_STRING] for i in range(0, len(value), _TXT_STRING)] or [""]


def zone_line(domain: str, selector: str, record: str, ttl: int = 3600) -> str:
    """Return the zone-file line publishing ``record`` at ``selector._domainkey.domain``.

    Raises ``InputError`` when ``selector`` is not a DNS name (empty, a ``/``, an empty label).
    """
    validate_selector(selector)
    strings = " ".join(f'"{part}"' for part in split_txt(record))
    return f"{selector}._domainkey.{domain}.\t{ttl}\tIN\tTXT\t{strings}"
