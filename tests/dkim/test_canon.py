"""Canonicalization: header algorithms, body algorithms, and chunking independence."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from mailwarden.dkim.canon import BodyHasher, Canon, canonicalize_header


def _body(data: bytes, canon: Canon, limit: int | None = None) -> tuple[bytes, int]:
    hasher = BodyHasher(canon, "sha256", limit)
    hasher.update(data)
    return hasher.digest(), hasher.length


def test_relaxed_header() -> None:
    """Relaxed: lower-case name, unfolded, WSP runs collapsed, ends trimmed."""
    raw = b"SubJect \t: \t Is  dinner\r\n\t ready? \t\r\n"
    assert canonicalize_header(raw, Canon.RELAXED) == b"subject:Is dinner ready?\r\n"


def test_simple_header_unchanged() -> None:
    """Simple: the field exactly as it is."""
    raw = b"SubJect \t: x\r\n y\r\n"
    assert canonicalize_header(raw, Canon.SIMPLE) == raw


def test_rfc6376_example_bodies() -> None:
    """The body example of RFC 6376 section 3.4.5 in both algorithms."""
    body = b" C \r\nD \t E\r\n\r\n\r\n"
    assert _body(body, Canon.RELAXED)[0] == hashlib.sha256(b" C\r\nD E\r\n").digest()
    assert _body(body, Canon.SIMPLE)[0] == hashlib.sha256(b" C \r\nD \t E\r\n").digest()


def test_empty_bodies() -> None:
    """An empty body hashes as CRLF in simple and as nothing in relaxed."""
    assert _body(b"", Canon.SIMPLE)[0] == hashlib.sha256(b"\r\n").digest()
    assert _body(b"\r\n\r\n", Canon.SIMPLE)[0] == hashlib.sha256(b"\r\n").digest()
    assert _body(b"", Canon.RELAXED)[0] == hashlib.sha256(b"").digest()
    assert _body(b" \r\n\t\r\n", Canon.RELAXED)[0] == hashlib.sha256(b"").digest()


def test_missing_final_crlf_is_added() -> None:
    """A last line without CRLF is hashed with one."""
    assert _body(b"abc", Canon.SIMPLE)[0] == hashlib.sha256(b"abc\r\n").digest()
    assert _body(b"abc  ", Canon.RELAXED)[0] == hashlib.sha256(b"abc\r\n").digest()


def test_bare_cr_and_lf_stay_inside_lines() -> None:
    """A line ending in a bare CR is content, not an empty line."""
    digest, length = _body(b"abc\r\r\n\r\n", Canon.SIMPLE)
    assert digest == hashlib.sha256(b"abc\r\r\n").digest()
    assert length == 6


def test_limit_hashes_a_prefix_and_counts_the_rest() -> None:
    """With l=, only the first bytes are hashed; length counts all canonical bytes."""
    digest, length = _body(b"hello\r\nworld\r\n", Canon.SIMPLE, limit=7)
    assert digest == hashlib.sha256(b"hello\r\n").digest()
    assert length == 14


_BODY_BYTES = st.lists(st.sampled_from([b"a", b" ", b"\t", b"\r", b"\n", b"\r\n", b"xy"]))


@given(parts=_BODY_BYTES, cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=12))
def test_any_chunking_gives_the_same_hash(parts: list[bytes], cuts: list[int]) -> None:
    """Feeding a body in arbitrary chunks gives the same digest and length as all at once."""
    body = b"".join(parts)
    points = sorted({min(c, len(body)) for c in cuts})
    chunks = [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]
    for canon in Canon:
        for limit in (None, len(body) // 2):
            whole = BodyHasher(canon, "sha256", limit)
            whole.update(body)
            pieces = BodyHasher(canon, "sha256", limit)
            for chunk in chunks:
                pieces.update(chunk)
            assert pieces.digest() == whole.digest()
            assert pieces.length == whole.length
