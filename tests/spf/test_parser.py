"""The SPF record parser: the whole RFC 7208 grammar, and errors that name a position."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailwarden.errors import ParseError
from mailwarden.spf import (
    A,
    All,
    Exists,
    Explanation,
    Include,
    Ip4,
    Ip6,
    Macro,
    Mx,
    Ptr,
    Qualifier,
    Redirect,
    UnknownModifier,
    is_spf_record,
    parse_domain_spec,
    parse_macro_string,
    parse_record,
)


def test_every_mechanism_and_qualifier() -> None:
    """All eight mechanisms parse into their dataclasses with their qualifiers."""
    record = parse_record(
        "v=spf1 +all -include:_spf.example.com ~a ?mx:mail.example.com ptr "
        "ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{i}.bl.example.com"
    )
    kinds = [type(term) for term in record.terms]
    assert kinds == [All, Include, A, Mx, Ptr, Ip4, Ip6, Exists]
    assert record.dns_terms == 5 and record.all is not None
    qualifiers = [term.qualifier for term in record.mechanisms]
    assert qualifiers[:4] == [Qualifier.PASS, Qualifier.FAIL, Qualifier.SOFTFAIL, Qualifier.NEUTRAL]
    assert record.mechanisms[5].network == ipaddress.ip_network("192.0.2.0/24")  # type: ignore[union-attr]


def test_dual_cidr_lengths() -> None:
    """a and mx take /cidr4, //cidr6 or both; defaults are 32 and 128."""
    a, mx, bare = parse_record("v=spf1 a:example.com/24//64 mx//48 a").mechanisms
    assert (a.cidr4, a.cidr6) == (24, 64)  # type: ignore[union-attr]
    assert (mx.cidr4, mx.cidr6) == (32, 48)  # type: ignore[union-attr]
    assert (bare.cidr4, bare.cidr6, bare.domain) == (32, 128, None)  # type: ignore[union-attr]


def test_domain_spec_may_hold_slash_and_colon() -> None:
    """A slash or colon inside a domain-spec is not mistaken for a CIDR length."""
    (a,) = parse_record("v=spf1 a:foo:bar/baz.example.com").mechanisms
    assert a.domain.text == "foo:bar/baz.example.com"  # type: ignore[union-attr]
    assert a.cidr4 == 32  # type: ignore[union-attr]


def test_modifiers() -> None:
    """redirect, exp and unknown modifiers are kept apart from mechanisms."""
    record = parse_record("v=spf1 -all exp=explain.%{d} foo.bar-1=%{s}x redirect=_spf.example.com")
    assert isinstance(record.explanation, Explanation)
    assert isinstance(record.redirect, Redirect)
    unknown = [t for t in record.terms if isinstance(t, UnknownModifier)]
    assert [u.name for u in unknown] == ["foo.bar-1"]
    assert len(record.mechanisms) == 1


def test_case_insensitive_names() -> None:
    """Version, mechanism and modifier names are case-insensitive."""
    record = parse_record("V=SPF1 IP4:192.0.2.1 Redirect=example.com")
    assert isinstance(record.mechanisms[0], Ip4)
    assert record.redirect is not None


def test_macro_letters_and_transformers() -> None:
    """Every letter, digits, reversal, several delimiters and URL escaping are parsed."""
    string = parse_macro_string("%{s}%{l}%{o}%{d}%{i}%{p}%{h}%{v}%{d2r}%{L1r-+}%%%_%-")
    macros = [p for p in string.parts if isinstance(p, Macro)]
    assert [m.letter for m in macros] == list("slodiphvdl")
    assert macros[8] == Macro("d", 2, True, "", False)
    assert macros[9] == Macro("l", 1, True, "-+", True)
    assert string.parts[-1] == "% %20"


def test_exp_only_letters() -> None:
    """c, r and t are allowed in explanation text and refused in a domain-spec."""
    assert parse_macro_string("%{c} %{r} %{t}", explanation=True).letters == {"c", "r", "t"}
    with pytest.raises(ParseError, match="only in explanation"):
        parse_record("v=spf1 exists:%{c}.example.com")


