"""Suggest an SPF record that covers the legitimate senders seen in the reports.

The record lists ``ip4:`` and ``ip6:`` terms. Adjacent addresses are merged into the prefix
that covers exactly them; when the record would still be too long, the two closest networks
are merged into their covering prefix, but never wider than ``/24`` (IPv4) or ``/48`` (IPv6),
so that a suggestion never authorizes a large foreign range.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["MAX_LENGTH", "SuggestedRecord", "suggest_spf_record"]

#: Longest record suggested: fits one UDP answer with room for other records.
MAX_LENGTH = 450

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_WIDEST = {4: 24, 6: 48}


@dataclass(frozen=True, slots=True)
class SuggestedRecord:
    """A suggested ``v=spf1`` record, its networks, and whether it had to be widened."""

    record: str
    networks: tuple[str, ...]
    widened: bool
    too_long: bool
    skipped: tuple[str, ...] = ()


def suggest_spf_record(ips: Iterable[str], *, all_term: str = "-all") -> SuggestedRecord:
    """Return an SPF record with ``ip4``/``ip6`` terms covering ``ips``, ending in ``all_term``.

    Text that is not an IP address is skipped (and listed in ``skipped``); never raises.
    """
    networks: list[Network] = []
    skipped: list[str] = []
    for text in ips:
        try:
            address = ipaddress.ip_address(text.strip())
        except ValueError:
            skipped.append(text)
            continue
        networks.append(ipaddress.ip_network(address))
    merged = _collapse(networks)
    widened = False
    while _length(merged, all_term) > MAX_LENGTH:
        closer = _merge_closest(merged)
        if closer is None:
            break
        merged, widened = closer, True
    terms = tuple(_term(n) for n in merged)
    record = " ".join(("v=spf1", *terms, all_term))
    return SuggestedRecord(record, terms, widened, len(record) > MAX_LENGTH, tuple(skipped))


def _collapse(networks: list[Network]) -> list[Network]:
    v4 = [n for n in networks if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in networks if isinstance(n, ipaddress.IPv6Network)]
    return [*ipaddress.collapse_addresses(v4), *ipaddress.collapse_addresses(v6)]


def _term(network: Network) -> str:
    kind = "ip4" if network.version == 4 else "ip6"
    full = network.prefixlen == network.max_prefixlen
    return f"{kind}:{network.network_address}" if full else f"{kind}:{network}"


def _length(networks: list[Network], all_term: str) -> int:
    return len("v=spf1 ") + sum(len(_term(n)) + 1 for n in networks) + len(all_term)


def _merge_closest(networks: list[Network]) -> list[Network] | None:
    """Merge the pair of same-family neighbours with the longest common prefix, if allowed."""
    best: tuple[int, int] | None = None
    for index in range(len(networks) - 1):
        left, right = networks[index], networks[index + 1]
        if left.version != right.version:
            continue
        common = _common_prefix(left, right)
        if common < _WIDEST[left.version]:
            continue
        if best is None or common > best[0]:
            best = (common, index)
    if best is None:
        return None
    common, index = best
    supernet = networks[index].supernet(new_prefix=common)
    return _collapse([*networks[:index], supernet, *networks[index + 2 :]])


def _common_prefix(left: Network, right: Network) -> int:
    bits = left.max_prefixlen
    difference = int(left.network_address) ^ int(right.network_address)
    common = bits - difference.bit_length()
    return min(common, left.prefixlen, right.prefixlen)
