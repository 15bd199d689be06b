"""Build an SPF record for a domain's senders that stays within the 10-lookup limit.

Includes are flattened into ``ip4`` / ``ip6`` terms only when the record would otherwise need
more than 10 DNS-querying terms, most expensive first, and every flattening is reported so the
admin knows to refresh it when the provider's addresses change. Sender addresses seen in
reports become ``ip4`` / ``ip6`` terms, merged as :mod:`mailwarden.audit.spf_networks` does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mailwarden.audit.spf_networks import (
    MAX_RECORD,
    Network,
    collapse,
    fit,
    network_term,
    parse_addresses,
)
from mailwarden.dns import OverlayResolver, Resolver, ZoneResolver
from mailwarden.dns.names import normalize_name
from mailwarden.errors import ParseError
from mailwarden.spf import (
    A,
    All,
    Include,
    Ip4,
    Ip6,
    LookupNode,
    Mx,
    Ptr,
    Qualifier,
    SpfLintResult,
    lint_spf,
    parse_record,
)

__all__ = ["SpfSuggestion", "build_spf"]

MAX_LOOKUPS = 10


@dataclass(frozen=True, slots=True)
class SpfSuggestion:
    """A recommended record, the DNS lookups it costs, the includes flattened and why;
    whether sender addresses were merged into wider networks, and the ones that were not
    addresses."""

    record: str
    lookups: int
    flattened: tuple[str, ...]
    notes: tuple[str, ...]
    widened: bool = False
    skipped: tuple[str, ...] = ()


async def build_spf(
    domain: str,
    *,
    resolver: Resolver,
    senders: Sequence[str] = (),
    existing: str | None = None,
    addresses: Iterable[str] = (),
) -> SpfSuggestion:
    """Return a record authorizing ``existing``'s senders plus ``senders`` plus ``addresses``,
    ending in ``-all``.

    ``senders`` are SPF terms (``ip4:203.0.113.0/24``, ``include:_spf.example.net``, ``mx``).
    ``addresses`` are IP addresses seen sending (text that is not one is skipped and listed):
    they are merged into networks, widened (never past /24 or /48) when the record would be
    longer than 450 characters. Raises ``ParseError`` when a sender term is not valid SPF.
    """
    notes: list[str] = []
    terms = _existing_terms(existing, notes) + _sender_terms(senders)
    networks, skipped = parse_addresses(addresses)
    room = MAX_RECORD - len(_record(list(dict.fromkeys(terms))))
    fitted, widened = fit(networks, room)
    terms = list(dict.fromkeys(terms + [network_term(n) for n in fitted]))
    if widened:
        notes.append(
            "Merged neighbouring sender addresses into wider networks (never wider than /24 "
            f"or /48) to keep the record within {MAX_RECORD} characters."
        )
    if skipped:
        notes.append(f"Skipped {len(skipped)} sender value(s) that are not IP addresses.")
    record = _record(terms)
    lint = await _lint_candidate(domain, record, resolver)
    flattened: list[str] = []
    if lint.lookups > MAX_LOOKUPS and lint.tree is not None:
        terms, flattened = await _flatten(domain, terms, lint.tree, resolver, notes)
        record = _record(terms)
        lint = await _lint_candidate(domain, record, resolver)
    if lint.lookups > MAX_LOOKUPS:
        notes.append(
            f"The record still needs {lint.lookups} lookups: a, mx, exists and includes that "
            "use macros are kept as written; drop senders you no longer use or replace a and "
            "mx terms with ip4 and ip6 terms."
        )
    return SpfSuggestion(
        record, lint.lookups, tuple(flattened), tuple(notes), widened, tuple(skipped)
    )


def _existing_terms(existing: str | None, notes: list[str]) -> list[str]:
    if not existing:
        return []
    try:
        parsed = parse_record(existing)
    except ParseError as exc:
        notes.append(f"The published record does not parse ({exc}); it was not used as a start.")
        return []
    kept = []
    for mechanism in parsed.mechanisms:
        if isinstance(mechanism, All):
            continue
        if isinstance(mechanism, Ptr):
            notes.append("Dropped `ptr`: it is deprecated (RFC 7208 section 5.5) and slow.")
            continue
        kept.append(mechanism.text)
    if parsed.redirect is not None:
        kept.append(f"include:{parsed.redirect.domain.text}")
        notes.append(f"Turned redirect={parsed.redirect.domain.text} into an include.")
    return kept


def _sender_terms(senders: Sequence[str]) -> list[str]:
    terms: list[str] = []
    for sender in senders:
        parsed = parse_record("v=spf1 " + sender.strip())
        terms.extend(m.text for m in parsed.mechanisms if not isinstance(m, All))
    return terms


def _record(terms: Sequence[str]) -> str:
    return " ".join(["v=spf1", *terms, "-all"])


async def _lint_candidate(domain: str, record: str, resolver: Resolver) -> SpfLintResult:
    candidate = ZoneResolver.from_dict({domain: {"TXT": record}})
    return await lint_spf(domain, resolver=OverlayResolver(candidate, resolver))


async def _flatten(
    domain: str, terms: list[str], tree: LookupNode, resolver: Resolver, notes: list[str]
) -> tuple[list[str], list[str]]:
    """Replace the costliest includes by their addresses until the record fits."""
    costs = {child.term: child for child in tree.children if child.term.startswith("include:")}
    total = tree.total
    flattened: list[str] = []
    for term in sorted(costs, key=lambda t: -costs[t].total):
        if total <= MAX_LOOKUPS:
            break
        node = costs[term]
        networks = await _networks(node, resolver)
        if networks is None:
            continue
        position = terms.index(term) if term in terms else len(terms)
        replacement = [network_term(n) for n in collapse(networks)]
        terms = terms[:position] + replacement + terms[position + 1 :]
        total -= node.total + 1
        flattened.append(term)
        notes.append(
            f"Flattened {term} ({node.total + 1} lookups) into {len(replacement)} address terms: "
            "refresh them when the provider's addresses change."
        )
    return list(dict.fromkeys(terms)), flattened


async def _networks(node: LookupNode, resolver: Resolver) -> list[Network] | None:
    """Return every network ``node`` authorizes, or ``None`` when it cannot be flattened."""
    if node.record is None or node.error:
        return None
    try:
        parsed = parse_record(node.record)
    except ParseError:
        return None
    networks: list[Network] = []
    for mechanism in parsed.mechanisms:
        found = await _mechanism_networks(mechanism, node, resolver)
        if found is None:
            return None
        networks.extend(found)
    return networks


async def _mechanism_networks(
    mechanism: object, node: LookupNode, resolver: Resolver
) -> list[Network] | None:
    if isinstance(mechanism, Ip4 | Ip6):
        return [mechanism.network] if mechanism.qualifier is Qualifier.PASS else []
    if isinstance(mechanism, All):
        return []
    if isinstance(mechanism, Include):
        child = next((c for c in node.children if c.term == mechanism.text.lstrip("+")), None)
        return None if child is None else await _networks(child, resolver)
    if isinstance(mechanism, A | Mx):
        return await _host_networks(mechanism, node.domain, resolver)
    return None  # exists, ptr: depend on the connecting client


async def _host_networks(
    mechanism: A | Mx, domain: str, resolver: Resolver
) -> list[Network] | None:
    if mechanism.domain is not None and not mechanism.domain.is_static:
        return None
    target = normalize_name(mechanism.domain.literal() if mechanism.domain else domain)
    hosts = [target]
    if isinstance(mechanism, Mx):
        hosts = [r.exchange for r in (await resolver.resolve(target, "MX")).mx() if r.exchange]
    networks: list[Network] = []
    for host in hosts:
        for rdtype in ("A", "AAAA"):
            for address in (await resolver.resolve(host, rdtype)).addresses():
                networks.append(ipaddress.ip_network(address))
    return networks
