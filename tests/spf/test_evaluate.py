"""check_host(): results, limits as parameters, loops, identities, void lookups, trace."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from mailwarden.dns import Answer
from mailwarden.errors import InputError
from mailwarden.spf import SpfLimits, SpfResultCode, check_helo, check_host, check_mail_from
from tests.spf.conftest import spf, zones

R = SpfResultCode
BASE = {
    "example.com": {"TXT": "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net ~all"},
    "_spf.example.net": {"TXT": "v=spf1 a:out.example.net -all"},
    "out.example.net": {"A": "198.51.100.7", "AAAA": "2001:db8::7"},
}


async def test_pass_names_domain_and_mechanism() -> None:
    """A matching ip4 term gives pass, with the policy's domain and the term."""
    result = await spf(BASE, "192.0.2.10", "alice@example.com")
    assert (result.result, result.domain, result.mechanism) == (
        R.PASS,
        "example.com",
        "ip4:192.0.2.0/24",
    )
    assert "designates 192.0.2.10" in result.reason
    assert result.lookups == 0


async def test_include_pass_counts_lookups() -> None:
    """A pass found through include counts include and a as two lookups."""
    result = await spf(BASE, "198.51.100.7", "alice@example.com")
    assert result.result is R.PASS
    assert result.mechanism == "include:_spf.example.net"
    assert result.lookups == 2


async def test_softfail_and_trace() -> None:
    """Nothing matches until ~all; the trace shows each policy, its outcome and the misses."""
    result = await spf(BASE, "203.0.113.1", "alice@example.com")
    assert result.result is R.SOFTFAIL
    notes = [(step.depth, step.domain, step.term, step.note) for step in result.trace]
    assert notes == [
        (0, "example.com", "~all",
         "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net ~all  =>  softfail (~all)"),
        (1, "_spf.example.net", "-all", "v=spf1 a:out.example.net -all  =>  fail (-all)"),
        (1, "_spf.example.net", "a:out.example.net",
         "no match: no address of out.example.net is 203.0.113.1"),
        (0, "example.com", "include:_spf.example.net", "no match: the included policy gave fail"),
    ]  # fmt: skip


async def test_none_without_record() -> None:
    """A domain without an SPF record gives none."""
    result = await spf({"example.org": {"TXT": "hello"}}, "192.0.2.1", "a@example.org")
    assert result.result is R.NONE


async def test_temperror_on_timeout() -> None:
    """A DNS timeout while fetching the record gives temperror with the reason."""
    result = await spf({"example.org": {"TIMEOUT": True}}, "192.0.2.1", "a@example.org")
    assert result.result is R.TEMPERROR
    assert "TIMEOUT" in result.reason


async def test_lookup_limit_is_a_parameter() -> None:
    """With dns_terms=2 the third DNS-querying term ends in permerror naming it."""
    data = {"example.org": {"TXT": "v=spf1 a mx exists:example.org -all", "A": "192.0.2.9"}}
    assert (await spf(data, "192.0.2.1", "a@example.org")).result is R.PASS
    limited = await spf(data, "192.0.2.1", "a@example.org", dns_terms=2)
    assert limited.result is R.PERMERROR
    assert "exists:example.org" in limited.reason and "more than 2" in limited.reason


async def test_void_limit_is_a_parameter() -> None:
    """Three names that do not exist exceed the default void limit; a limit of 3 allows it."""
    data = {
        "example.org": {"TXT": "v=spf1 a:n1.example.org a:n2.example.org a:n3.example.org -all"}
    }
    default = await spf(data, "192.0.2.1", "a@example.org")
    assert default.result is R.PERMERROR and "void lookups" in default.reason
    assert (await spf(data, "192.0.2.1", "a@example.org", void_lookups=3)).result is R.FAIL


async def test_mx_names_limit() -> None:
    """More MX hosts than mx_names is a permerror (RFC 7208 section 4.6.4)."""
    mx = [f"{n} mx{n}.example.org" for n in range(4)]
    data: dict[str, dict[str, object]] = {"example.org": {"TXT": "v=spf1 mx -all", "MX": mx}}
    data.update({f"mx{n}.example.org": {"A": f"198.51.100.{n}"} for n in range(4)})
    assert (await spf(data, "192.0.2.1", "a@example.org")).result is R.FAIL
    limited = await spf(data, "192.0.2.1", "a@example.org", mx_names=3)
    assert limited.result is R.PERMERROR and "4 MX hosts" in limited.reason


