"""The DMARC record parser: every RFC 9989 tag, legacy tags, syntax rules, hostile records."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailwarden.dmarc import AlignmentMode, Policy, PsdFlag, is_dmarc_record, parse_record
from mailwarden.errors import ParseError


def codes(text: str) -> list[str]:
    """Return the finding codes of parsing ``text``."""
    return [f.code for f in parse_record(text).findings]


def test_all_rfc9989_tags() -> None:
    """Every RFC 9989 tag is read into its field."""
    record = parse_record(
        "v=DMARC1; p=reject; sp=quarantine; np=none; psd=n; t=y; adkim=s; aspf=s; "
        "fo=1:d:s; rua=mailto:agg@example.com; ruf=mailto:fail@example.com"
    )
    assert record.p is Policy.REJECT
    assert record.sp is Policy.QUARANTINE
    assert record.np is Policy.NONE
    assert record.psd is PsdFlag.NO
    assert record.t is True
    assert record.adkim is AlignmentMode.STRICT and record.aspf is AlignmentMode.STRICT
    assert record.fo == ("1", "d", "s")
    assert [u.uri for u in record.rua] == ["mailto:agg@example.com"]
    assert record.ruf[0].domain == "example.com"
    assert record.usable and not record.policy_fallback


def test_defaults() -> None:
    """Absent optional tags take RFC 9989 defaults."""
    record = parse_record("v=DMARC1; p=none")
    assert record.psd is PsdFlag.UNKNOWN
    assert record.t is False
    assert record.adkim is AlignmentMode.RELAXED and record.aspf is AlignmentMode.RELAXED
    assert record.fo == ("0",)
    assert record.sp is None and record.np is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("v=DMARC1; p=none; pct=50", "dmarc.legacy-pct"),
        ("v=DMARC1; p=none; rf=afrf", "dmarc.legacy-rf"),
        ("v=DMARC1; p=none; ri=86400", "dmarc.legacy-ri"),
        ("v=DMARC1; p=none; rua=mailto:a@example.com!10m", "dmarc.legacy-uri-size"),
    ],
)
def test_legacy_tags_accepted_with_finding(text: str, code: str) -> None:
    """RFC 7489 tags are accepted and each gives a finding."""
    record = parse_record(text)
    assert code in [f.code for f in record.findings]
    assert record.usable


def test_legacy_values_kept() -> None:
    """pct, rf, ri and the !size suffix are kept for RFC 7489 mode."""
    record = parse_record("v=DMARC1; p=reject; pct=25; rf=AFRF; ri=3600; rua=mailto:a@x.example!5k")
    assert (record.pct, record.rf, record.ri) == (25, "afrf", 3600)
    assert record.rua[0].size_limit == "5k" and record.rua[0].uri == "mailto:a@x.example"


@pytest.mark.parametrize("value", ["101", "-1", "abc", "5.5"])
def test_bad_pct(value: str) -> None:
    """A pct outside 0..100 is ignored with dmarc.invalid-value."""
    record = parse_record(f"v=DMARC1; p=reject; pct={value}")
    assert record.pct is None
    assert "dmarc.invalid-value" in [f.code for f in record.findings]


def test_unknown_tags_ignored() -> None:
    """Unknown tags are ignored with an info finding, the record stays valid."""
    record = parse_record("v=DMARC1; p=reject; foo=bar")
    assert record.p is Policy.REJECT
    assert "dmarc.unknown-tag" in [f.code for f in record.findings]


@pytest.mark.parametrize(
    "text", ["p=reject; v=DMARC1", "v=dmarc1; p=reject", "v=DMARC2; p=reject", "", "v=DMARC1x"]
)
def test_version_first_and_case_sensitive(text: str) -> None:
    """v=DMARC1 must come first with its value in this case, or it is no DMARC record."""
    assert not is_dmarc_record(text)
    with pytest.raises(ParseError):
        parse_record(text)


def test_version_spacing_and_tag_case() -> None:
    """White space around '=' and ';' is allowed, as is an upper-case tag name."""
    record = parse_record("V = DMARC1 ;P=Reject;")
    assert record.p is Policy.REJECT


def test_rua_without_p_means_none() -> None:
    """A record with a valid rua but no p acts as p=none."""
    record = parse_record("v=DMARC1; rua=mailto:r@example.com")
    assert record.usable and record.policy_fallback
    assert record.policy_for(subdomain=False) is Policy.NONE
    assert "dmarc.policy-fallback-none" in [f.code for f in record.findings]


def test_invalid_sp_with_rua_means_none() -> None:
    """An invalid sp with a valid rua also falls back to p=none (RFC 9989 4.10.1)."""
    record = parse_record("v=DMARC1; p=reject; sp=bogus; rua=mailto:r@example.com")
    assert record.policy_for(subdomain=True) is Policy.NONE


def test_no_p_no_rua_not_usable() -> None:
    """Without a valid p and rua the record gives no DMARC processing."""
    record = parse_record("v=DMARC1; p=rejekt; rua=reports@example.org")
    assert not record.usable
    assert record.policy_for(subdomain=False) is None
    assert {"dmarc.invalid-value", "dmarc.invalid-uri", "dmarc.no-policy"} <= set(
        f.code for f in record.findings
    )


def test_policy_for_sp_np() -> None:
    """p for the domain, sp for existing subdomains, np for non-existent ones."""
    record = parse_record("v=DMARC1; p=reject; sp=quarantine; np=none")
    assert record.policy_for(subdomain=False) is Policy.REJECT
    assert record.policy_for(subdomain=True) is Policy.QUARANTINE
    assert record.policy_for(subdomain=True, exists=False) is Policy.NONE


def test_np_absent_falls_back_to_sp_then_p() -> None:
    """Without np, non-existent subdomains get sp, and without sp, p."""
    assert (
        parse_record("v=DMARC1; p=reject; sp=none").policy_for(subdomain=True, exists=False)
        is Policy.NONE
    )
    assert (
        parse_record("v=DMARC1; p=quarantine").policy_for(subdomain=True, exists=False)
        is Policy.QUARANTINE
    )


@pytest.mark.parametrize("fo", ["0:1", "x", "1:1", "d:d"])
def test_bad_fo(fo: str) -> None:
    """fo with 0 and 1 together, repeats or unknown options is ignored."""
    record = parse_record(f"v=DMARC1; p=none; fo={fo}; ruf=mailto:f@example.com")
    assert record.fo == ("0",)
    assert "dmarc.invalid-value" in [f.code for f in record.findings]


def test_fo_without_ruf() -> None:
    """fo without ruf gives an info finding."""
    assert "dmarc.fo-without-ruf" in codes("v=DMARC1; p=none; fo=1")


@pytest.mark.parametrize(
    ("tag", "value"), [("psd", "x"), ("t", "maybe"), ("adkim", "x"), ("aspf", "q")]
)
def test_bad_single_word_values(tag: str, value: str) -> None:
    """An invalid value of a one-word tag is ignored in favour of its default."""
    record = parse_record(f"v=DMARC1; p=reject; {tag}={value}")
    assert "dmarc.invalid-value" in [f.code for f in record.findings]
    assert record.p is Policy.REJECT


def test_duplicate_tag_keeps_first() -> None:
    """A repeated tag keeps the first value and gives dmarc.duplicate-tag."""
    record = parse_record("v=DMARC1; p=reject; p=none")
    assert record.p is Policy.REJECT
    assert "dmarc.duplicate-tag" in [f.code for f in record.findings]


def test_tag_without_equals() -> None:
    """A piece that is not tag=value is skipped with dmarc.tag-syntax."""
    assert "dmarc.tag-syntax" in codes("v=DMARC1; p=reject; garbage")


def test_non_mailto_uri() -> None:
    """A non-mailto URI is kept with a warning, an unusable one dropped."""
    record = parse_record("v=DMARC1; p=none; rua=https://r.example/x, notauri, mailto:@x.example")
    assert [u.scheme for u in record.rua] == ["https"]
    found = [f.code for f in record.findings]
    assert "dmarc.unsupported-uri-scheme" in found and found.count("dmarc.invalid-uri") == 2


def _letters(n: int) -> str:
    out = ""
    while True:
        out += chr(97 + n % 26)
        n //= 26
        if not n:
            return "x" + out


def test_hostile_ten_thousand_tags() -> None:
    """10,000 distinct unknown tags: a valid record with a bounded list of findings."""
    text = "v=DMARC1; p=reject; " + "; ".join(f"{_letters(i)}=1" for i in range(10_000))
    record = parse_record(text)
    assert record.p is Policy.REJECT
    assert len(record.findings) < 20
    assert "dmarc.too-many-tags" in [f.code for f in record.findings]


def test_hostile_ten_thousand_repeats() -> None:
    """10,000 copies of one tag keep the first and report the duplicates a few times."""
    record = parse_record("v=DMARC1; p=reject; " + "; ".join(["p=none"] * 10_000))
    assert record.p is Policy.REJECT
    assert [f.code for f in record.findings].count("dmarc.duplicate-tag") == 5


def test_hostile_hundred_rua() -> None:
    """100 rua URIs: the first 32 are read, with dmarc.too-many-uris."""
    uris = ",".join(f"mailto:r{i}@example.com" for i in range(100))
    record = parse_record(f"v=DMARC1; p=none; rua={uris}")
    assert len(record.rua) == 32
    assert "dmarc.too-many-uris" in [f.code for f in record.findings]


def test_hostile_nul_and_non_utf8() -> None:
    """NUL bytes and undecodable bytes make their tag invalid, never an exception."""
    record = parse_record("v=DMARC1; p=re\x00ject; rua=mailto:r@example.com")
    assert record.p is None and record.policy_fallback
    assert "dmarc.invalid-characters" in [f.code for f in record.findings]
    decoded = b"v=DMARC1; p=reject; rua=mailto:\xff@example.com".decode("utf-8", "replace")
    other = parse_record(decoded)
    assert other.p is Policy.REJECT and other.rua == ()
    assert not is_dmarc_record("v=DMARC1\x00; p=reject")


@given(st.text(max_size=300))
def test_parser_never_crashes(text: str) -> None:
    """Any text either parses or raises ParseError."""
    try:
        record = parse_record("v=DMARC1; " + text)
    except ParseError:  # pragma: no cover - the prefix makes it a DMARC record
        raise
    assert isinstance(record.findings, tuple)


@pytest.mark.parametrize(
    "uri", ["https://[::1/x", "mailto:r@bad..example", "https://bad..example/x"]
)
def test_uri_with_bad_host(uri: str) -> None:
    """A URI whose host is malformed is dropped with dmarc.invalid-uri."""
    record = parse_record(f"v=DMARC1; p=none; rua={uri}")
    assert record.rua == ()
    assert "dmarc.invalid-uri" in [f.code for f in record.findings]
