"""Bad input never raises: every malformed signature or message gives a permerror and a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailwarden.dkim import DkimStatus, sign, verify
from mailwarden.testing import ZoneResolver
from tests.dkim.conftest import MESSAGE, Keys, resolver_for

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
GOOD_TAGS = (
    b"v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel; t=1767225600; "
    b"h=from:to; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA"
)


def _with_signature(tags: bytes, message: bytes = MESSAGE) -> bytes:
    return b"DKIM-Signature: " + tags + b"\r\n" + message


@pytest.mark.parametrize(
    ("tags", "reason"),
    [
        (b"v=1; a=rsa-sha256; d", "signature-syntax"),
        (b"v=1; a=rsa-sha256; ;=x", "signature-syntax"),
        (GOOD_TAGS + b"; d=example.org", "signature-syntax"),
        (GOOD_TAGS.replace(b"b=AAAA", b"b=A@A*"), "bad-base64"),
        (GOOD_TAGS.replace(b"bh=47DEQ", b"bh=!7DEQ"), "bad-base64"),
        (GOOD_TAGS.replace(b"v=1", b"v=2"), "bad-version"),
        (GOOD_TAGS.replace(b"a=rsa-sha256", b"a=rsa-md5"), "unsupported-algorithm"),
        (GOOD_TAGS.replace(b"c=relaxed/relaxed", b"c=loose"), "unsupported-canonicalization"),
        (GOOD_TAGS.replace(b"d=example.com", b"d=legitimate.com(.attacker.com"), "bad-domain"),
        (GOOD_TAGS.replace(b"s=sel; ", b""), "missing-tag"),
        (GOOD_TAGS + b"; l=" + b"9" * 80, "bad-body-length"),
        (GOOD_TAGS + b"; l=-5", "bad-body-length"),
        (GOOD_TAGS + b"; x=1", "bad-timestamp"),
        (GOOD_TAGS + b"; q=http/well-known", "unsupported-query-method"),
        (GOOD_TAGS.replace(b"d=example.com", "d=exämple.com".encode()), "signature-syntax"),
        (GOOD_TAGS + b"; z=" + b"a" * 1_048_576, "signature-too-long"),
    ],
)
async def test_malformed_signatures_are_permerrors(tags: bytes, reason: str) -> None:
    """Malformed, duplicate, non-base64, absurd, 8-bit or huge tags give permerror + reason."""
    resolver = ZoneResolver()
    results = await verify(_with_signature(tags), resolver=resolver, now=NOW)
    assert [(r.result, r.reason) for r in results] == [(DkimStatus.PERMERROR, reason)]
    assert results[0].detail
    assert resolver.queries == []


async def test_l_beyond_the_body_is_permerror(keys: Keys) -> None:
    """An l= larger than the body is a permerror naming the body size."""
    header = sign(MESSAGE, domain="example.com", selector="sel",
                  private_key=keys.rsa.private_pem, body_length=True, now=NOW)  # fmt: skip
    forged = header.replace(b"l=25;", b"l=999999;") + MESSAGE
    result = (await verify(forged, resolver=resolver_for(sel=keys.rsa.record), now=NOW))[0]
    assert (result.result, result.reason) == (DkimStatus.PERMERROR, "bad-body-length")
    assert "25 canonical body bytes" in result.detail


async def test_one_megabyte_header_line(keys: Keys) -> None:
    """A 1 MB Subject line signs and verifies; it neither crashes nor stalls."""
    message = MESSAGE.replace(b"Subject: Testing", b"Subject: " + b"x" * 1_048_576)
    header = sign(message, domain="example.com", selector="sel", private_key=keys.rsa.private_pem)
    results = await verify(header + message, resolver=resolver_for(sel=keys.rsa.record))
    assert results[0].result is DkimStatus.PASS


async def test_message_without_blank_line_is_permerror() -> None:
    """A message whose header is not ended by an empty line gives permerror per signature."""
    message = b"DKIM-Signature: " + GOOD_TAGS + b"\r\nFrom: a@example.com\r\nSubject: x\r\n"
    results = await verify(message, resolver=ZoneResolver())
    assert [(r.result, r.reason) for r in results] == [(DkimStatus.PERMERROR, "malformed-message")]


async def test_message_without_body_verifies(keys: Keys) -> None:
    """A message with an empty body (header and empty line only) signs and verifies."""
    message = MESSAGE.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    for canon in ("simple/simple", "relaxed/relaxed"):
        header = sign(message, domain="example.com", selector="sel",
                      private_key=keys.ed25519.private_pem, canonicalization=canon)  # fmt: skip
        result = await verify(header + message, resolver=resolver_for(sel=keys.ed25519.record))
        assert result[0].result is DkimStatus.PASS


async def test_eight_bit_field_name_is_permerror() -> None:
    """An 8-bit byte in a header field name makes the message malformed: permerror."""
    message = _with_signature(GOOD_TAGS, b"Fr\xc3\xb6m: a@example.com\r\n" + MESSAGE)
    results = await verify(message, resolver=ZoneResolver())
    assert [(r.result, r.reason) for r in results] == [(DkimStatus.PERMERROR, "malformed-message")]


async def test_eight_bit_header_values_are_signed_as_bytes(keys: Keys) -> None:
    """UTF-8 in header values (RFC 6532) is hashed as the bytes it is and verifies."""
    message = MESSAGE.replace(b"Subject: Testing", "Subject: Grüße".encode())
    header = sign(message, domain="example.com", selector="sel", private_key=keys.rsa.private_pem)
    results = await verify(header + message, resolver=resolver_for(sel=keys.rsa.record))
    assert results[0].result is DkimStatus.PASS


async def test_too_many_signatures_are_cut_off() -> None:
    """Signatures past the limit are permerrors without any lookup."""
    message = b"".join(b"DKIM-Signature: " + GOOD_TAGS + b"\r\n" for _ in range(20)) + MESSAGE
    resolver = ZoneResolver()
    results = await verify(message, resolver=resolver, now=NOW)
    assert len(results) == 20
    assert results[-1].reason == "too-many-signatures"
    assert len(resolver.queries) == 1


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.binary(max_size=200))
async def test_arbitrary_bytes_never_raise(tags: bytes, body: bytes) -> None:
    """Whatever bytes fill the DKIM-Signature and the body, verify returns results."""
    message = b"DKIM-Signature: " + tags + b"\r\nFrom: a@example.com\r\n\r\n" + body
    results = await verify(message, resolver=ZoneResolver())
    assert all(r.result is not DkimStatus.PASS for r in results)


_TAG = st.tuples(
    st.sampled_from(["v", "a", "b", "bh", "c", "d", "h", "i", "l", "q", "s", "t", "x", "z"]),
    st.text(alphabet="1aZ=:;@. -/+\t\r\nä", max_size=30),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TAG, max_size=14))
async def test_plausible_tag_lists_never_raise(tags: list[tuple[str, str]]) -> None:
    """Tag lists built from real tag names and odd values give results, never exceptions."""
    value = "; ".join(f"{name}={text}" for name, text in tags).encode()
    message = b"DKIM-Signature: " + value + b"\r\n" + MESSAGE
    results = await verify(message, resolver=ZoneResolver(), now=NOW)
    assert len(results) == 1
    assert results[0].result is not DkimStatus.PASS
