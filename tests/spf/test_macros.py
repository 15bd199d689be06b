"""Macro expansion: the examples of RFC 7208 section 7.4, escaping, truncation, bounds."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailwarden.spf import MacroContext, expand, parse_macro_string
from mailwarden.spf.macros import ExpansionError, target_name


def _context(ip: str = "192.0.2.3", sender: str = "strong-bad@email.example.com") -> MacroContext:
    local, _, domain = sender.rpartition("@")
    return MacroContext(
        sender, local, domain, ipaddress.ip_address(ip), "mx.example.org", "mx.example.net",
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("macro", "expected"),
    [
        ("%{s}", "strong-bad@email.example.com"),
        ("%{o}", "email.example.com"),
        ("%{d}", "email.example.com"),
        ("%{d4}", "email.example.com"),
        ("%{d3}", "email.example.com"),
        ("%{d2}", "example.com"),
        ("%{d1}", "com"),
        ("%{dr}", "com.example.email"),
        ("%{d2r}", "example.email"),
        ("%{l}", "strong-bad"),
        ("%{l-}", "strong.bad"),
        ("%{lr}", "strong-bad"),
        ("%{lr-}", "bad.strong"),
        ("%{l1r-}", "strong"),
        ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
        ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
        ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
    ],
)
def test_rfc7208_examples(macro: str, expected: str) -> None:
    """Section 7.4's examples expand exactly as the RFC shows."""
    assert expand(parse_macro_string(macro), _context(), "email.example.com") == expected


def test_ipv6_nibbles() -> None:
    """%{i} of an IPv6 client is its 32 nibbles, reversed with r."""
    context = _context("2001:db8::cb01")
    got = expand(parse_macro_string("%{ir}.%{v}._spf.%{d2}"), context, "email.example.com")
    assert got == "1.0.b.c." + "0." * 20 + "8.b.d.0.1.0.0.2.ip6._spf.example.com"


def test_explanation_letters() -> None:
    """c, r and t expand to the client address, the receiver and the time."""
    string = parse_macro_string("%{c} at %{r} %{t}", explanation=True)
    got = expand(string, _context("2001:DB8::1"), "example.com")
    assert got == "2001:db8::1 at mx.example.net 1767225600"


def test_uppercase_is_url_escaped() -> None:
    """An upper-case letter expands like the lower-case one, then URL-escaped."""
    context = _context(sender="~jack&jill=up-a_b3.c@example.com")
    assert expand(parse_macro_string("%{L}"), context, "example.com") == (
        "~jack%26jill%3Dup-a_b3.c"
    )


def test_escapes() -> None:
    """%% %_ and %- are a percent sign, a space and %20."""
    assert expand(parse_macro_string("a%%b%_c%-d"), _context(), "x.example") == "a%b c%20d"


def test_truncation_from_the_left() -> None:
    """A name over 253 octets loses whole labels from the left until it fits."""
    name = ".".join(["a" * 60] * 5) + ".example.com"
    cut = target_name(name)
    assert len(cut) <= 253 and cut.endswith(".example.com") and name.endswith(cut)


def test_bad_names_after_expansion() -> None:
    """Empty labels and labels over 63 octets are refused with a reason."""
    with pytest.raises(ExpansionError, match="empty label"):
        target_name("a..example.com")
    with pytest.raises(ExpansionError, match="over 63"):
        target_name("x" * 64 + ".example.com")
    with pytest.raises(ExpansionError, match="over 253"):
        target_name("a." * 130 + "com", truncate=False)


def test_expansion_is_bounded() -> None:
    """A string of many macros stops at the limit instead of growing without bound."""
    string = parse_macro_string("%{s}" * 5000 + ".example.com")
    with pytest.raises(ExpansionError, match="grows over 8192"):
        expand(string, _context(), "example.com")


_LABELS = st.lists(st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True), min_size=1, max_size=8)


@given(_LABELS, st.integers(min_value=1, max_value=12), st.booleans())
def test_transformers_keep_rightmost_parts(labels: list[str], digits: int, reverse: bool) -> None:
    """%{dNr} keeps the rightmost N parts after optional reversal, joined by dots."""
    domain = ".".join(labels)
    macro = f"%{{d{digits}{'r' if reverse else ''}}}"
    parts = list(reversed(labels)) if reverse else labels
    expected = ".".join(parts[-digits:])
    assert expand(parse_macro_string(macro), _context(), domain) == expected


_LITERAL = [chr(code) for code in range(0x21, 0x7F) if chr(code) != "%"]


@given(st.text(alphabet=_LITERAL, max_size=40))
def test_static_strings_expand_to_themselves(text: str) -> None:
    """A macro-string without '%' expands to exactly its text."""
    assert expand(parse_macro_string(text), _context(), "example.com") == text
