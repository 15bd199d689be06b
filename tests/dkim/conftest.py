"""Shared DKIM fixtures: keys made once per session, a plain message, a resolver for a key."""

from __future__ import annotations

import base64
import math
import random
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mailwarden.dkim import GeneratedKey, generate_key
from mailwarden.testing import ZoneResolver

MESSAGE = (
    b"Received: from localhost\r\n"
    b"Message-ID: <example@example.com>\r\n"
    b"Date: Mon, 01 Jan 2011 01:02:03 +0400\r\n"
    b"From: Test User <test@example.com>\r\n"
    b"To: somebody@example.com\r\n"
    b"Subject: Testing\r\n"
    b"\r\n"
    b"This is a test message.\r\n"
)


@dataclass(frozen=True)
class Keys:
    """Keys shared by the DKIM tests."""

    rsa: GeneratedKey
    ed25519: GeneratedKey
    rsa512_pem: bytes
    rsa512_record: str


@pytest.fixture(scope="session")
def keys() -> Keys:
    """An RSA-2048, an Ed25519 and a (too short) RSA-512 key pair."""
    short = _small_rsa_key(512)
    der = short.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pem = short.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    record = f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
    return Keys(generate_key("rsa", 2048), generate_key("ed25519"), pem, record)


def _small_rsa_key(bits: int) -> rsa.RSAPrivateKey:
    """Return an RSA key too small for ``generate_private_key`` (which refuses under 1024)."""
    rng = random.Random(bits)
    e = 65537
    while True:
        p, q = _prime(rng, bits // 2), _prime(rng, bits // 2)
        phi = (p - 1) * (q - 1)
        if p != q and math.gcd(e, phi) == 1:
            break
    d = pow(e, -1, phi)
    public = rsa.RSAPublicNumbers(e, p * q)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), public
    )
    return numbers.private_key()


def _prime(rng: random.Random, bits: int) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if all(pow(rng.randrange(2, candidate - 1), candidate - 1, candidate) == 1
               for _ in range(20)):  # fmt: skip
            return candidate


def resolver_for(**records: str) -> ZoneResolver:
    """Return a resolver publishing ``{selector: record}`` under ``_domainkey.example.com``."""
    return ZoneResolver.from_dict(
        {f"{sel}._domainkey.example.com": {"TXT": rec} for sel, rec in records.items()}
    )
