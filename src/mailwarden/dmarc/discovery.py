"""Policy discovery and organizational domains: the RFC 9989 DNS tree walk and RFC 7489's PSL.

Every lookup goes through one :class:`RecordFetcher` per evaluation, which remembers answers so
that the walks for the author domain and for the SPF and DKIM identifiers never repeat a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from mailwarden.dmarc.record import DmarcRecord, is_dmarc_record, parse_record
from mailwarden.dmarc.types import Mode, PsdFlag
from mailwarden.dns import Resolver, Status
from mailwarden.errors import ParseError
from mailwarden.findings import Finding, Severity

__all__ = [
    "MAX_WALK_QUERIES",
    "Discovery",
    "Lookup",
    "LookupStatus",
    "OrgDomain",
    "RecordFetcher",
    "discover_policy",
    "find_org_domain",
    "psl_org_domain",
    "walk_names",
]

MAX_WALK_QUERIES = 8
_MAX_NAME = 253


class LookupStatus(StrEnum):
    """What one ``_dmarc`` query gave: one record, none, several (treated as none), an error."""

    FOUND = "found"
    NONE = "none"
    MULTIPLE = "multiple"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Lookup:
    """The outcome of looking for a DMARC record at ``_dmarc.<domain>``.

    ``dns_status`` is the DNS status of the TXT query; ``record`` is set for FOUND.
    """

    domain: str
    status: LookupStatus
    dns_status: Status
    record: DmarcRecord | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OrgDomain:
    """The organizational domain of ``start`` and the lookups that found it.

    ``records`` are the lookups that found a record, longest name first; ``error`` is True when
    a lookup failed temporarily (the answer is then not reliable).
    """

    start: str
    org_domain: str
    lookups: tuple[Lookup, ...]
    records: tuple[Lookup, ...]
    error: bool = False


@dataclass(frozen=True, slots=True)
class Discovery:
    """The policy record that applies to an author domain.

    ``record`` is None when no record applies (``temperror`` True when a lookup failed);
    ``org_error`` is True when the author's own record was found but a lookup above it failed,
    so that the organizational domain (needed only for relaxed alignment) is uncertain;
    ``policy_domain`` is where it was published; ``org_domain`` is the author domain's
    organizational domain; ``author_exists`` is False when the author domain gave NXDOMAIN.
    """

    author_domain: str
    org_domain: str
    record: DmarcRecord | None
    policy_domain: str | None
    lookups: tuple[Lookup, ...]
    author_exists: bool = True
    temperror: bool = False
    org_error: bool = False
    findings: tuple[Finding, ...] = field(default=())

    @property
    def is_subdomain_policy(self) -> bool:
        """Return True when the record was found above the author domain (``sp`` / ``np``)."""
        return self.policy_domain is not None and self.policy_domain != self.author_domain


class RecordFetcher:
    """Looks up and remembers DMARC records for one evaluation; counts the queries it made."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.queries = 0
        self._seen: dict[str, Lookup] = {}
        self._exists: dict[str, bool | None] = {}

    async def lookup(self, domain: str) -> Lookup:
        """Return the DMARC lookup for ``domain`` (one TXT query at ``_dmarc.<domain>``)."""
        if domain not in self._seen and len(domain) + len("_dmarc.") > _MAX_NAME:
            # Such a name cannot exist in the DNS: nothing to ask, no record there.
            self._seen[domain] = Lookup(domain, LookupStatus.NONE, Status.NXDOMAIN)
        if domain not in self._seen:
            self.queries += 1
            answer = await self.resolver.resolve(f"_dmarc.{domain}", "TXT")
            self._seen[domain] = _lookup_from(domain, answer.status, answer.texts(), answer.detail)
        return self._seen[domain]

    async def exists(self, domain: str) -> bool | None:
        """Return False when ``domain`` gives NXDOMAIN, True when it exists, None on error."""
        known = self._seen.get(domain)
        if known is not None and known.dns_status is not Status.NXDOMAIN:
            return True
        if domain not in self._exists:
            self.queries += 1
            answer = await self.resolver.resolve(domain, "A")
            self._exists[domain] = None if answer.is_error else answer.status != Status.NXDOMAIN
        return self._exists[domain]


def _lookup_from(domain: str, status: Status, texts: list[str], detail: str) -> Lookup:
    if status in (Status.SERVFAIL, Status.TIMEOUT):
        return Lookup(domain, LookupStatus.ERROR, status, detail=detail or status.value)
    records = [text for text in texts if is_dmarc_record(text)]
    if not records:
        return Lookup(domain, LookupStatus.NONE, status)
    if len(records) > 1:
        return Lookup(domain, LookupStatus.MULTIPLE, status, detail=f"{len(records)} records")
    try:
        return Lookup(domain, LookupStatus.FOUND, status, record=parse_record(records[0]))
    except ParseError:  # pragma: no cover - is_dmarc_record already filtered
        return Lookup(domain, LookupStatus.NONE, status)


def walk_names(domain: str) -> list[str]:
    """Return the domains an RFC 9989 tree walk from ``domain`` queries, in order (at most 8).

    The first is ``domain`` itself; a name of 8 labels or more is then shortened to 7 labels;
    after that one label is removed at a time down to the top-level domain.
    """
    labels = [label for label in domain.split(".") if label]
    if not labels:
        return []
    names = [".".join(labels)]
    rest = labels[1:] if len(labels) < MAX_WALK_QUERIES else labels[-(MAX_WALK_QUERIES - 1) :]
    while rest:
        names.append(".".join(rest))
        rest = rest[1:]
    return names[:MAX_WALK_QUERIES]


