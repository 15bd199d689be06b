"""DMARC evaluation: the author domain, SPF and DKIM results in; result, policy, disposition out.

SPF and DKIM are inputs (any objects with the :class:`SpfResultLike` / :class:`DkimResultLike`
shapes); they are never recomputed here.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from mailwarden.dmarc.alignment import Alignment, align_dkim, align_spf
from mailwarden.dmarc.author import (
    MAX_AUTHOR_DOMAINS,
    AuthorDomains,
    author_domains,
    parse_header_block,
)
from mailwarden.dmarc.discovery import RecordFetcher, discover_policy
from mailwarden.dmarc.record import DmarcRecord
from mailwarden.dmarc.types import (
    AlignmentMode,
    DkimResultLike,
    DmarcResultCode,
    Mode,
    Policy,
    SpfResultLike,
)
from mailwarden.dns import Resolver
from mailwarden.dns.names import validate_domain
from mailwarden.errors import InputError
from mailwarden.findings import Finding, Severity

__all__ = ["DmarcResult", "evaluate_dmarc"]

_POLICY_RANK = {Policy.NONE: 0, Policy.QUARANTINE: 1, Policy.REJECT: 2}


@dataclass(frozen=True, slots=True)
class DmarcResult:
    """The DMARC verdict for one message.

    ``result``: pass fail none temperror permerror. ``policy``: the policy RFC 9989 selects for
    the author domain (``p``, ``sp`` or ``np``), None without a record. ``disposition``: what a
    receiver following the record does with this message (``t=y`` / RFC 7489 ``pct`` applied,
    ``none`` on pass). ``policy_domain`` is where the record was found; ``alignments`` lists
    every SPF and DKIM identifier checked; ``queries`` counts the DNS lookups made.
    """

    result: DmarcResultCode
    policy: Policy | None
    disposition: Policy
    author_domain: str | None
    org_domain: str | None
    policy_domain: str | None = None
    record: DmarcRecord | None = None
    spf_aligned: bool = False
    dkim_aligned: bool = False
    alignments: tuple[Alignment, ...] = ()
    mode: Mode = Mode.RFC9989
    testing: bool = False
    sampled_out: bool = False
    author_domains: tuple[str, ...] = ()
    queries: int = 0
    findings: tuple[Finding, ...] = field(default=())


async def evaluate_dmarc(
    author: str | AuthorDomains | bytes | Sequence[tuple[str, str]],
    *,
    spf: SpfResultLike | None = None,
    dkim: Iterable[DkimResultLike] = (),
    resolver: Resolver,
    mode: Mode | str = Mode.RFC9989,
    rng: random.Random | None = None,
) -> DmarcResult:
    """Return the DMARC result for a message from ``author`` with the given SPF and DKIM results.

    ``author`` is the author domain, the message (bytes), its ``(name, value)`` header fields,
    or the outcome of :func:`author_domains` on its From header. An unusable From gives
    ``permerror`` with disposition ``reject``; several author domains are each evaluated,
    the strictest failing one deciding. ``mode`` is
    ``rfc9989`` (tree walk, ``t=y``) or ``rfc7489`` (Public Suffix List, ``pct`` sampled with
    ``rng``). Never raises for protocol problems.
    """
    spec = Mode(mode)
    dkim_results = tuple(dkim)
    fetcher = RecordFetcher(resolver)
    if isinstance(author, bytes):
        author = author_domains(parse_header_block(author))
    elif isinstance(author, str):
        author = _single(author)
    elif not isinstance(author, AuthorDomains):
        author = author_domains(author)
    if author.problem is not None:
        return _unusable_author(author, spec)
    results = []
    for domain in author.domains[:MAX_AUTHOR_DOMAINS]:
        results.append(
            await _evaluate_one(domain, spf, dkim_results, fetcher, spec, rng or random.Random())
        )
    combined = _combine(results)
    return replace(
        combined,
        author_domains=author.domains,
        queries=fetcher.queries,
        findings=author.findings + combined.findings,
    )


def _single(domain: str) -> AuthorDomains:
    try:
        return AuthorDomains((validate_domain(domain),), (), None)
    except InputError as exc:
        finding = Finding(
            "dmarc.author-invalid",
            Severity.ERROR,
            f"The author domain is not a valid domain name: {exc}.",
            "The message cannot be authenticated; reject it.",
        )
        return AuthorDomains((), (), "dmarc.author-invalid", (finding,))


def _unusable_author(author: AuthorDomains, spec: Mode) -> DmarcResult:
    return DmarcResult(
        DmarcResultCode.PERMERROR,
        None,
        Policy.REJECT,
        author.domains[0] if author.domains else None,
        None,
        mode=spec,
        author_domains=author.domains,
        findings=author.findings,
    )


def _combine(results: list[DmarcResult]) -> DmarcResult:
    """Several author domains: pass only if all pass; else the strictest failing one."""
    if len(results) == 1:
        return results[0]
    failing = [r for r in results if r.result is not DmarcResultCode.PASS]
    if not failing:
        return results[0]
    worst = max(failing, key=lambda r: (_POLICY_RANK[r.disposition], r.result != "none"))
    note = Finding(
        "dmarc.several-author-domains",
        Severity.WARNING,
        f"From names {len(results)} domains; each was checked and "
        f"{worst.author_domain} decided the result.",
        "Legitimate mail has one author; treat such messages with suspicion.",
    )
    return replace(worst, findings=(*worst.findings, note))


async def _evaluate_one(
    author: str,
    spf: SpfResultLike | None,
    dkim: tuple[DkimResultLike, ...],
    fetcher: RecordFetcher,
    spec: Mode,
    rng: random.Random,
) -> DmarcResult:
    found = await discover_policy(author, fetcher, mode=spec)
    base = DmarcResult(
        DmarcResultCode.NONE,
        None,
        Policy.NONE,
        author,
        found.org_domain,
        mode=spec,
        findings=found.findings,
    )
    if found.temperror:
        return replace(base, result=DmarcResultCode.TEMPERROR)
    record = found.record
    if record is None or not record.usable:
        return replace(base, record=record, policy_domain=found.policy_domain)
    policy = record.policy_for(subdomain=found.is_subdomain_policy, exists=found.author_exists)
    assert policy is not None
    spf_al = await align_spf(spf, author, found.org_domain, record.aspf, fetcher, spec)
    dkim_al = await align_dkim(dkim, author, found.org_domain, record.adkim, fetcher, spec)
    alignments = (*((spf_al,) if spf_al else ()), *dkim_al)
    scored = replace(
        base,
        policy=policy,
        record=record,
        policy_domain=found.policy_domain,
        spf_aligned=bool(spf_al and spf_al.aligned),
        dkim_aligned=any(a.aligned for a in dkim_al),
        alignments=alignments,
        findings=found.findings + record.findings,
    )
    if found.org_error and not _decided_without_org(scored, author, record):
        return replace(scored, result=DmarcResultCode.TEMPERROR)
    return _verdict(scored, record, policy, rng)


def _decided_without_org(scored: DmarcResult, author: str, record: DmarcRecord) -> bool:
    """With the organizational domain unknown, only an identical identifier or strict
    alignment on both methods gives a final answer."""
    if any(a.aligned and a.domain == author for a in scored.alignments):
        return True
    return record.adkim is AlignmentMode.STRICT and record.aspf is AlignmentMode.STRICT


def _verdict(
    scored: DmarcResult,
    record: DmarcRecord,
    policy: Policy,
    rng: random.Random,
) -> DmarcResult:
    if scored.spf_aligned or scored.dkim_aligned:
        return replace(scored, result=DmarcResultCode.PASS)
    if any(a.temperror for a in scored.alignments) or any(
        a.result == "temperror" for a in scored.alignments
    ):
        return replace(scored, result=DmarcResultCode.TEMPERROR)
    disposition, testing, sampled_out = policy, False, False
    if scored.mode is Mode.RFC9989 and record.t and policy is not Policy.NONE:
        disposition, testing = policy.lowered(), True
    if scored.mode is Mode.RFC7489 and _sampled_out(record.pct, rng):
        disposition, sampled_out = policy.lowered(), True
    return replace(
        scored,
        result=DmarcResultCode.FAIL,
        disposition=disposition,
        testing=testing,
        sampled_out=sampled_out,
    )


def _sampled_out(pct: int | None, rng: random.Random) -> bool:
    """RFC 7489 section 6.6.4: a failing message outside the pct sample gets one step less."""
    return pct is not None and pct < 100 and rng.random() * 100 >= pct
