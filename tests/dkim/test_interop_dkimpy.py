"""Interoperability with dkimpy: each verifies the other's signatures and rejects tampering."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization

import dkim as dkimpy
from mailwarden.dkim import DkimStatus, GeneratedKey, sign, verify
from mailwarden.dkim.keys import load_private_key
from tests.dkim.conftest import MESSAGE, Keys, resolver_for

CANONS = ["simple/simple", "relaxed/relaxed", "relaxed/simple"]


def _dnsfunc(record: str):  # type: ignore[no-untyped-def]
    def lookup(name: bytes, timeout: int = 5) -> bytes:
        assert name in (b"sel._domainkey.example.com.", b"sel._domainkey.example.com")
        return record.encode()

    return lookup


def _dkimpy_key(key: GeneratedKey) -> bytes:
    """dkimpy reads RSA keys as PEM and Ed25519 keys as a base64 seed."""
    if key.algorithm == "rsa":
        return key.private_pem
    raw = load_private_key(key.private_pem).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw)


@pytest.mark.parametrize("canon", CANONS)
@pytest.mark.parametrize("algorithm", ["rsa", "ed25519"])
def test_dkimpy_verifies_mailwarden(keys: Keys, algorithm: str, canon: str) -> None:
    """dkimpy verifies what mailwarden signed, and rejects it once the body changes."""
    key = getattr(keys, algorithm)
    header = sign(MESSAGE, domain="example.com", selector="sel", private_key=key.private_pem,
                  canonicalization=canon)  # fmt: skip
    assert dkimpy.verify(header + MESSAGE, dnsfunc=_dnsfunc(key.record)) is True
    tampered = header + MESSAGE.replace(b"test message", b"test massage")
    assert dkimpy.verify(tampered, dnsfunc=_dnsfunc(key.record)) is False


@pytest.mark.parametrize("canon", CANONS)
@pytest.mark.parametrize("algorithm", ["rsa", "ed25519"])
async def test_mailwarden_verifies_dkimpy(keys: Keys, algorithm: str, canon: str) -> None:
    """mailwarden verifies what dkimpy signed, and fails it once the body changes."""
    key = getattr(keys, algorithm)
    head, body = canon.encode().split(b"/")
    header = dkimpy.sign(MESSAGE, b"sel", b"example.com", _dkimpy_key(key),
                         canonicalize=(head, body),
                         signature_algorithm=f"{algorithm}-sha256".encode())  # fmt: skip
    resolver = resolver_for(sel=key.record)
    result = (await verify(header + MESSAGE, resolver=resolver))[0]
    assert (result.result, result.canonicalization) == (DkimStatus.PASS, canon)
    tampered = header + MESSAGE.replace(b"test message", b"test massage")
    assert (await verify(tampered, resolver=resolver))[0].reason == "body-hash-mismatch"


async def test_dkimpy_and_mailwarden_signatures_together(keys: Keys) -> None:
    """A message signed by both passes in both verifiers, each signature on its own."""
    theirs = dkimpy.sign(MESSAGE, b"sel", b"example.com", keys.rsa.private_pem)
    both = sign(theirs + MESSAGE, domain="example.com", selector="sel",
                private_key=keys.rsa.private_pem) + theirs + MESSAGE  # fmt: skip
    results = await verify(both, resolver=resolver_for(sel=keys.rsa.record))
    assert [r.result for r in results] == [DkimStatus.PASS, DkimStatus.PASS]
    for index in (0, 1):
        checker = dkimpy.DKIM(both)
        assert checker.verify(idx=index, dnsfunc=_dnsfunc(keys.rsa.record)) is True
