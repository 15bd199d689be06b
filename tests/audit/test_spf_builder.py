"""The SPF record builder: merge senders, stay within 10 lookups, flatten only when needed."""

from __future__ import annotations

import pytest

from mailwarden.audit.spf_builder import build_spf
from mailwarden.audit.suggest import suggest
from mailwarden.errors import ParseError
from mailwarden.testing import ZoneResolver


def _provider_zone() -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = {
        # a provider whose include costs 1 + 4 lookups
        "_spf.big.example": {
            "TXT": "v=spf1 include:a.big.example include:b.big.example "
            "a:big.example mx:big.example ~all"
        },
        "a.big.example": {"TXT": "v=spf1 ip4:198.51.100.0/25 ip4:198.51.100.128/25 -all"},
        "b.big.example": {"TXT": "v=spf1 ip6:2001:db8:b::/48 -all"},
        "big.example": {"A": "203.0.113.10", "MX": (10, "mx.big.example")},
        "mx.big.example": {"A": "203.0.113.11"},
        "_spf.small.example": {"TXT": "v=spf1 ip4:192.0.2.0/24 -all"},
        # a provider that cannot be flattened (exists depends on the client)
        "_spf.macro.example": {"TXT": "v=spf1 exists:%{i}._spf.macro.example -all"},
    }
    for i in range(8):
        data[f"_spf{i}.many.example"] = {"TXT": f"v=spf1 ip4:10.{i}.0.0/16 -all"}
    return data


ZONE = ZoneResolver.from_dict(_provider_zone())


async def test_simple_senders_within_limit() -> None:
    """Senders are added after the published terms; nothing is flattened when it fits."""
    result = await build_spf(
        "example.com",
        resolver=ZONE,
        senders=["ip4:203.0.113.0/24", "include:_spf.small.example"],
        existing="v=spf1 mx ~all",
    )
    assert result.record == "v=spf1 mx ip4:203.0.113.0/24 include:_spf.small.example -all"
    assert result.lookups == 2
    assert result.flattened == ()


async def test_flattens_the_costliest_include_only() -> None:
    """Over 10 lookups, the most expensive include becomes address terms, and it is said."""
    senders = [f"include:_spf{i}.many.example" for i in range(8)] + ["include:_spf.big.example"]
    result = await build_spf("example.com", resolver=ZONE, senders=senders)
    assert result.flattened == ("include:_spf.big.example",)
    assert result.lookups == 8
    assert "ip4:198.51.100.0/24" in result.record  # the two /25 collapsed
    assert "ip4:203.0.113.10/31" in result.record  # a and mx hosts, merged
    assert "ip6:2001:db8:b::/48" in result.record
    assert "include:_spf0.many.example" in result.record
    assert any("refresh" in note for note in result.notes)


async def test_unflattenable_include_is_reported() -> None:
    """Terms that cannot be flattened stay, and the builder says the record is still too big."""
    senders = [f"a:host{i}.example" for i in range(10)] + ["include:_spf.macro.example"]
    result = await build_spf("example.com", resolver=ZONE, senders=senders)
    assert result.lookups == 12 and result.flattened == ()
    assert any("still needs 12 lookups" in note for note in result.notes)


async def test_ptr_dropped_and_redirect_included() -> None:
    """ptr is dropped from the published record and redirect= becomes an include."""
    result = await build_spf(
        "example.com", resolver=ZONE, existing="v=spf1 ptr redirect=_spf.small.example"
    )
    assert result.record == "v=spf1 include:_spf.small.example -all"
    assert len(result.notes) == 2


async def test_bad_sender_term() -> None:
    """A sender that is not SPF raises ParseError."""
    with pytest.raises(ParseError):
        await build_spf("example.com", resolver=ZONE, senders=["ip4:not-an-address"])


@pytest.mark.parametrize("rua", ["not a uri", "mailto:", "mailto:a@b.example; p=none"])
async def test_suggest_refuses_a_rua_that_is_not_a_uri(rua: str) -> None:
    """A --rua that is not a report URI raises ParseError instead of landing in the record."""
    with pytest.raises(ParseError):
        await suggest("example.com", resolver=ZONE, rua=[rua])


async def test_suggest_keeps_a_valid_rua() -> None:
    """A valid --rua is used in every step of the DMARC plan."""
    result = await suggest("example.com", resolver=ZONE, rua=["mailto:r@reports.example"])
    assert all("rua=mailto:r@reports.example" in step.record for step in result.dmarc_plan)
