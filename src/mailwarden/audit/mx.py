"""MX checks: null MX (RFC 7505), hosts that do not resolve, CNAME targets, IP literals."""

from __future__ import annotations

import ipaddress

from mailwarden.audit.lookups import dns_failure, run_all
from mailwarden.audit.model import MxResult
from mailwarden.dns import Answer, Resolver, Status
from mailwarden.findings import Finding, Severity

__all__ = ["check_mx"]


async def check_mx(
    domain: str, *, resolver: Resolver, answer: Answer | None = None, parallel: bool = True
) -> MxResult:
    """Return the MX hosts of ``domain`` with findings about each (never raises).

    ``answer`` is the MX answer when the caller already has it; ``parallel`` looks the hosts
    up concurrently (see ``run_all``).
    """
    if answer is None:
        answer = await resolver.resolve(domain, "MX")
    if answer.is_error:
        return MxResult((), False, (dns_failure("mx", answer),))
    records = answer.mx()
    if not records:
        return MxResult((), False, (_no_mx(domain),))
    if any(r.exchange == "" for r in records):
        findings = (_null_mx(domain),) if len(records) == 1 else (_null_with_others(domain),)
        return MxResult((), True, findings)
    hosts = tuple(dict.fromkeys(r.exchange for r in records))
    per_host = await run_all([_check_host(h, resolver, parallel) for h in hosts], parallel=parallel)
    return MxResult(hosts, False, tuple(f for found in per_host for f in found))


async def _check_host(host: str, resolver: Resolver, parallel: bool) -> list[Finding]:
    if _is_ip_literal(host):
        return [
            Finding(
                "mx.ip-literal",
                Severity.ERROR,
                f"The MX target {host} is an IP address, but MX must name a host.",
                f"Publish an A record such as `mx.<domain>. IN A {host}` and point the MX at it.",
            )
        ]
    a, aaaa = await run_all(
        [resolver.resolve(host, "A"), resolver.resolve(host, "AAAA")], parallel=parallel
    )
    findings: list[Finding] = []
    if a.canonical_name or aaaa.canonical_name:
        findings.append(
            Finding(
                "mx.cname",
                Severity.WARNING,
                f"The MX host {host} is an alias (CNAME), which RFC 5321 forbids.",
                f"Point the MX directly at {a.canonical_name or aaaa.canonical_name}.",
            )
        )
    if a.is_error and aaaa.is_error:
        findings.append(dns_failure("mx", a))
    elif a.addresses() or aaaa.addresses():
        addresses = a.addresses() + aaaa.addresses()
        findings.extend(await _reverse_dns(host, addresses, resolver, parallel))
    else:
        findings.append(
            Finding(
                "mx.host-unresolvable",
                Severity.ERROR,
                f"The MX host {host} has no A or AAAA record"
                f"{' (the name does not exist)' if a.status is Status.NXDOMAIN else ''}.",
                f"Publish an address for {host}, or remove the MX record that names it.",
            )
        )
    return findings


async def _reverse_dns(
    host: str, addresses: list[str], resolver: Resolver, parallel: bool
) -> list[Finding]:
    """Return a finding naming the addresses of ``host`` that have no PTR record."""
    names = [ipaddress.ip_address(a).reverse_pointer for a in addresses]
    answers = await run_all([resolver.resolve(n, "PTR") for n in names], parallel=parallel)
    missing = [a for a, answer in zip(addresses, answers, strict=True) if answer.is_void]
    findings = []
    if missing:
        findings.append(
            Finding(
                "mx.no-reverse-dns",
                Severity.INFO,
                f"The MX host {host} has addresses without reverse DNS: {', '.join(missing)}; "
                "some receivers distrust mail servers without a PTR record.",
                f"Ask the owner of {', '.join(missing)} to publish a PTR record naming {host}.",
            )
        )
    return findings


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _no_mx(domain: str) -> Finding:
    return Finding(
        "mx.none",
        Severity.INFO,
        f"{domain} publishes no MX record; mail to it falls back to its address records.",
        f"If {domain} receives no mail, publish a null MX: `{domain}. IN MX 0 .`",
    )


def _null_mx(domain: str) -> Finding:
    return Finding(
        "mx.null",
        Severity.INFO,
        f"{domain} publishes a null MX (RFC 7505): it accepts no mail.",
        "Nothing to do if the domain should receive no mail; otherwise publish real MX hosts.",
    )


def _null_with_others(domain: str) -> Finding:
    return Finding(
        "mx.null-with-others",
        Severity.ERROR,
        f"{domain} publishes a null MX together with other MX records, which RFC 7505 forbids.",
        "Keep either the null MX `0 .` alone, or only the real MX hosts.",
    )
