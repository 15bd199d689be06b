"""The SPF, DMARC and DKIM areas of an audit, summarized from their packages' lint results."""

from __future__ import annotations

from mailwarden.audit.model import DkimKey, DkimSummary, DmarcSummary, SpfSummary
from mailwarden.dns import Resolver
from mailwarden.findings import Finding, Severity

__all__ = ["run_dkim", "run_dmarc", "run_spf"]


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
    return DmarcSummary(
        lint.record,
        lint.valid,
        lint.policy,
        lint.subdomain_policy,
        tuple(lint.rua),
        tuple(lint.ruf),
        lint.external_rua_authorized,
        tuple(lint.findings),
    )


async def run_dkim(
    domain: str, *, resolver: Resolver, selectors: tuple[str, ...] | None = None
) -> DkimSummary:
    """Return the DKIM keys found at ``selectors`` (default: the common ones) of ``domain``."""
    from mailwarden.dkim import probe_selectors

    probe = await probe_selectors(domain, resolver=resolver, selectors=selectors)
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
