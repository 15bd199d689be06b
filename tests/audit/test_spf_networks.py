"""Sender addresses as SPF terms: merged exactly, widened only to fit, never past /24 or /48."""

from __future__ import annotations

from mailwarden.audit.spf_builder import build_spf
from mailwarden.audit.spf_networks import MAX_RECORD, fit, parse_addresses
from mailwarden.dns import ZoneResolver


async def _record(addresses: list[str]) -> tuple[str, bool, tuple[str, ...]]:
    found = await build_spf("example.com", resolver=ZoneResolver(), addresses=addresses)
    return found.record, found.widened, found.skipped


async def test_single_addresses_become_host_terms() -> None:
    """Lone IPv4 and IPv6 addresses are listed as they are, IPv4 first, ending in -all."""
    record, widened, _ = await _record(["2001:db8::25", "192.0.2.7"])
    assert record == "v=spf1 ip4:192.0.2.7 ip6:2001:db8::25 -all"
    assert not widened


async def test_adjacent_addresses_merge_exactly() -> None:
    """Four adjacent aligned addresses become one /30 and nothing wider."""
    record, widened, _ = await _record([f"198.51.100.{n}" for n in (8, 9, 10, 11)])
    assert record == "v=spf1 ip4:198.51.100.8/30 -all"
    assert not widened


async def test_long_lists_are_widened_but_never_past_a_slash_24() -> None:
    """Many scattered addresses in one /24 merge into it; other /24s stay apart."""
    ips = [f"192.0.2.{n}" for n in range(1, 250, 3)] + ["203.0.113.5"]
    record, widened, _ = await _record(ips)
    assert widened
    assert len(record) <= MAX_RECORD
    assert "ip4:203.0.113.5 " in record
    assert not any(f"/{bits} " in record for bits in (23, 22, 16, 8))


async def test_too_many_networks_stay_too_long() -> None:
    """Addresses in a hundred different /24s cannot be merged: the record stays too long."""
    record, _, _ = await _record([f"10.{n}.0.1" for n in range(100)])
    assert len(record) > MAX_RECORD


async def test_garbage_is_skipped_and_said() -> None:
    """Text that is not an address is skipped, listed and noted."""
    found = await build_spf("example.com", resolver=ZoneResolver(), addresses=["<x>", "192.0.2.1"])
    assert found.skipped == ("<x>",)
    assert found.record == "v=spf1 ip4:192.0.2.1 -all"
    assert any("not IP addresses" in note for note in found.notes)


async def test_addresses_share_the_room_with_other_terms() -> None:
    """Published terms count against the length: the addresses are widened to fit beside them."""
    ips = [f"192.0.2.{n}" for n in range(1, 250, 12)]
    alone = await build_spf("example.com", resolver=ZoneResolver(), addresses=ips)
    existing = "v=spf1 " + " ".join(f"ip4:203.0.113.{n}" for n in range(1, 20)) + " -all"
    beside = await build_spf(
        "example.com", resolver=ZoneResolver(), addresses=ips, existing=existing
    )
    assert not alone.widened and beside.widened
    assert len(beside.record) <= MAX_RECORD


def test_fit_without_room_to_spare_keeps_networks() -> None:
    """With room enough, fit only collapses; the parsed networks keep every address."""
    networks, skipped = parse_addresses(["192.0.2.1", "192.0.2.0", " 2001:db8::1 "])
    assert skipped == []
    merged, widened = fit(networks, 1000)
    assert [str(n) for n in merged] == ["192.0.2.0/31", "2001:db8::1/128"] and not widened