async def test_ptr_names_limit() -> None:
    """Only the first ptr_names reverse names are validated; the rest are ignored."""
    names = [f"h{n}.example.org" for n in range(3)]
    data: dict[str, dict[str, object]] = {
        "example.org": {"TXT": "v=spf1 ptr -all"},
        "1.2.0.192.in-addr.arpa": {"PTR": names},
        "h2.example.org": {"A": "192.0.2.1"},
    }
    assert (await spf(data, "192.0.2.1", "a@example.org")).result is R.PASS
    assert (await spf(data, "192.0.2.1", "a@example.org", ptr_names=2)).result is R.FAIL


async def test_include_loop_is_detected() -> None:
    """An include chain that comes back to a policy ends at once in permerror naming the loop."""
    data = {
        "a.example.org": {"TXT": "v=spf1 include:b.example.org -all"},
        "b.example.org": {"TXT": "v=spf1 include:a.example.org -all"},
    }
    resolver = zones(data)
    result = await spf(resolver, "192.0.2.1", "x@a.example.org")
    assert result.result is R.PERMERROR
    assert "loop: a.example.org -> b.example.org -> a.example.org" in result.reason
    assert len(resolver.queries) == 2


async def test_redirect_uses_target_domain() -> None:
    """redirect= evaluates the target's policy with <domain> set to the target."""
    data = {
        "example.org": {"TXT": "v=spf1 redirect=_spf.example.org", "A": "192.0.2.1"},
        "_spf.example.org": {"TXT": "v=spf1 a -all", "A": "192.0.2.2"},
    }
    assert (await spf(data, "192.0.2.2", "a@example.org")).result is R.PASS
    assert (await spf(data, "192.0.2.1", "a@example.org")).result is R.FAIL


async def test_helo_identity() -> None:
    """check_helo and an empty MAIL FROM both check postmaster@<helo>."""
    data = {"mail.example.org": {"TXT": "v=spf1 a -all", "A": "192.0.2.5"}}
    by_helo = await check_helo("192.0.2.5", "mail.example.org", resolver=zones(data))
    bounce = await check_mail_from("192.0.2.5", "<>", "mail.example.org", resolver=zones(data))
    for result in (by_helo, bounce):
        assert (result.result, result.identity) == (R.PASS, "helo")
        assert result.sender == "postmaster@mail.example.org"


async def test_ipv4_mapped_ipv6_is_ipv4() -> None:
    """An IPv4-mapped IPv6 client matches ip4 terms and is reported as IPv4."""
    result = await spf(BASE, "::ffff:192.0.2.10", "alice@example.com")
    assert (result.result, result.ip) == (R.PASS, "192.0.2.10")


async def test_empty_aaaa_is_not_void_by_default() -> None:
    """An IPv6 client and IPv4-only hosts: no data is not void by default, void if asked."""
    data = {
        "example.org": {"TXT": "v=spf1 a:h1.example.org a:h2.example.org a:h3.example.org ~all"},
        "h1.example.org": {"A": "192.0.2.1"},
        "h2.example.org": {"A": "192.0.2.2"},
        "h3.example.org": {"A": "192.0.2.3"},
    }
    default = await spf(data, "2001:db8::1", "a@example.org")
    assert (default.result, default.void_lookups) == (R.SOFTFAIL, 0)
    strict = await spf(data, "2001:db8::1", "a@example.org", void_nodata_address=True)
    assert strict.result is R.PERMERROR and "void lookups" in strict.reason


async def test_nxdomain_address_lookup_is_void() -> None:
    """An a: target that does not exist counts as a void lookup."""
    data = {"example.org": {"TXT": "v=spf1 a:gone.example.org ~all"}}
    result = await spf(data, "2001:db8::1", "a@example.org")
    assert (result.result, result.void_lookups) == (R.SOFTFAIL, 1)


async def test_explanation_only_on_fail() -> None:
    """exp= text is expanded for fail and absent otherwise."""
    data = {
        "example.org": {"TXT": "v=spf1 ip4:192.0.2.1 -all exp=why.example.org"},
        "why.example.org": {"TXT": "%{i} may not send for %{d} (%{c})"},
    }
    failed = await spf(data, "192.0.2.9", "a@example.org")
    assert failed.explanation == "192.0.2.9 may not send for example.org (192.0.2.9)"
    assert (await spf(data, "192.0.2.1", "a@example.org")).explanation is None