async def find_org_domain(
    domain: str, fetcher: RecordFetcher, *, mode: Mode = Mode.RFC9989
) -> OrgDomain:
    """Return the organizational domain of ``domain``.

    RFC 9989: a tree walk (at most 8 queries) stopping at a record with ``psd=y`` or ``psd=n``,
    then the selection of section 4.10.2. RFC 7489: the Public Suffix List, no queries.
    """
    if mode is Mode.RFC7489:
        return OrgDomain(domain, psl_org_domain(domain), (), ())
    lookups: list[Lookup] = []
    for name in walk_names(domain):
        lookup = await fetcher.lookup(name)
        lookups.append(lookup)
        if lookup.record is not None and lookup.record.psd is not PsdFlag.UNKNOWN:
            break
    found = tuple(lk for lk in lookups if lk.record is not None)
    error = any(lk.status is LookupStatus.ERROR for lk in lookups)
    return OrgDomain(domain, _select_org(domain, found), tuple(lookups), found, error)


def _select_org(start: str, found: tuple[Lookup, ...]) -> str:
    for lookup in found:
        assert lookup.record is not None
        if lookup.record.psd is PsdFlag.NO:
            return lookup.domain
        if lookup.record.psd is PsdFlag.YES and lookup.domain != start:
            return _one_below(start, lookup.domain)
    if found:
        return min(found, key=lambda lk: lk.domain.count(".")).domain
    return start


def _one_below(start: str, parent: str) -> str:
    labels = start.split(".")
    depth = parent.count(".") + 2
    return ".".join(labels[-depth:])


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


@lru_cache(maxsize=4096)
def psl_org_domain(domain: str) -> str:
    """Return the RFC 7489 organizational domain of ``domain`` from the bundled Public Suffix
    List (the registrable domain), or ``domain`` itself when it is a public suffix."""
    return str(_psl().privatesuffix(domain) or domain)


async def discover_policy(
    author_domain: str, fetcher: RecordFetcher, *, mode: Mode = Mode.RFC9989
) -> Discovery:
    """Return the DMARC policy record that applies to ``author_domain`` and where it was found.

    RFC 9989: the author domain's record, else the organizational domain's, else the public
    suffix domain's, all from one tree walk. RFC 7489: the author domain's record, else the
    PSL organizational domain's. Never raises; DNS failures set ``temperror``.
    """
    org = await find_org_domain(author_domain, fetcher, mode=mode)
    if mode is Mode.RFC7489:
        names = (
            [author_domain] if org.org_domain == author_domain else [author_domain, org.org_domain]
        )
        lookups = tuple([await fetcher.lookup(name) for name in names])
        chosen = _first_found(lookups)
    else:
        lookups = org.lookups
        chosen = _choose_9989(author_domain, org)
    return await _discovery(author_domain, org.org_domain, lookups, chosen, fetcher)


def _first_found(lookups: tuple[Lookup, ...]) -> Lookup | None:
    for lookup in lookups:
        if lookup.status is LookupStatus.ERROR:
            return None
        if lookup.record is not None:
            return lookup
    return None


def _choose_9989(author: str, org: OrgDomain) -> Lookup | None:
    by_name = {lk.domain: lk for lk in org.records}
    for name in (author, org.org_domain):
        if name in by_name:
            return by_name[name]
    psds = [lk for lk in org.records if lk.record and lk.record.psd is PsdFlag.YES]
    return psds[0] if psds else None


async def _discovery(
    author: str,
    org_domain: str,
    lookups: tuple[Lookup, ...],
    chosen: Lookup | None,
    fetcher: RecordFetcher,
) -> Discovery:
    findings = [_lookup_finding(lk) for lk in lookups if lk.status is LookupStatus.MULTIPLE]
    errors = [lk for lk in lookups if lk.status is LookupStatus.ERROR]
    if errors:
        findings.append(_lookup_finding(errors[0]))
    own_record = chosen is not None and chosen.domain == author
    if errors and not own_record:
        return Discovery(
            author, org_domain, None, None, lookups, temperror=True, findings=tuple(findings)
        )
    if chosen is None:
        return Discovery(author, org_domain, None, None, lookups, findings=tuple(findings))
    exists: bool | None = True
    assert chosen.record is not None
    if chosen.domain != author and chosen.record.np is not None:
        exists = await fetcher.exists(author)
    if exists is None:
        return Discovery(
            author, org_domain, None, None, lookups, temperror=True, findings=tuple(findings)
        )
    return Discovery(
        author,
        org_domain,
        chosen.record,
        chosen.domain,
        lookups,
        exists,
        org_error=bool(errors),
        findings=tuple(findings),
    )


def _lookup_finding(lookup: Lookup) -> Finding:
    if lookup.status is LookupStatus.MULTIPLE:
        return Finding(
            "dmarc.multiple-records",
            Severity.ERROR,
            f"_dmarc.{lookup.domain} holds {lookup.detail}; receivers treat that as no record.",
            "Publish exactly one TXT record starting with v=DMARC1.",
        )
    return Finding(
        "dmarc.dns-error",
        Severity.ERROR,
        f"Looking up _dmarc.{lookup.domain} failed ({lookup.detail}); the result is temperror.",
        "Check that the domain's nameservers answer TXT queries.",
    )
