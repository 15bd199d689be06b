"""Conformance: RFC 8463's example, RFC 6376's message and dkimpy's test data.

DNS records come from the data's ``.txt`` / ``.dns`` files, loaded into a ZoneResolver.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailwarden.dkim import DkimStatus, sign, verify
from mailwarden.errors import InputError
from mailwarden.testing import ZoneResolver

# The Gmail key of dkimpy's test2.message (published at 20120113._domainkey.gmail.com).
GMAIL_20120113 = (
    "k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1Kd87/UeJjenpabgbFwh+eBCsSTrqmwIYYvy"
    "wlbhbqoo2DymndFkbjOVIPIldNs/m40KF+yzMn1skyoxcTUGCQs8g3FgD2Ap3ZB5DekAo5wMmk4wimDO+U8QzI3S"
    "D07y2+07wlNWwIt8svnxgdxGkVbbhzY8i+RQ9DpSVpPbF7ykQxtKXkv/ahW3KjViiAH+ghvvIhkx4xYSIc9oSwVm"
    "Al5OctMEeWUwg8Istjqz8BZeTWbf41fbNhte7Y+YqZOwq1Sd0DbvYAD9NOZK9vlfuac0598HY+vtSBczUiKERHv1"
    "yRbcaQtZFh5wtiRrN04BLUTD21MycBX5jYchHjPY/wIDAQAB"
)


@pytest.fixture(scope="module")
def data(shared_dir: Path) -> Path:
    """The dkimpy test data directory."""
    return shared_dir / "conformance" / "dkim" / "dkimpy-testdata"


@pytest.fixture(scope="module")
def rfc8463(shared_dir: Path) -> Path:
    """The RFC 8463 example directory."""
    return shared_dir / "conformance" / "dkim" / "rfc8463"


def _rfc8463_resolver(directory: Path) -> ZoneResolver:
    text = "$TTL 300\n" + (directory / "dns-records.txt").read_text()
    return ZoneResolver.from_text(text, "football.example.com")


def _record(path: Path) -> str:
    return path.read_text().strip()


async def test_rfc8463_both_signatures_pass(rfc8463: Path) -> None:
    """The RFC 8463 example message: the Ed25519 and the RSA signature both pass."""
    message = (rfc8463 / "signed-message.eml").read_bytes()
    results = await verify(message, resolver=_rfc8463_resolver(rfc8463))
    assert [(r.algorithm, r.result) for r in results] == [
        ("ed25519-sha256", DkimStatus.PASS),
        ("rsa-sha256", DkimStatus.PASS),
    ]


async def test_rfc8463_keys_sign_like_the_rfc(rfc8463: Path) -> None:
    """Signing RFC 6376's message with RFC 8463's keys reproduces the RFC's body hash."""
    message = (rfc8463 / "signed-message.eml").read_bytes().split(b"\nFrom:", 1)[1]
    message = b"From:" + message
    resolver = _rfc8463_resolver(rfc8463)
    for selector, key in (("brisbane", "ed25519-private-seed.b64"), ("test", "rsa-private.pem")):
        header = sign(message, domain="football.example.com", selector=selector,
                      private_key=(rfc8463 / key).read_bytes())  # fmt: skip
        assert b"bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=" in header
        assert (await verify(header + message, resolver=resolver))[0].passed


@pytest.mark.parametrize("name", ["rfc6376.signed.msg", "rfc6376.signed.rsa.msg"])
async def test_rfc6376_signed_messages_pass(rfc8463: Path, data: Path, name: str) -> None:
    """dkimpy's RFC 6376 example messages (simple/simple) pass with RFC 8463's keys."""
    results = await verify((data / name).read_bytes(), resolver=_rfc8463_resolver(rfc8463))
    assert results and all(r.result is DkimStatus.PASS for r in results)


