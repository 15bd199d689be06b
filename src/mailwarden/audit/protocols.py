"""The SPF, DMARC and DKIM areas of an audit, summarized from their packages' lint results."""

from __future__ import annotations

import asyncio
import importlib

from mailwarden.audit.model import DkimKey, DkimSummary, DmarcSummary, SpfSummary
from mailwarden.dns import Resolver
from mailwarden.findings import Finding, Severity

__all__ = ["load_protocols", "run_dkim", "run_dmarc", "run_spf"]


def load_protocols() -> None:
    """Import the SPF, DMARC and DKIM packages now rather than at a domain's first check.

    A parent process calls this before forking scan workers, so that they inherit the modules
    instead of each importing them again (a quarter of a second of CPU per worker). Returns
    nothing.
    """
    for package in ("mailwarden.spf", "mailwarden.dmarc", "mailwarden.dkim"):
        importlib.import_module(package)


async def run_spf(domain: str, *, resolver: Resolver) -> SpfSummary:
    """Return the SPF summary of ``domain`` from ``mailwarden.spf``'s lint."""
    from mailwarden.spf import lint_spf

    lint = await lint_spf(domain, resolver=resolver)
    return SpfSummary(
        lint.record,
        lint.valid,
        lint.lookups,
        lint.void_lookups,
        lint.all,
        tuple(lint.findings),
    )


async def run_dmarc(domain: str, *, resolver: Resolver) -> DmarcSummary:
    """Return the DMARC summary of ``domain`` from ``mailwarden.dmarc``'s lint."""
    from mailwarden.dmarc import lint_dmarc

    lint = await lint_dmarc(domain, resolver=resolver)
    policy = lint.policy.value if lint.policy is not None else None
    subdomain = lint.subdomain_policy.value if lint.subdomain_policy is not None else None
    findings = list(lint.findings)
    record = lint.record
    if record is None and not any(f.code == "dmarc.multiple-records" for f in findings):
        record = await _unusable_record(domain, resolver)
        if record is not None:
            findings.append(_unusable(domain, record))
    if lint.valid and subdomain == "none" and policy != "none":
        findings.append(_subdomain_none(domain))
    findings += await _destination_mx(lint.rua + lint.ruf, resolver)
    return DmarcSummary(
        record,
        lint.valid,
        policy,
        subdomain,
        tuple(lint.rua),
        tuple(lint.ruf),
        lint.external_rua_authorized,
        tuple(findings),
    )


async def _unusable_record(domain: str, resolver: Resolver) -> str | None:
    """Return a TXT record at ``_dmarc.domain`` meant as DMARC that receivers cannot use."""
    answer = await resolver.resolve(f"_dmarc.{domain}", "TXT")
    return next((t for t in answer.texts() if "dmarc" in t.lower()), None)


def _unusable(domain: str, record: str) -> Finding:
    return Finding(
        "dmarc.unusable-record",
        Severity.ERROR,
        f"_dmarc.{domain} holds {record[:80]!r}, meant as DMARC, but a DMARC record must "
        "start with exactly 'v=DMARC1;', so receivers ignore it and the domain has no policy.",
        f'Publish `_dmarc.{domain}. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}"`.',
    )


def _subdomain_none(domain: str) -> Finding:
    return Finding(
        "dmarc.subdomain-policy-none",
        Severity.WARNING,
        f"sp=none leaves mail from subdomains of {domain} unprotected while the domain "
        "itself is protected.",
        "Remove sp=none (subdomains then follow p=) or set sp=quarantine or sp=reject.",
    )


async def _destination_mx(uris: tuple[str, ...], resolver: Resolver) -> list[Finding]:
    """Return a finding for each mailto: report destination whose domain accepts no mail."""
    domains = sorted({u.split("@", 1)[1].split("!")[0].lower() for u in uris if "@" in u})
    answers = await asyncio.gather(*(resolver.resolve(d, "MX") for d in domains))
    findings = []
    for destination, answer in zip(domains, answers, strict=True):
        hosts = [r.exchange for r in answer.mx() if r.exchange]
        if answer.is_error or hosts:
            continue
        findings.append(
            Finding(
                "dmarc.report-destination-no-mx",
                Severity.WARNING,
                f"The report destination domain {destination} has no MX record, "
                "so reports sent there may never arrive.",
                f"Publish MX records for {destination}, or send reports to a domain that has them.",
            )
        )
    return findings


async def run_dkim(
    domain: str,
    *,
    resolver: Resolver,
    selectors: tuple[str, ...] | None = None,
    nxdomain_cut: bool = True,
) -> DkimSummary:
    """Return the DKIM keys found at ``selectors`` (default: the common ones) of ``domain``;
    ``nxdomain_cut`` as in ``probe_selectors``."""
    from mailwarden.dkim import probe_selectors

    probe = await probe_selectors(
        domain, resolver=resolver, selectors=selectors, nxdomain_cut=nxdomain_cut
    )
    keys = tuple(
        DkimKey(r.selector, r.key_type, r.key_bits, r.valid, tuple(r.flags)) for r in probe.keys
    )
    findings = [f for report in probe.keys for f in report.findings]
    if probe.failed:
        findings.append(_probe_failed(domain, probe.failed))
    elif not keys:
        findings.append(_no_keys(domain, len(probe.selectors_tried)))
    return DkimSummary(keys, len(probe.selectors_tried), tuple(findings))


def _probe_failed(domain: str, selectors: tuple[str, ...]) -> Finding:
    return Finding(
        "dkim.dns-error",
        Severity.WARNING,
        f"Looking up the DKIM selectors {', '.join(selectors)} of {domain} failed.",
        "Check that the domain's nameservers answer, then run the check again.",
    )


def _no_keys(domain: str, tried: int) -> Finding:
    return Finding(
        "dkim.no-key-found",
        Severity.INFO,
        f"No DKIM key was found at {tried} common selectors of {domain} "
        "(keys under other selector names cannot be discovered).",
        f"Name your selectors with --selectors, or generate a key: "
        f"mailwarden dkim keygen --domain {domain} --selector s1",
    )
