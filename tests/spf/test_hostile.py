"""Hostile records are bounded: each ends in permerror with a clear reason, few queries."""

from __future__ import annotations

from mailwarden.spf import SpfResultCode
from tests.spf.conftest import spf, zones

R = SpfResultCode


def _chain(levels: int) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = {
        f"l{n}.example.org": {"TXT": f"v=spf1 include:l{n + 1}.example.org -all"}
        for n in range(levels)
    }
    data[f"l{levels}.example.org"] = {"TXT": "v=spf1 +all"}
    return data


async def test_deep_include_chain_stops_at_the_lookup_limit() -> None:
    """A 500-level include chain ends after 11 includes in permerror."""
    resolver = zones(_chain(500))
    result = await spf(resolver, "192.0.2.1", "a@l0.example.org")
    assert result.result is R.PERMERROR and "more than 10 DNS-querying terms" in result.reason
    assert len(resolver.queries) <= 12


async def test_deep_chain_with_raised_limits_has_no_recursion_error() -> None:
    """Even with huge limits, nesting stops at the hard ceiling: no RecursionError."""
    result = await spf(_chain(3000), "192.0.2.1", "a@l0.example.org", dns_terms=10**6, depth=10**6)
    assert result.result is R.PERMERROR and "nested deeper than 50" in result.reason


async def test_macro_growth_is_bounded() -> None:
    """A domain-spec of thousands of macros stops at the expansion limit."""
    record = "v=spf1 exists:" + "%{s}" * 3000 + ".example.org -all"
    result = await spf({"example.org": {"TXT": record}}, "192.0.2.1", "a@example.org")
    assert result.result is R.PERMERROR and "grows over 8192 characters" in result.reason


async def test_ten_thousand_terms() -> None:
    """A 10,000-term record is refused before any of its terms is evaluated."""
    record = "v=spf1 " + " ".join(["ip4:192.0.2.1"] * 10_000) + " -all"
    resolver = zones({"example.org": {"TXT": record}})
    result = await spf(resolver, "198.51.100.1", "a@example.org")
    assert result.result is R.PERMERROR and "10001 terms, over the limit of 1000" in result.reason
    assert len(resolver.queries) == 1


async def test_ten_thousand_lookup_terms_stop_at_eleven() -> None:
    """Thousands of DNS-querying terms stop at the eleventh with few queries."""
    record = "v=spf1 " + " ".join(f"a:h{n}.example.org" for n in range(900)) + " -all"
    resolver = zones({"example.org": {"TXT": record}})
    result = await spf(resolver, "198.51.100.1", "a@example.org", void_lookups=1000)
    assert result.result is R.PERMERROR and "more than 10" in result.reason
    assert len(resolver.queries) <= 12


async def test_name_over_253_octets() -> None:
    """A literal target name over 253 octets is a permerror naming its length."""
    name = ".".join(["a" * 50] * 6) + ".example.org"
    result = await spf(
        {"example.org": {"TXT": f"v=spf1 a:{name} -all"}}, "192.0.2.1", "a@example.org"
    )
    assert result.result is R.PERMERROR and f"is {len(name)} octets, over 253" in result.reason


async def test_label_over_63_octets() -> None:
    """A target label over 63 octets is a permerror naming it."""
    record = "v=spf1 a:" + "x" * 64 + ".example.org -all"
    result = await spf({"example.org": {"TXT": record}}, "192.0.2.1", "a@example.org")
    assert result.result is R.PERMERROR and "64 octets, over 63" in result.reason


async def test_label_over_63_from_a_macro() -> None:
    """A label over 63 octets produced by a macro is a permerror too."""
    record = "v=spf1 a:%{l}.example.org -all"
    result = await spf({"example.org": {"TXT": record}}, "192.0.2.1", "y" * 70 + "@example.org")
    assert result.result is R.PERMERROR and "70 octets, over 63" in result.reason


async def test_thousand_ptr_names_are_cut_to_ten() -> None:
    """A client with 1,000 PTR names costs at most 10 validation lookups."""
    names = [f"h{n}.example.org" for n in range(1000)]
    resolver = zones(
        {"example.org": {"TXT": "v=spf1 ptr -all"}, "1.2.0.192.in-addr.arpa": {"PTR": names}}
    )
    result = await spf(resolver, "192.0.2.1", "a@example.org")
    assert result.result is R.FAIL
    assert len(resolver.queries) <= 12