async def test_x_without_t_is_read_and_checked(rfc8463: Path, data: Path) -> None:
    """x= without t= is valid syntax; the reused b= of another header then fails the signature."""
    message = (data / "rfc6376.signed.no_t.msg").read_bytes()
    results = await verify(message, resolver=_rfc8463_resolver(rfc8463))
    assert [(r.result, r.reason, r.timestamp, r.expiration) for r in results] == [
        (DkimStatus.FAIL, "signature-mismatch", None, 100000000000)
    ]


async def test_exim_ed25519_message_passes(data: Path) -> None:
    """The Ed25519 message signed by Exim's prototype passes."""
    resolver = ZoneResolver.from_dict({"sed._domainkey.test.ex": {"TXT": _record(
        data / "eximtest.dns")}})  # fmt: skip
    results = await verify((data / "ed25519test2.msg").read_bytes(), resolver=resolver)
    assert [(r.domain, r.result) for r in results] == [("test.ex", DkimStatus.PASS)]


async def test_degenerate_folding_message_passes(data: Path) -> None:
    """Gmail's message with degenerate folding in h= and b= passes."""
    resolver = ZoneResolver.from_dict({"20120113._domainkey.gmail.com": {"TXT": GMAIL_20120113}})
    results = await verify((data / "test2.message").read_bytes(), resolver=resolver)
    assert [(r.result, r.key_bits) for r in results] == [(DkimStatus.PASS, 2048)]


async def test_bad_domain_message_is_permerror(data: Path) -> None:
    """d=legitimate.com(.attacker.com is refused before any lookup."""
    resolver = ZoneResolver()
    results = await verify((data / "test.message.baddomain").read_bytes(), resolver=resolver)
    assert [(r.result, r.reason) for r in results] == [(DkimStatus.PERMERROR, "bad-domain")]
    assert resolver.queries == []


MESSAGES = ["test.message", "test_extra.message", "message.mbox", "rfc6376.msg",
            "rfc6376.w1258.msg", "ed25519test.msg"]  # fmt: skip
KEYS = [
    ("test.private", "test.txt", "pass"),
    ("test.private", "test2.txt", "pass"),
    ("ed25519test.key", "ed25519test.dns", "pass"),
    ("1024_testkey.key", "1024_testkey_wo_markers.pub.txt", "pass"),
    ("1024_testkey.key", "1024_testkey_wo_markers.pub.rsa.txt", "pass"),
    ("2048_testkey.key", "2048_testkey_wo_markers.pub.txt", "pass"),
    ("2048_testkey.key", "2048_testkey_wo_markers.pub.rsa.txt", "pass"),
    ("2048_testkey_PKCS8.key", "2048_testkey_PKCS8.key.pub.txt", "pass"),
    ("test.private", "test_bad.txt", "permerror"),
    ("test.private", "badk.txt", "permerror"),
    ("test.private", "badversion.txt", "permerror"),
    ("test.private", "test_tlsrpt.txt", "permerror"),
]


@pytest.mark.parametrize("message", MESSAGES)
@pytest.mark.parametrize(("key", "record", "expected"), KEYS)
async def test_dkimpy_data_signs_and_verifies(
    data: Path, message: str, key: str, record: str, expected: str
) -> None:
    """Each dkimpy message signed with each dkimpy key verifies against each key record."""
    resolver = ZoneResolver.from_dict({"test._domainkey.example.com": {"TXT": _record(
        data / record)}})  # fmt: skip
    body = (data / message).read_bytes()
    for canon in ("simple/simple", "relaxed/relaxed"):
        header = sign(body, domain="example.com", selector="test",
                      private_key=(data / key).read_bytes(), canonicalization=canon)  # fmt: skip
        results = await verify(header + body, resolver=resolver)
        assert results[0].result == expected, results[0]


def test_message_without_from_cannot_be_signed(data: Path) -> None:
    """dkimpy's message without From is refused: From must be signed."""
    with pytest.raises(InputError, match="no From"):
        sign((data / "test_nofrom.message").read_bytes(), domain="example.com",
             selector="test", private_key=(data / "test.private").read_bytes())  # fmt: skip
