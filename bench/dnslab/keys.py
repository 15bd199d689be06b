"""Deterministic DKIM public keys: the same seed always gives the same keys.

RSA keys are built from seeded primes (Miller-Rabin with seeded witnesses), Ed25519 keys from
seeded private bytes. They are public test keys for a lab, never for signing real mail.
"""

from __future__ import annotations

import base64
import random
from functools import cache
from math import gcd

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from bench.dnslab.keypool import RSA_POOL

__all__ = ["ed25519_public_b64", "generate_rsa_public_b64", "rsa_public_b64"]

_SMALL_PRIMES = [p for p in range(3, 10_000) if all(p % d for d in range(2, int(p**0.5) + 1))]
_SMALL_PRODUCT = 1
for _p in _SMALL_PRIMES:
    _SMALL_PRODUCT *= _p
_E = 65537


def _probably_prime(n: int, rng: random.Random, rounds: int = 8) -> bool:
    if n % 2 == 0:
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if gcd(candidate, _SMALL_PRODUCT) != 1 or (candidate - 1) % _E == 0:
            continue
        if _probably_prime(candidate, rng):
            return candidate


def rsa_public_b64(bits: int, seed: str) -> str:
    """Return the base64 SubjectPublicKeyInfo of an RSA key of ``bits`` derived from ``seed``.

    Keys of the fixed pool (``pool-0``, ``pool-1`` at 1024 and 2048 bits) come from constants.
    """
    pooled = RSA_POOL.get((bits, seed))
    return pooled if pooled is not None else generate_rsa_public_b64(bits, seed)


@cache
def generate_rsa_public_b64(bits: int, seed: str) -> str:
    """Return the RSA public key of ``bits`` derived from ``seed``, computed (slow)."""
    rng = random.Random(f"rsa-{bits}-{seed}")
    while True:
        p, q = _prime(bits // 2, rng), _prime(bits // 2, rng)
        if p != q and (p * q).bit_length() == bits:
            break
    key = rsa.RSAPublicNumbers(_E, p * q).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


@cache
def ed25519_public_b64(seed: str) -> str:
    """Return the base64 raw 32-byte Ed25519 public key derived from ``seed`` (RFC 8463)."""
    rng = random.Random(f"ed25519-{seed}")
    private = ed25519.Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode("ascii")
