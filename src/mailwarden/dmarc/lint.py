"""Audit of a domain's published DMARC record, for ``mailwarden dmarc check`` and ``check``."""

from __future__ import annotations

from dataclasses import dataclass, field

from mailwarden.dmarc.discovery import LookupStatus, RecordFetcher, discover_policy
from mailwarden.dmarc.record import DmarcRecord
from mailwarden.dmarc.report_auth import DestinationCheck, check_destinations
from mailwarden.dmarc.types import Mode, Policy, PsdFlag
from mailwarden.dns import Resolver
from mailwarden.dns.names import validate_domain
from mailwarden.findings import Finding, Severity

__all__ = ["DmarcLintResult", "TagMeaning", "explain_record", "lint_dmarc"]


@dataclass(frozen=True, slots=True)
class TagMeaning:
    """One tag of a record and what it means for the domain checked."""

    tag: str
    value: str
    meaning: str


@dataclass(frozen=True, slots=True)
class DmarcLintResult:
    """What ``domain`` publishes for DMARC and what is wrong with it.

    ``record`` is the text of the record that applies (``None`` without one); ``policy_domain``
    where it was found (a parent for an inherited record); ``valid`` is True for a usable
    record; ``policy`` / ``subdomain_policy`` are what receivers apply to mail from the domain
    and its existing subdomains; ``external_rua_authorized`` is False when an external ``rua``
    destination does not authorize reports, None when there is none or it was not verifiable.
    """

    domain: str
    record: str | None
    valid: bool
    policy: Policy | None
    subdomain_policy: Policy | None
    nonexistent_policy: Policy | None
    rua: tuple[str, ...]
    ruf: tuple[str, ...]
    external_rua_authorized: bool | None
    policy_domain: str | None = None
    org_domain: str | None = None
    parsed: DmarcRecord | None = None
    destinations: tuple[DestinationCheck, ...] = ()
    meanings: tuple[TagMeaning, ...] = ()
    findings: tuple[Finding, ...] = field(default=())


async def lint_dmarc(
    domain: str, *, resolver: Resolver, mode: Mode | str = Mode.RFC9989
) -> DmarcLintResult:
    """Return the DMARC audit of ``domain`` as receivers would discover its record.

    Raises ``InputError`` for a malformed domain name; DNS problems become findings.
    """
    name = validate_domain(domain)
    spec = Mode(mode)
    fetcher = RecordFetcher(resolver)
    found = await discover_policy(name, fetcher, mode=spec)
    findings = list(found.findings)
    record = found.record
    if record is None:
        findings.append(_missing(name, found.temperror, found.lookups))
        return DmarcLintResult(
            name,
            None,
            False,
            None,
            None,
            None,
            (),
            (),
            None,
            org_domain=found.org_domain,
            findings=tuple(findings),
        )
    assert found.policy_domain is not None
    if found.is_subdomain_policy:
        findings.append(_inherited(name, found.policy_domain))
    findings.extend(record.findings)
    checks, check_findings = await check_destinations(
        found.policy_domain, record, resolver, fetcher=fetcher, mode=spec
    )
    findings.extend(check_findings)
    external = [c for c in checks if c.tag == "rua" and c.external]
    sub = found.is_subdomain_policy
    return DmarcLintResult(
        domain=name,
        record=record.text,
        valid=record.usable,
        policy=record.policy_for(subdomain=sub),
        subdomain_policy=record.policy_for(subdomain=True),
        nonexistent_policy=record.policy_for(subdomain=True, exists=False),
        rua=tuple(u.uri for u in record.rua),
        ruf=tuple(u.uri for u in record.ruf),
        external_rua_authorized=all(c.authorized for c in external) if external else None,
        policy_domain=found.policy_domain,
        org_domain=found.org_domain,
        parsed=record,
        destinations=checks,
        meanings=explain_record(record, name, found.policy_domain),
        findings=tuple(findings),
    )


def _missing(name: str, temperror: bool, lookups: tuple[object, ...]) -> Finding:
    if temperror:
        return Finding(
            "dmarc.dns-error",
            Severity.ERROR,
            f"The DMARC record of {name} could not be looked up.",
            "Check that the domain's nameservers answer TXT queries.",
        )
    multiple = any(getattr(lk, "status", None) is LookupStatus.MULTIPLE for lk in lookups)
    return Finding(
        "dmarc.no-record",
        Severity.ERROR,
        f"No DMARC record applies to {name}"
        + (" (several records at one name count as none)." if multiple else "."),
        f'Publish _dmarc.{name}. TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@{name}"',
    )


def _inherited(name: str, policy_domain: str) -> Finding:
    return Finding(
        "dmarc.inherited",
        Severity.INFO,
        f"{name} has no record of its own; the record of {policy_domain} applies.",
        f"Publish _dmarc.{name} only if it needs a policy of its own.",
    )


_MEANINGS = {
    "v": "DMARC version 1 record.",
    "p": "Mail from {policy_domain} that fails DMARC: {value}.",
    "sp": "Mail from existing subdomains of {policy_domain} that fails DMARC: {value}.",
    "np": "Mail from non-existent subdomains of {policy_domain} that fails DMARC: {value}.",
    "adkim": "DKIM alignment is {mode}.",
    "aspf": "SPF alignment is {mode}.",
    "t": "Test mode {value}: {t_meaning}.",
    "psd": "{psd_meaning}",
    "fo": "Failure reports requested on: {value}.",
    "rua": "Aggregate reports go to {value}.",
    "ruf": "Failure reports go to {value}.",
    "pct": "RFC 7489 sampling: policy applied to {value}% of failing mail (removed by RFC 9989).",
    "rf": "RFC 7489 failure report format (removed by RFC 9989).",
    "ri": "RFC 7489 report interval of {value} seconds (removed by RFC 9989).",
}
_PSD = {
    "y": "This record is published by a public suffix operator.",
    "n": "This domain is an organizational domain.",
    "u": "The organizational domain is found by the DNS tree walk.",
}


def explain_record(record: DmarcRecord, domain: str, policy_domain: str) -> tuple[TagMeaning, ...]:
    """Return what each tag of ``record`` (published at ``policy_domain``) means for ``domain``."""
    out = []
    for tag, value in record.tags:
        template = _MEANINGS.get(tag, "Unknown tag; receivers ignore it.")
        if _invalid(record, tag):
            template = "Invalid value; receivers ignore this tag."
        meaning = template.format(
            domain=domain,
            policy_domain=policy_domain,
            value=value,
            mode="strict (exact domain)" if value.lower() == "s" else "relaxed (same org domain)",
            t_meaning="receivers apply one policy step less" if value.lower() == "y" else "off",
            psd_meaning=_PSD.get(value.lower(), "Invalid psd value."),
        )
        out.append(TagMeaning(tag, value, meaning))
    if record.psd is PsdFlag.YES and domain != policy_domain:
        out.append(TagMeaning("psd", "y", f"{domain} is governed by its public suffix's policy."))
    return tuple(out)


def _invalid(record: DmarcRecord, tag: str) -> bool:
    if tag in ("p", "sp", "np"):
        return getattr(record, tag) is None
    if tag in ("rua", "ruf"):
        return not getattr(record, tag)
    return False
