"""Audit one domain or many: every area, concurrently, into one ``DomainAudit``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mailwarden.audit.bimi import check_bimi
from mailwarden.audit.dnssec import check_dnssec
from mailwarden.audit.lookups import run_all
from mailwarden.audit.model import (
    BimiResult,
    DkimSummary,
    DmarcSummary,
    DnssecResult,
    MtaStsResult,
    MxResult,
    SpfSummary,
    TlsRptResult,
    Verdict,
    verdict_for,
)
from mailwarden.audit.mtasts import PolicyFetcher, check_mta_sts
from mailwarden.audit.mx import check_mx
from mailwarden.audit.parked import parked_findings
from mailwarden.audit.protocols import run_dkim, run_dmarc, run_spf
from mailwarden.audit.tlsrpt import check_tls_rpt
from mailwarden.dns import Answer, Resolver, Status, to_unicode, validate_domain
from mailwarden.errors import InputError
from mailwarden.findings import Finding

__all__ = ["ALL_CHECKS", "AuditOptions", "DomainAudit", "audit_domain", "audit_domains"]

T = TypeVar("T")

ALL_CHECKS: tuple[str, ...] = (
    "spf",
    "dmarc",
    "dkim",
    "mx",
    "mta_sts",
    "tls_rpt",
    "bimi",
    "dnssec",
)


@dataclass(frozen=True, slots=True)
class AuditOptions:
    """What to check: ``checks`` (names from ``ALL_CHECKS``), DKIM ``selectors`` to probe
    (``None`` for the built-in list), a ``fetcher`` to fetch MTA-STS policies online, and
    whether the DKIM probe skips the selectors when ``_domainkey`` is NXDOMAIN
    (``nxdomain_cut``, RFC 8020), and whether a domain's areas and MX hosts are looked up
    concurrently (``parallel``: on for one domain; a bulk scan turns it off, see ``run_all``)."""

    checks: tuple[str, ...] = ALL_CHECKS
    selectors: tuple[str, ...] | None = None
    fetcher: PolicyFetcher | None = None
    nxdomain_cut: bool = True
    parallel: bool = True


@dataclass(frozen=True, slots=True)
class DomainAudit:
    """Everything found about one domain. Areas not checked are ``None``.

    ``error_class`` is set when the domain could not be audited: ``invalid-name``, ``nxdomain``
    (the domain does not exist), ``timeout`` or ``servfail`` (lame or broken nameservers).
    """

    domain: str
    unicode_domain: str
    spf: SpfSummary | None = None
    dmarc: DmarcSummary | None = None
    dkim: DkimSummary | None = None
    mx: MxResult | None = None
    mta_sts: MtaStsResult | None = None
    tls_rpt: TlsRptResult | None = None
    bimi: BimiResult | None = None
    dnssec: DnssecResult | None = None
    findings: tuple[Finding, ...] = ()
    error_class: str | None = None
    error: str = ""
    verdicts: dict[str, Verdict] = field(default_factory=dict)


async def audit_domain(
    name: str, *, resolver: Resolver, options: AuditOptions | None = None
) -> DomainAudit:
    """Return the audit of domain ``name``; never raises for DNS or record problems.

    A malformed name gives an audit with ``error_class="invalid-name"``.
    """
    opts = options or AuditOptions()
    try:
        domain = validate_domain(name)
    except InputError as exc:
        return DomainAudit(name, name, error_class="invalid-name", error=str(exc))
    apex = await resolver.resolve(domain, "MX")
    error_class = _error_class(apex)
    if error_class is not None:
        detail = apex.detail or f"{domain} does not exist"
        return DomainAudit(domain, to_unicode(domain), error_class=error_class, error=detail)
    return await _audit_existing(domain, apex, resolver, opts)


async def _audit_existing(
    domain: str, apex: Answer, resolver: Resolver, opts: AuditOptions
) -> DomainAudit:
    wanted = set(opts.checks)
    found = await _gather(_first_round(domain, apex, resolver, opts, wanted), opts.parallel)
    spf: SpfSummary | None = found.get("spf")
    dmarc: DmarcSummary | None = found.get("dmarc")
    dkim: DkimSummary | None = found.get("dkim")
    mx: MxResult | None = found.get("mx")
    tls_rpt: TlsRptResult | None = found.get("tls_rpt")
    dnssec: DnssecResult | None = found.get("dnssec")
    second: dict[str, Coroutine[Any, Any, Any]] = {}
    if "mta_sts" in wanted:
        hosts = mx.hosts if mx is not None else ()
        second["mta_sts"] = check_mta_sts(
            domain, resolver=resolver, mx_hosts=hosts, fetcher=opts.fetcher
        )
    if "bimi" in wanted:
        policy = dmarc.policy if dmarc is not None else None
        second["bimi"] = check_bimi(domain, resolver=resolver, dmarc_policy=policy)
    found = await _gather(second, opts.parallel)
    mta_sts: MtaStsResult | None = found.get("mta_sts")
    bimi: BimiResult | None = found.get("bimi")
    if "mx" not in wanted:
        mx = None
    areas = {
        "spf": spf,
        "dmarc": dmarc,
        "dkim": dkim,
        "mx": mx,
        "mta_sts": mta_sts,
        "tls_rpt": tls_rpt,
        "bimi": bimi,
        "dnssec": dnssec,
    }
    parked = parked_findings(domain, spf=spf, dmarc=dmarc, mx=mx)
    findings = tuple(f for area in areas.values() if area is not None for f in area.findings)
    verdicts = {
        name: verdict_for(area.findings) for name, area in areas.items() if area is not None
    }
    if parked:
        verdicts["parked"] = verdict_for(parked)
    return DomainAudit(
        domain,
        to_unicode(domain),
        spf=spf,
        dmarc=dmarc,
        dkim=dkim,
        mx=mx,
        mta_sts=mta_sts,
        tls_rpt=tls_rpt,
        bimi=bimi,
        dnssec=dnssec,
        findings=findings + parked,
        verdicts=verdicts,
    )


def _first_round(
    domain: str, apex: Answer, resolver: Resolver, opts: AuditOptions, wanted: set[str]
) -> dict[str, Coroutine[Any, Any, Any]]:
    """Return the areas that need nothing from another area, by name (only those wanted)."""
    first: dict[str, Coroutine[Any, Any, Any]] = {}
    if "spf" in wanted:
        first["spf"] = run_spf(domain, resolver=resolver)
    if "dmarc" in wanted:
        first["dmarc"] = run_dmarc(domain, resolver=resolver)
    if "dkim" in wanted:
        first["dkim"] = run_dkim(
            domain, resolver=resolver, selectors=opts.selectors, nxdomain_cut=opts.nxdomain_cut
        )
    if "mx" in wanted or "mta_sts" in wanted:
        first["mx"] = check_mx(domain, resolver=resolver, answer=apex, parallel=opts.parallel)
    if "tls_rpt" in wanted:
        first["tls_rpt"] = check_tls_rpt(domain, resolver=resolver)
    if "dnssec" in wanted:
        first["dnssec"] = check_dnssec(domain, resolver=resolver)
    return first


async def _gather(
    coroutines: dict[str, Coroutine[Any, Any, Any]], parallel: bool
) -> dict[str, Any]:
    """Return each coroutine's result by name (see ``run_all`` for ``parallel``)."""
    results = await run_all(list(coroutines.values()), parallel=parallel)
    return dict(zip(coroutines, results, strict=True))


def _error_class(answer: Answer) -> str | None:
    if answer.status is Status.NXDOMAIN:
        return "nxdomain"
    if answer.status is Status.TIMEOUT:
        return "timeout"
    if answer.status is Status.SERVFAIL:
        return "servfail"
    return None


async def audit_domains(
    names: Iterable[str],
    *,
    resolver: Resolver,
    options: AuditOptions | None = None,
    concurrency: int = 50,
) -> AsyncIterator[DomainAudit]:
    """Yield the audit of each name as it completes, with at most ``concurrency`` in flight.

    Names are read from ``names`` only as workers free up, so a long list costs no memory.
    """
    source = iter(names)
    done: asyncio.Queue[DomainAudit | None] = asyncio.Queue()

    async def worker() -> None:
        try:
            for name in source:
                await done.put(await audit_domain(name, resolver=resolver, options=options))
        finally:
            await done.put(None)

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    try:
        finished = 0
        while finished < len(workers):
            audit = await done.get()
            if audit is None:
                finished += 1
            else:
                yield audit
    finally:
        for task in workers:
            task.cancel()
