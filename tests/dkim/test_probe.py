"""Selector discovery: keys found under common selectors, judged, looked up concurrently."""

from __future__ import annotations

import asyncio

import pytest

from mailwarden.dkim import COMMON_SELECTORS, probe_selectors
from mailwarden.dns import Answer, Status
from mailwarden.testing import ZoneResolver
from tests.dkim.conftest import Keys


def _codes(report: object) -> list[str]:
    return [f.code for f in report.findings]  # type: ignore[attr-defined]


def test_builtin_list_is_broad() -> None:
    """At least 40 selectors in common use are built in, without duplicates."""
    assert len(COMMON_SELECTORS) >= 40
    assert len(set(COMMON_SELECTORS)) == len(COMMON_SELECTORS)
    for name in ("default", "selector1", "selector2", "google", "k1", "s1", "s2", "dkim", "mail"):
        assert name in COMMON_SELECTORS


async def test_probe_judges_each_key(keys: Keys) -> None:
    """Keys found are reported with type, size, flags and findings; failures are listed."""
    p1024 = (
        "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi"
        "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZy"
        "VYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
    )
    resolver = ZoneResolver.from_dict(
        {
            "default._domainkey.example.com": {"TXT": keys.rsa.record},
            "s1._domainkey.example.com": {"TXT": f"v=DKIM1; k=rsa; p={p1024}"},
            "k1._domainkey.example.com": {"TXT": keys.ed25519.record + "; t=y"},
            "google._domainkey.example.com": {"TXT": "v=DKIM1; k=rsa; p="},
            "mail._domainkey.example.com": {"TXT": "v=DKIM1; k=rsa; p=MIIB!!"},
            "selector1._domainkey.example.com": {"TIMEOUT": True},
        }
    )
    result = await probe_selectors("Example.COM.", resolver=resolver)
    found = {k.selector: k for k in result.keys}
    assert result.domain == "example.com"
    assert sorted(found) == ["default", "google", "k1", "mail", "s1"]
    assert (found["default"].key_type, found["default"].key_bits, found["default"].valid) == (
        "rsa",
        2048,
        True,
    )
    assert _codes(found["default"]) == []
    assert _codes(found["s1"]) == ["dkim.weak-key"]
    assert (found["k1"].flags, _codes(found["k1"])) == (("y",), ["dkim.testing-flag"])
    assert (found["google"].valid, _codes(found["google"])) == (False, ["dkim.revoked"])
    assert (found["mail"].valid, _codes(found["mail"])) == (False, ["dkim.malformed-key"])
    assert result.failed == ("selector1",)
    assert len(resolver.queries) == len(COMMON_SELECTORS) + 1  # _domainkey first


async def test_probe_runs_lookups_concurrently() -> None:
    """Lookups overlap in time instead of running one after another."""

    class Slow:
        in_flight = 0
        peak = 0

        async def resolve(self, name: str, rdtype: str) -> Answer:
            Slow.in_flight += 1
            Slow.peak = max(Slow.peak, Slow.in_flight)
            await asyncio.sleep(0.01)
            Slow.in_flight -= 1
            return await ZoneResolver().resolve(name, rdtype)

    result = await probe_selectors(
        "example.com", resolver=Slow(), selectors=["a", "b", "c"], nxdomain_cut=False
    )
    assert result.keys == ()
    assert Slow.peak == 3


async def test_probe_given_selectors_only() -> None:
    """With selectors given, only those are asked, in lower case, once each."""
    resolver = ZoneResolver()
    result = await probe_selectors(
        "example.com", resolver=resolver, selectors=["A", "a", "b"], nxdomain_cut=False
    )
    assert result.selectors_tried == ("a", "b")
    assert sorted(q[0] for q in resolver.queries) == [
        "a._domainkey.example.com",
        "b._domainkey.example.com",
    ]


async def test_nxdomain_at_domainkey_asks_one_query() -> None:
    """No name below _domainkey (NXDOMAIN, RFC 8020): one query, every selector counted as tried."""
    resolver = ZoneResolver.from_dict({"example.com": {"TXT": "v=spf1 -all"}})
    result = await probe_selectors("example.com", resolver=resolver)
    assert resolver.queries == [("_domainkey.example.com", "TXT")]
    assert result.selectors_tried == COMMON_SELECTORS
    assert (result.keys, result.failed) == ((), ())


async def test_keys_present_make_domainkey_an_empty_non_terminal(keys: Keys) -> None:
    """With keys published, _domainkey answers NODATA and every selector is probed."""
    resolver = ZoneResolver.from_dict({"s1._domainkey.example.com": {"TXT": keys.rsa.record}})
    assert resolver.lookup("_domainkey.example.com", "TXT").status is Status.NODATA
    result = await probe_selectors("example.com", resolver=resolver)
    assert [k.selector for k in result.keys] == ["s1"]
    assert len(resolver.queries) == len(COMMON_SELECTORS) + 1


async def test_wildcard_at_domain_falls_back_to_the_full_probe() -> None:
    """A wildcard makes _domainkey exist, so the selectors are asked as without the cut."""
    resolver = ZoneResolver.from_dict({"*.example.com": {"TXT": "hello"}})
    result = await probe_selectors("example.com", resolver=resolver, selectors=["a", "b"])
    assert sorted(q[0] for q in resolver.queries) == [
        "_domainkey.example.com",
        "a._domainkey.example.com",
        "b._domainkey.example.com",
    ]
    assert [k.selector for k in result.keys] == ["a", "b"]
    assert all(not k.valid for k in result.keys)


@pytest.mark.parametrize("status", [Status.SERVFAIL, Status.TIMEOUT])
async def test_error_at_domainkey_falls_back_to_the_full_probe(status: Status) -> None:
    """SERVFAIL or a timeout at _domainkey proves nothing: every selector is asked."""
    inner = ZoneResolver.from_dict({"k1._domainkey.example.com": {"TXT": "v=DKIM1; p="}})

    class Failing:
        async def resolve(self, name: str, rdtype: str) -> Answer:
            if name == "_domainkey.example.com":
                return Answer(name, rdtype, status)
            return await inner.resolve(name, rdtype)

    result = await probe_selectors("example.com", resolver=Failing(), selectors=["k1", "s1"])
    assert [k.selector for k in result.keys] == ["k1"]
    assert len(inner.queries) == 2


async def test_cut_can_be_turned_off() -> None:
    """nxdomain_cut=False asks every selector even when _domainkey is NXDOMAIN."""
    resolver = ZoneResolver.from_dict({"example.com": {"TXT": "v=spf1 -all"}})
    await probe_selectors("example.com", resolver=resolver, nxdomain_cut=False)
    assert len(resolver.queries) == len(COMMON_SELECTORS)
    assert ("_domainkey.example.com", "TXT") not in resolver.queries


async def test_cname_at_domainkey_to_nowhere_falls_back() -> None:
    """NXDOMAIN reached through a CNAME at _domainkey says nothing about names below it."""
    resolver = ZoneResolver.from_dict(
        {
            "_domainkey.example.com": {"CNAME": "gone.example.net"},
            "example.net": {"TXT": "x"},
        }
    )
    await probe_selectors("example.com", resolver=resolver, selectors=["a", "b"])
    assert len(resolver.queries) == 3