@pytest.mark.parametrize(
    ("record", "position", "words"),
    [
        ("v=spf1 ip4:192.0.2.1 -all moo", 26, "unknown mechanism"),
        ("v=spf1 a:example.com/33", 20, "over 32"),
        ("v=spf1 ip4:1.2.3.4/032", 18, "leading zero"),
        ("v=spf1 ip4:1.2.3", 11, "not an IPv4 address"),
        ("v=spf1 ip6::CAFE::BABE", 11, "not an IPv6 address"),
        ("v=spf1 -all.", 11, "takes no argument"),
        ("v=spf1 a:museum", 9, "two labels"),
        ("v=spf1 a:111.222.33.44", 9, "ip4:111.222.33.44"),
        ("v=spf1 include:", 15, "needs a domain"),
        ("v=spf1 exists:%{x}.example.com", 16, "unknown macro letter"),
        ("v=spf1 exists:foo%.example.com", 17, "'%' must be followed"),
        ("v=spf1 redirect=a.example.com redirect=b.example.com", 30, "twice"),
        ("v=spf1 =all", 7, "empty name"),
        ("v=spf1 redirect:example.com", 7, "is a modifier"),
        ("v=spf1 a:example.com\rptr", 20, "control character"),
        ("v=spf1 \u00e9all", 7, "non-ASCII"),
        ("v=spf1 a/24/64", 8, "malformed CIDR"),
    ],
)
def test_errors_name_the_position(record: str, position: int, words: str) -> None:
    """Each syntax error says what is wrong and where (0-based offset)."""
    with pytest.raises(ParseError) as caught:
        parse_record(record)
    assert caught.value.position == position
    assert words in caught.value.message
    assert caught.value.text == record


def test_version_selection() -> None:
    """Only 'v=spf1' followed by a space or the end is an SPF record."""
    assert is_spf_record("v=spf1") and is_spf_record("V=Spf1 -all")
    assert not is_spf_record("v=spf10") and not is_spf_record("v=spf1mx")


def test_domain_spec_end() -> None:
    """A domain-spec must end in a top label (not numeric, no leading dash) or a macro."""
    assert parse_domain_spec("foo.example.xn--zckzah").text == "foo.example.xn--zckzah"
    assert parse_domain_spec("%{d}").letters == {"d"}
    for bad in ("example.-com", "abc.123", "example.com:8080", "museum."):
        with pytest.raises(ParseError):
            parse_domain_spec(bad)


_TERMS = st.sampled_from(
    [
        "a", "mx", "ptr", "-all", "~all", "?all", "ip4:192.0.2.0/24", "ip6:2001:db8::/48",
        "a:mail.example.com/28", "mx:example.net//64", "include:_spf.example.org",
        "exists:%{ir}.%{l1r-}.bl.example.com", "-a:%{d2}.example.com", "x-note=%{s}",
    ]
)  # fmt: skip


@given(st.lists(_TERMS, max_size=12), st.integers(min_value=1, max_value=3))
def test_valid_records_round_trip(terms: list[str], spaces: int) -> None:
    """Any sequence of valid terms parses; each term keeps its text and position."""
    text = "v=spf1" + "".join(" " * spaces + t for t in terms)
    record = parse_record(text)
    assert [t.text for t in record.terms] == terms
    assert all(text[t.position :].startswith(t.text) for t in record.terms)


@given(st.text(max_size=60))
def test_arbitrary_text_never_crashes(tail: str) -> None:
    """Arbitrary text after the version parses or raises ParseError, nothing else."""
    try:
        parse_record("v=spf1 " + tail)
    except ParseError as error:
        assert error.position is not None
        assert 0 <= error.position <= len("v=spf1 " + tail)


@given(st.ip_addresses(v=4), st.integers(min_value=0, max_value=32))
def test_ip4_terms_match_ipaddress(address: ipaddress.IPv4Address, length: int) -> None:
    """An ip4 term's network and bounds are those ipaddress gives for the same text."""
    term = parse_record(f"v=spf1 ip4:{address}/{length}").terms[0]
    network = ipaddress.IPv4Network((str(address), length), strict=False)
    assert isinstance(term, Ip4)
    assert term.network == network
    assert (term.low, term.high) == (
        int(network.network_address),
        int(network.broadcast_address),
    )


@given(st.ip_addresses(v=6), st.integers(min_value=0, max_value=128))
def test_ip6_bounds_match_ipaddress(address: ipaddress.IPv6Address, length: int) -> None:
    """An ip6 term's bounds are its network's first and last addresses."""
    term = parse_record(f"v=spf1 ip6:{address}/{length}").terms[0]
    network = ipaddress.IPv6Network((str(address), length), strict=False)
    assert isinstance(term, Ip6)
    assert (term.low, term.high) == (
        int(network.network_address),
        int(network.broadcast_address),
    )
