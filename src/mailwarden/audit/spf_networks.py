"""Addresses and networks as SPF ``ip4`` / ``ip6`` terms: the one place they are merged.

Adjacent addresses are merged into the prefix that covers exactly them. When the terms would
not fit the room left in a record, the two closest networks are merged into their covering
prefix, but never wider than ``/24`` (IPv4) or ``/48`` (IPv6), so that a suggestion never
authorizes a large foreign range.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

__all__ = [
    "MAX_RECORD",
    "Network",
    "collapse",
    "fit",
    "network_term",
    "parse_addresses",
    "terms_length",
]

#: Longest record suggested: fits one UDP answer with room for other records.
MAX_RECORD = 450

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_WIDEST = {4: 24, 6: 48}


def parse_addresses(texts: Iterable[str]) -> tuple[list[Network], list[str]]:
    """Return the host networks of the IP addresses in ``texts`` and the texts that are not
    addresses (skipped); never raises."""
    networks: list[Network] = []
    skipped: list[str] = []
    for text in texts:
        try:
            networks.append(ipaddress.ip_network(ipaddress.ip_address(text.strip())))
        except ValueError:
            skipped.append(text)
    return networks, skipped


def collapse(networks: Iterable[Network]) -> list[Network]:
    """Return ``networks`` merged into the fewest networks covering exactly them, IPv4 first."""
    found = list(networks)
    v4 = [n for n in found if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in found if isinstance(n, ipaddress.IPv6Network)]
    return [*ipaddress.collapse_addresses(v4), *ipaddress.collapse_addresses(v6)]


def network_term(network: Network) -> str:
    """Return the SPF term of ``network``: ``ip4:192.0.2.7`` for a host, else with its prefix."""
    kind = "ip4" if network.version == 4 else "ip6"
    if network.prefixlen == network.max_prefixlen:
        return f"{kind}:{network.network_address}"
    return f"{kind}:{network}"


def terms_length(networks: Iterable[Network]) -> int:
    """Return the characters the terms of ``networks`` take in a record (each after a space)."""
    return sum(len(network_term(n)) + 1 for n in networks)


def fit(networks: Iterable[Network], room: int) -> tuple[list[Network], bool]:
    """Return ``networks`` collapsed, then widened pair by pair until their terms take at most
    ``room`` characters or no pair may be merged; and whether any was widened."""
    merged = collapse(networks)
    widened = False
    while terms_length(merged) > room:
        closer = _merge_closest(merged)
        if closer is None:
            break
        merged, widened = closer, True
    return merged, widened


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
    return collapse([*networks[:index], supernet, *networks[index + 2 :]])


def _common_prefix(left: Network, right: Network) -> int:
    difference = int(left.network_address) ^ int(right.network_address)
    common = left.max_prefixlen - difference.bit_length()
    return min(common, left.prefixlen, right.prefixlen)
