"""The DKIM-Signature field: defaults, checked tags and the b= removal used for hashing."""

from __future__ import annotations

from mailwarden.dkim.canon import Canon
from mailwarden.dkim.signature import parse_signature, strip_b_value


def test_defaults_and_normalization() -> None:
    """c= defaults to simple/simple, i= to @d; names and domains are lower-cased."""
    sig = parse_signature(
        b" v=1; a=RSA-SHA256; d=Example.COM; s=Sel; h=From : To;\r\n"
        b"\tbh=AAAA; b=AA\r\n AA; c=relaxed"
    )
    assert (sig.algorithm, sig.key_type, sig.hash_name) == ("rsa-sha256", "rsa", "sha256")
    assert (sig.domain, sig.selector, sig.identity) == ("example.com", "sel", "@example.com")
    assert (sig.header_canon, sig.body_canon) == (Canon.RELAXED, Canon.SIMPLE)
    assert sig.signed_headers == ("from", "to")
    assert (sig.signature, sig.b_text) == (b"\x00\x00\x00", "AAAA")


def test_strip_b_value_keeps_everything_else() -> None:
    """Only the b= value goes, with its surrounding white space; bh= stays."""
    raw = b"DKIM-Signature: v=1; bh=xyz;\r\n b = abc\r\n def ; d=x\r\n"
    assert strip_b_value(raw) == b"DKIM-Signature: v=1; bh=xyz;\r\n b =; d=x\r\n"
