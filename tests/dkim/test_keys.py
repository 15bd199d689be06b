"""Key records and private keys in the forms DKIM deployments use."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from mailwarden.dkim import KeyRecordError, parse_key_record
from mailwarden.dkim.keys import load_private_key
from mailwarden.errors import InputError
from tests.dkim.conftest import Keys


def test_record_tags_are_read(keys: Keys) -> None:
    """h=, s=, t= and n= are read as lists and text; k= defaults to rsa."""
    p = keys.rsa.record.split("p=")[1]
    record = parse_key_record(f"v=DKIM1; h=sha256:SHA1; s=email; t=y:s; n=note; p={p}")
    assert (record.key_type, record.key_bits) == ("rsa", 2048)
    assert record.hash_algorithms == ("sha256", "sha1")
    assert (record.services, record.flags, record.notes) == (("email",), ("y", "s"), "note")
    assert record.testing and not record.revoked


def test_pkcs1_public_key_accepted(keys: Keys) -> None:
    """A bare PKCS#1 RSAPublicKey in p= (as some tools publish) is read too."""
    private = load_private_key(keys.rsa.private_pem)
    assert isinstance(private, rsa.RSAPrivateKey)
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    record = parse_key_record(f"p={base64.b64encode(der).decode()}")
    assert record.key_bits == 2048


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("v=DKIM1; k=rsa", "key-syntax"),
        ("k=rsa; v=DKIM1; p=", "key-syntax"),
        ("v=DKIM1: g=*; p=", "key-syntax"),
        ("v=DKIM1; k=ed25519-sha256; p=", "key-type"),
        ("v=DKIM1; k=ed25519; p=AAAA", "key-malformed"),
    ],
)
def test_unusable_records(text: str, reason: str) -> None:
    """Missing p=, v= not first or wrong, unknown k= and bad key data have their reasons."""
    with pytest.raises(KeyRecordError) as info:
        parse_key_record(text)
    assert info.value.reason == reason


def test_private_key_forms(keys: Keys) -> None:
    """PEM PKCS#8, PEM PKCS#1 and a base64 Ed25519 seed all load."""
    assert isinstance(load_private_key(keys.ed25519.private_pem), ed25519.Ed25519PrivateKey)
    assert isinstance(load_private_key(keys.rsa512_pem), rsa.RSAPrivateKey)
    seed = base64.b64encode(bytes(range(32)))
    assert isinstance(load_private_key(seed), ed25519.Ed25519PrivateKey)


@pytest.mark.parametrize(
    "data",
    [b"not a key", base64.b64encode(b"short"), b"-----BEGIN PRIVATE KEY-----\nAAAA\n"],
)
def test_unreadable_private_keys(data: bytes) -> None:
    """Anything else is an InputError, not a crash."""
    with pytest.raises(InputError):
        load_private_key(data)


def test_encrypted_private_key_refused(keys: Keys) -> None:
    """An encrypted PEM key is refused with InputError (no password prompt)."""
    private = load_private_key(keys.ed25519.private_pem)
    encrypted = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    with pytest.raises(InputError, match="cannot read"):
        load_private_key(encrypted)
