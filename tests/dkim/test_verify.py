"""Signing and verification together: every result and reason the verifier gives."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailwarden.dkim import DkimStatus, DkimVerifier, sign, verify
from mailwarden.errors import InputError
from mailwarden.testing import ZoneResolver
from tests.dkim.conftest import MESSAGE, Keys, resolver_for

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CANONS = ["simple/simple", "relaxed/relaxed", "simple/relaxed", "relaxed/simple"]


def _signed(key_pem: bytes, message: bytes = MESSAGE, selector: str = "sel", **kw: object) -> bytes:
    kw.setdefault("now", NOW)
    return sign(message, domain="example.com", selector=selector, private_key=key_pem, **kw) + (
        message
    )


async def _one(message: bytes, resolver: ZoneResolver, **kw: object):  # type: ignore[no-untyped-def]
    results = await verify(message, resolver=resolver, now=NOW, **kw)
    assert len(results) == 1
    return results[0]


@pytest.mark.parametrize("canon", CANONS)
@pytest.mark.parametrize("algorithm", ["rsa", "ed25519"])
async def test_round_trip_passes(keys: Keys, algorithm: str, canon: str) -> None:
    """A message signed by mailwarden verifies with mailwarden for both algorithms."""
    key = getattr(keys, algorithm)
    result = await _one(
        _signed(key.private_pem, canonicalization=canon), resolver_for(sel=key.record)
    )
    assert (result.result, result.reason) == (DkimStatus.PASS, "ok")
    assert result.algorithm == f"{algorithm}-sha256"
    assert result.key_bits == (2048 if algorithm == "rsa" else 256)
    assert (result.domain, result.selector, result.canonicalization) == (
        "example.com",
        "sel",
        canon,
    )


@pytest.mark.parametrize("algorithm", ["rsa", "ed25519"])
async def test_tampering_fails(keys: Keys, algorithm: str) -> None:
    """A changed body fails its body hash; a changed signed header fails the signature."""
    key = getattr(keys, algorithm)
    signed = _signed(key.private_pem)
    body = await _one(signed + b"PS\r\n", resolver_for(sel=key.record))
    assert (body.result, body.reason) == (DkimStatus.FAIL, "body-hash-mismatch")
    header = await _one(signed.replace(b"Subject: Testing", b"Subject: Testinh"),
                        resolver_for(sel=key.record))  # fmt: skip
    assert (header.result, header.reason) == (DkimStatus.FAIL, "signature-mismatch")


async def test_rsa_and_ed25519_side_by_side(keys: Keys) -> None:
    """Two signatures on one message, RSA and Ed25519, both pass, top first."""
    inner = _signed(keys.rsa.private_pem, selector="r")
    outer = _signed(keys.ed25519.private_pem, inner, selector="e")
    resolver = resolver_for(r=keys.rsa.record, e=keys.ed25519.record)
    results = await verify(outer, resolver=resolver, now=NOW)
    assert [(r.selector, r.result) for r in results] == [
        ("e", DkimStatus.PASS),
        ("r", DkimStatus.PASS),
    ]


async def test_lf_only_input_is_read_as_crlf(keys: Keys) -> None:
    """A message with LF line ends signs and verifies, in either line-end form."""
    lf = MESSAGE.replace(b"\r\n", b"\n")
    header = sign(lf, domain="example.com", selector="sel", private_key=keys.rsa.private_pem)
    resolver = resolver_for(sel=keys.rsa.record)
    for message in (header + lf, header + MESSAGE, header.replace(b"\r\n", b"\n") + lf):
        assert (await verify(message, resolver=resolver))[0].result is DkimStatus.PASS


async def test_from_is_over_signed(keys: Keys) -> None:
    """The default h= lists From once more than present, so an added From breaks it."""
    signed = _signed(keys.rsa.private_pem)
    assert b"h=from:from:" in signed
    top, _, bottom = signed.partition(b"\r\n\r\n")
    added = top + b"\r\nFrom: attacker@example.net\r\n\r\n" + bottom
    result = await _one(added, resolver_for(sel=keys.rsa.record))
    assert result.result is DkimStatus.FAIL


async def test_several_from_fields_fail(keys: Keys) -> None:
    """A message with two From fields fails even when both are signed."""
    message = MESSAGE.replace(b"To:", b"From: other@example.com\r\nTo:")
    signed = _signed(keys.rsa.private_pem, message)
    result = await _one(signed, resolver_for(sel=keys.rsa.record))
    assert (result.result, result.reason) == (DkimStatus.FAIL, "from-repeated")


async def test_rsa_sha1_fails_unless_allowed(keys: Keys) -> None:
    """rsa-sha1 fails by default (RFC 8301) and passes when explicitly allowed."""
    signed = _signed(keys.rsa.private_pem, algorithm="rsa-sha1")
    resolver = resolver_for(sel=keys.rsa.record)
    refused = await _one(signed, resolver)
    assert (refused.result, refused.reason) == (DkimStatus.FAIL, "sha1-rejected")
    assert resolver.queries == []
    assert (await _one(signed, resolver, allow_sha1=True)).result is DkimStatus.PASS


async def test_short_rsa_key_fails(keys: Keys) -> None:
    """A 512-bit RSA key fails and reports its size."""
    result = await _one(_signed(keys.rsa512_pem), resolver_for(sel=keys.rsa512_record))
    assert (result.result, result.reason, result.key_bits) == (
        DkimStatus.FAIL,
        "key-too-short",
        512,
    )


async def test_timestamps(keys: Keys) -> None:
    """t= in the future and an expired x= give policy; an x= still ahead passes."""
    resolver = resolver_for(sel=keys.rsa.record)
    future = _signed(keys.rsa.private_pem, now=NOW + dt.timedelta(hours=1))
    expired = _signed(keys.rsa.private_pem, now=NOW - dt.timedelta(days=2), expires_in=86400)
    valid = _signed(keys.rsa.private_pem, expires_in=86400)
    assert (await _one(future, resolver)).reason == "signature-in-future"
    assert (await _one(expired, resolver)).result is DkimStatus.POLICY
    assert (await _one(expired, resolver)).reason == "signature-expired"
    assert (await _one(valid, resolver)).result is DkimStatus.PASS


async def test_identity_must_be_within_domain(keys: Keys) -> None:
    """i= outside d= is a permerror; i= in a subdomain of d= passes."""
    resolver = resolver_for(sel=keys.rsa.record)
    forged = _signed(keys.rsa.private_pem).replace(b"s=sel;", b"s=sel; i=@example.net;")
    outside = await _one(forged, resolver)
    assert (outside.result, outside.reason) == (DkimStatus.PERMERROR, "identity-mismatch")
    inside = await _one(_signed(keys.rsa.private_pem, identity="u@mail.example.com"), resolver)
    assert (inside.result, inside.identity) == (DkimStatus.PASS, "u@mail.example.com")


def test_signing_refuses_identity_outside_domain(keys: Keys) -> None:
    """sign() will not write an i= that verifiers must reject."""
    with pytest.raises(InputError, match=r"not within example\.com"):
        _signed(keys.rsa.private_pem, identity="someone@example.net")


async def test_h_without_from_is_permerror(keys: Keys) -> None:
    """A signature whose h= does not list From is a permerror."""
    signed = _signed(keys.rsa.private_pem).replace(b"h=from:from:", b"h=")
    result = await _one(signed, resolver_for(sel=keys.rsa.record))
    assert (result.result, result.reason) == (DkimStatus.PERMERROR, "from-not-signed")


async def test_body_length_is_honoured_and_reported(keys: Keys) -> None:
    """With l=, text appended after the signed body still passes, and is counted."""
    signed = _signed(keys.rsa.private_pem, body_length=True)
    assert b"l=25;" in signed
    result = await _one(signed + b"Appended.\r\n", resolver_for(sel=keys.rsa.record))
    assert (result.result, result.body_length, result.unsigned_body_bytes) == (
        DkimStatus.PASS,
        25,
        11,
    )


@pytest.mark.parametrize(
    ("record", "status", "reason"),
    [
        ("v=DKIM2; k=rsa; p={p}", DkimStatus.PERMERROR, "key-syntax"),
        ("k=ed25519; p={p}", DkimStatus.PERMERROR, "key-malformed"),
        ("k=dsa; p={p}", DkimStatus.PERMERROR, "key-type"),
        ("v=DKIM1; h=sha1; p={p}", DkimStatus.PERMERROR, "key-hash-mismatch"),
        ("v=DKIM1; s=tlsrpt; p={p}", DkimStatus.PERMERROR, "key-service-mismatch"),
        ("v=DKIM1; p=", DkimStatus.PERMERROR, "key-revoked"),
        ("v=DKIM1; p=MIIBIjAN!!", DkimStatus.PERMERROR, "key-malformed"),
        ("v=DKIM1; p=AAAA", DkimStatus.PERMERROR, "key-malformed"),
        ("v=DKIM1; h=sha256; s=email; t=y; p={p}", DkimStatus.PASS, "ok"),
        ("v=DKIM1; t=s; p={p}", DkimStatus.PASS, "ok"),
    ],
)
async def test_key_record_tags(keys: Keys, record: str, status: DkimStatus, reason: str) -> None:
    """Key record tags v k h s t and revoked or malformed keys give the documented result."""
    p = keys.rsa.record.split("p=")[1]
    result = await _one(_signed(keys.rsa.private_pem), resolver_for(sel=record.format(p=p)))
    assert (result.result, result.reason) == (status, reason)
    assert result.testing == ("t=y" in record)


async def test_strict_identity_flag(keys: Keys) -> None:
    """A t=s key refuses a signature whose i= is in a subdomain of d=."""
    record = keys.rsa.record.replace("k=rsa;", "k=rsa; t=s;")
    signed = _signed(keys.rsa.private_pem, identity="@mail.example.com")
    result = await _one(signed, resolver_for(sel=record))
    assert (result.result, result.reason) == (DkimStatus.PERMERROR, "key-strict-identity")


async def test_missing_key_and_dns_failure(keys: Keys) -> None:
    """No key record is a permerror; a timed-out lookup a temperror."""
    signed = _signed(keys.rsa.private_pem)
    missing = await _one(signed, ZoneResolver.from_dict({"example.com": {"A": "192.0.2.1"}}))
    assert (missing.result, missing.reason) == (DkimStatus.PERMERROR, "no-key")
    timing_out = ZoneResolver.from_dict({"sel._domainkey.example.com": {"TIMEOUT": True}})
    failed = await _one(signed, timing_out)
    assert (failed.result, failed.reason) == (DkimStatus.TEMPERROR, "dns-error")


async def test_unsigned_message_has_no_results() -> None:
    """A message without DKIM-Signature gives an empty list and no lookups."""
    resolver = ZoneResolver()
    assert await verify(MESSAGE, resolver=resolver) == []
    assert resolver.queries == []


async def test_one_lookup_per_key(keys: Keys) -> None:
    """Two signatures with the same selector and domain share one key lookup."""
    once = _signed(keys.rsa.private_pem, canonicalization="simple/simple")
    twice = _signed(keys.rsa.private_pem, once)
    resolver = resolver_for(sel=keys.rsa.record)
    results = await verify(twice, resolver=resolver, now=NOW)
    assert [r.result for r in results] == [DkimStatus.PASS, DkimStatus.PASS]
    assert resolver.queries == [("sel._domainkey.example.com", "TXT")]


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8))
async def test_streaming_verifier_matches_verify(keys: Keys, cuts: list[int]) -> None:
    """DkimVerifier fed the header, then the body in any chunks, gives verify()'s results."""
    body = b"Line one  \r\n\r\n\tTabbed  line\r\n" * 8 + b"\r\n\r\n"
    message = MESSAGE.split(b"\r\n\r\n")[0] + b"\r\n\r\n" + body
    signed = _signed(keys.ed25519.private_pem, message, "ed", canonicalization="relaxed/relaxed")
    signed = _signed(keys.rsa.private_pem, signed, canonicalization="simple/simple")
    resolver = resolver_for(sel=keys.rsa.record, ed=keys.ed25519.record)
    header, _, rest = signed.partition(b"\r\n\r\n")
    verifier = DkimVerifier.from_header_bytes(header + b"\r\n", now=NOW)
    points = sorted({min(c, len(rest)) for c in cuts})
    for a, b in zip([0, *points], [*points, len(rest)], strict=True):
        verifier.update(rest[a:b])
    streamed = await verifier.finish(resolver)
    assert streamed == await verify(signed, resolver=resolver, now=NOW)
    assert [r.result for r in streamed] == [DkimStatus.PASS, DkimStatus.PASS]