async def test_p_macro_prefers_the_domain() -> None:
    """%{p} is the validated reverse name, preferring one under <domain>."""
    data: dict[str, dict[str, object]] = {
        "example.org": {"TXT": "v=spf1 exists:%{p}.ok.example.org -all"},
        "1.2.0.192.in-addr.arpa": {"PTR": ["other.example.net", "mx.example.org"]},
        "other.example.net": {"A": "192.0.2.1"},
        "mx.example.org": {"A": "192.0.2.1"},
        "mx.example.org.ok.example.org": {"A": "127.0.0.2"},
    }
    result = await spf(data, "192.0.2.1", "a@example.org")
    assert result.result is R.PASS and result.lookups == 2


async def test_t_macro_uses_now() -> None:
    """The t macro in an explanation expands from the injected clock."""
    data = {
        "example.org": {"TXT": "v=spf1 -all exp=why.example.org"},
        "why.example.org": {"TXT": "at %{t}"},
    }
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    result = await check_host(
        "192.0.2.1", "example.org", "a@example.org", resolver=zones(data), now=now
    )
    assert result.explanation == "at 1767225600"


async def test_bad_domain_gives_none() -> None:
    """A domain that is not a host name has no policy: none, not an error."""
    for domain in ("[192.0.2.1]", "localhost", "a..example.org", "x" * 64 + ".example.org"):
        result = await check_host("192.0.2.1", domain, "a@b.example", resolver=zones({}))
        assert result.result is R.NONE, domain


async def test_bad_ip_raises_input_error() -> None:
    """An IP that is not an address is the caller's error: InputError."""
    with pytest.raises(InputError, match="not an IP address"):
        await check_host("192.0.2", "example.org", "a@example.org", resolver=zones({}))


class _SlowResolver:
    """Answers from zones after a delay."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.zones = zones(
            {
                "a.example.org": {"TXT": "v=spf1 include:b.example.org -all"},
                "b.example.org": {"TXT": "v=spf1 include:c.example.org -all"},
                "c.example.org": {"TXT": "v=spf1 +all"},
            }
        )

    async def resolve(self, name: str, rdtype: str) -> Answer:
        await asyncio.sleep(self.delay)
        return await self.zones.resolve(name, rdtype)


async def test_overall_time_limit() -> None:
    """Past the time limit the check ends in temperror instead of waiting on."""
    limits = SpfLimits(timeout=0.01)
    result = await check_host(
        "192.0.2.1", "a.example.org", "x@a.example.org", resolver=_SlowResolver(0.02), limits=limits
    )
    assert result.result is R.TEMPERROR and "longer than 0.01 s" in result.reason


async def test_internationalized_domain_uses_a_labels() -> None:
    """An SMTPUTF8 sender domain is looked up by its A-labels."""
    data = {"xn--bcher-kva.example": {"TXT": "v=spf1 ip4:192.0.2.1 -all"}}
    result = await spf(data, "192.0.2.1", "kim@bücher.example")
    assert (result.result, result.domain) == (R.PASS, "xn--bcher-kva.example")


async def test_trace_names_where_an_error_arose() -> None:
    """The policy where a permerror arose carries the reason; outer policies point at it."""
    data = {
        "example.org": {"TXT": "v=spf1 include:bad.example.org -all"},
        "bad.example.org": {"TXT": "v=spf1 include:gone.example.org -all"},
    }
    result = await spf(data, "192.0.2.1", "a@example.org")
    outer, inner, missing = (step.note for step in result.trace)
    assert missing == "no SPF record"
    assert outer.endswith("=>  permerror (from the policy of bad.example.org)")
    assert inner.endswith("=>  permerror: included domain gone.example.org has no SPF record")


async def test_a_mechanism_cidr_and_family() -> None:
    """a/24 matches within the range; an AAAA address never matches an IPv4 client."""
    data = {
        "example.org": {"TXT": "v=spf1 a:h.example.org/24 -all"},
        "h.example.org": {"A": "192.0.2.200", "AAAA": "::ffff:198.51.100.1"},
    }
    assert (await spf(data, "192.0.2.7", "a@example.org")).result is R.PASS
    assert (await spf(data, "198.51.100.1", "a@example.org")).result is R.FAIL
