"""The SPF record suggested from the legitimate senders seen."""

from __future__ import annotations

from mailwarden.web.spfrecord import MAX_LENGTH, suggest_spf_record


def test_single_addresses_become_host_terms() -> None:
    """Lone IPv4 and IPv6 addresses are listed as they are, IPv4 first, ending in -all."""
    found = suggest_spf_record(["2001:db8::25", "192.0.2.7"])
    assert found.record == "v=spf1 ip4:192.0.2.7 ip6:2001:db8::25 -all"
    assert not found.widened


def test_adjacent_addresses_merge_exactly() -> None:
    """Four adjacent aligned addresses become one /30 and nothing wider."""
    found = suggest_spf_record([f"198.51.100.{n}" for n in (8, 9, 10, 11)])
    assert found.networks == ("ip4:198.51.100.8/30",)


def test_long_lists_are_widened_but_never_past_a_slash_24() -> None:
    """Many scattered addresses in one /24 merge into it; other /24s stay apart."""
    ips = [f"192.0.2.{n}" for n in range(1, 250, 3)] + ["203.0.113.5"]
    found = suggest_spf_record(ips)
    assert found.widened
    assert len(found.record) <= MAX_LENGTH
    assert "ip4:203.0.113.5" in found.networks
    assert all(not n.endswith(("/23", "/22", "/16", "/8")) for n in found.networks)


def test_too_many_networks_are_flagged() -> None:
    """Addresses in a hundred different /24s cannot fit: the record says it is too long."""
    found = suggest_spf_record([f"10.{n}.0.1" for n in range(100)])
    assert found.too_long


def test_garbage_is_skipped() -> None:
    """Text that is not an address is skipped and reported."""
    found = suggest_spf_record(["<script>", "192.0.2.1"])
    assert found.skipped == ("<script>",)
    assert found.record == "v=spf1 ip4:192.0.2.1 -all"
