"""The SPF linter: walk a domain's policy tree statically and explain what is wrong.

Unlike ``check_host()``, which stops at the first match, the linter follows every include
and redirect a message could reach, so the lookup total is the worst case a receiver may
spend. Targets that use macros depend on the message and are counted but not followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mailwarden.dns import Answer, Resolver, Status, TXTRecord
from mailwarden.errors import ParseError
from mailwarden.findings import Finding, Severity
from mailwarden.spf.evaluate import MAX_DEPTH
from mailwarden.spf.lint_checks import (
    all_findings,
    record_findings,
    string_findings,
    syntax_finding,
    udp_size_finding,
)
from mailwarden.spf.macros import ExpansionError, MacroString, target_name
from mailwarden.spf.parser import is_spf_record, parse_record, quoted
from mailwarden.spf.result import SpfLimits
from mailwarden.spf.terms import A, Exists, Include, Mx, Qualifier, Redirect, SpfRecord

__all__ = ["INVALIDATING_CODES", "LookupNode", "SpfLintResult", "lint_spf"]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
MAX_POLICIES = 100
MAX_NAME_CHECKS = 50
"""Policies one lint walks at most: a hostile tree (each record including many others) would
otherwise grow exponentially; receivers stop after 10 lookups anyway. ``MAX_NAME_CHECKS``
bounds the a / mx / exists targets looked up to find void lookups the same way."""

INVALIDATING_CODES = frozenset(
    {
        "spf.no-record",
        "spf.multiple-records",
        "spf.syntax-error",
        "spf.too-many-lookups",
        "spf.too-many-void-lookups",
        "spf.include-loop",
        "spf.include-nxdomain",
        "spf.include-no-record",
        "spf.redirect-no-record",
        "spf.mx-too-many",
        "spf.too-many-terms",
    }
)
"""Finding codes that make ``check_host()`` end in permerror (or none) for every message."""


@dataclass(frozen=True, slots=True)
class LookupNode:
    """One policy in the include / redirect tree.

    ``term`` is how it was reached (``""`` at the root, ``include:x``, ``redirect=x``);
    ``lookups`` the DNS-querying terms of its own record; ``total`` those plus every
    branch below; ``void_lookups`` its own terms whose target does not exist or holds no
    data; ``error`` why the branch ends here (no record, loop, DNS error, macros).
    """

    domain: str
    term: str
    record: str | None
    lookups: int = 0
    total: int = 0
    void_lookups: int = 0
    children: tuple[LookupNode, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SpfLintResult:
    """What ``lint_spf`` found for ``domain``.

    ``record`` the published record (``None`` without exactly one); ``valid`` False when a
    finding of ``INVALIDATING_CODES`` is present; ``tree`` the lookup tree; ``lookups`` /
    ``void_lookups`` the worst-case totals; ``all`` the effective ``all`` term (``-all``,
    ``~all``, ``?all``, ``+all``, following redirects; ``None`` without one); ``findings``.
    """

    domain: str
    record: str | None
    valid: bool
    tree: LookupNode | None
    lookups: int
    void_lookups: int
    all: str | None
    findings: tuple[Finding, ...]
    max_lookups: int = 10
    max_void_lookups: int = 2


@dataclass
class _Walk:
    resolver: Resolver
    limits: SpfLimits
    findings: list[Finding] = field(default_factory=list)
    voids: int = 0
    policies: int = 0
    name_checks: int = 0

    def add(self, code: str, severity: Severity, message: str, hint: str = "") -> None:
        finding = Finding(code, severity, message, hint)
        if finding not in self.findings:
            self.findings.append(finding)


async def lint_spf(
    domain: str, *, resolver: Resolver, limits: SpfLimits | None = None
) -> SpfLintResult:
    """Return the lint result for the SPF policy of ``domain``.

    Never raises for DNS or record problems: they become findings. ``domain`` should be
    validated by the caller (``mailwarden.dns.validate_domain``).
    """
    walk = _Walk(resolver, limits or SpfLimits())
    tree = await _node(walk, domain, "", 0, ())
    record = tree.record
    _totals(walk, domain, tree)
    effective_all = _effective_all(walk, tree)
    if record is not None:
        for finding in _all_findings(domain, record, effective_all):
            walk.add(finding.code, finding.severity, finding.message, finding.hint)
    valid = record is not None and not any(f.code in INVALIDATING_CODES for f in walk.findings)
    return SpfLintResult(
        domain, record, valid, tree, tree.total, walk.voids, effective_all,
        tuple(walk.findings), walk.limits.dns_terms, walk.limits.void_lookups,
    )  # fmt: skip


def _totals(walk: _Walk, domain: str, tree: LookupNode) -> None:
    if tree.total > walk.limits.dns_terms:
        walk.add(
            "spf.too-many-lookups", E,
            f"the policy of {domain} needs up to {tree.total} DNS-querying terms, over the "
            f"limit of {walk.limits.dns_terms}: receivers return permerror",
            "replace includes you do not need, or list their ip4:/ip6: ranges directly "
            "(and keep them up to date)",
        )  # fmt: skip
    if walk.voids > walk.limits.void_lookups:
        walk.add(
            "spf.too-many-void-lookups", E,
            f"{walk.voids} terms point at names that do not exist or hold no data, over the "
            f"limit of {walk.limits.void_lookups}: receivers return permerror",
            "remove the terms whose names no longer exist",
        )  # fmt: skip


async def _node(
    walk: _Walk, domain: str, term: str, depth: int, stack: tuple[str, ...]
) -> LookupNode:
    walk.policies += 1
    answer = await walk.resolver.resolve(domain, "TXT")
    problem = _fetch_problem(walk, domain, term, answer)
    if problem is not None:
        return LookupNode(domain, term, None, error=problem)
    spf = [r for r in answer.records if isinstance(r, TXTRecord) and is_spf_record(r.text)]
    if len(spf) > 1:
        walk.add(
            "spf.multiple-records", E,
            f"{domain} publishes {len(spf)} SPF records; receivers return permerror: "
            + " | ".join(quoted(r.text, 200) for r in spf),
            "merge them into one record with a single v=spf1 and a single all",
        )  # fmt: skip
        return LookupNode(domain, term, None, error=f"{len(spf)} SPF records")
    text = spf[0].text
    for finding in string_findings(domain, spf[0]):
        walk.add(finding.code, finding.severity, finding.message, finding.hint)
    size = udp_size_finding(domain, answer)
    if size is not None:
        walk.add(size.code, size.severity, size.message, size.hint)
    try:
        record = parse_record(text)
    except ParseError as error:
        found = syntax_finding(domain, text, error)
        walk.add(found.code, found.severity, found.message, found.hint)
        return LookupNode(domain, term, text, error=f"syntax error: {error}")
    for finding in record_findings(domain, record, walk.limits):
        walk.add(finding.code, finding.severity, finding.message, finding.hint)
    ending = record.all
    included = bool(term) and not term.lower().startswith("redirect")
    if included and ending is not None and ending.qualifier is Qualifier.PASS:
        walk.add(
            "spf.include-all-pass", E,
            f"{term} includes a policy that ends in {ending.text}: every host on the internet "
            "passes that include, and so passes the policy that includes it",
            f"remove {term}, or ask the owner of {domain} to end the policy in -all or ~all",
        )  # fmt: skip
    return await _children(walk, domain, term, record, depth, (*stack, domain.lower()))


def _fetch_problem(walk: _Walk, domain: str, term: str, answer: Answer) -> str | None:
    reached = f" (reached by {term})" if term else ""
    if answer.is_error:
        walk.add(
            "spf.dns-error", W,
            f"the SPF record of {domain}{reached} could not be looked up: "
            f"{answer.status.value} {answer.detail}".rstrip(),
            "check the domain's nameservers; receivers will return temperror meanwhile",
        )  # fmt: skip
        return f"DNS error: {answer.status.value}"
    has_spf = any(is_spf_record(text) for text in answer.texts())
    if has_spf:
        return None
    if not term:
        exists = answer.status is not Status.NXDOMAIN
        walk.add(
            "spf.no-record", E,
            f"{domain} publishes no SPF record" if exists else f"{domain} does not exist",
            f'publish a TXT record at {domain}: "v=spf1 mx -all" (or "v=spf1 -all" '
            "if the domain sends no mail)",
        )  # fmt: skip
        return "no SPF record"
    kind = "redirect" if term.lower().startswith("redirect") else "include"
    if answer.status is Status.NXDOMAIN:
        walk.voids += 1
        walk.add(
            f"spf.{kind}-nxdomain" if kind == "include" else "spf.redirect-no-record", E,
            f"{term} points at {domain}, which does not exist: receivers return permerror",
            f"remove {term} or correct the name",
        )  # fmt: skip
        return "domain does not exist"
    walk.add(
        f"spf.{kind}-no-record", E,
        f"{term} points at {domain}, which publishes no SPF record: receivers return permerror",
        f"remove {term} or ask the owner of {domain} to publish an SPF record",
    )  # fmt: skip
    return "no SPF record"


async def _children(
    walk: _Walk, domain: str, via: str, record: SpfRecord, depth: int, stack: tuple[str, ...]
) -> LookupNode:
    own, voids, children = 0, 0, []
    skip_redirect = record.redirect is not None and record.all is not None
    for term in record.terms:
        if not term.queries_dns or (isinstance(term, Redirect) and skip_redirect):
            continue
        own += 1
        if isinstance(term, Include | Redirect):
            children.append(await _branch(walk, domain, term, depth, stack))
        elif isinstance(term, A | Mx | Exists):
            voids += await _void_check(walk, domain, term)
    walk.voids += voids
    total = own + sum(child.total for child in children)
    return LookupNode(domain, via, record.text, own, total, voids, tuple(children))


async def _branch(
    walk: _Walk, domain: str, term: Include | Redirect, depth: int, stack: tuple[str, ...]
) -> LookupNode:
    name = _static_name(term.domain, domain)
    if name is None:
        walk.add(
            "spf.macro-target", INFO,
            f"{term.text} in the policy of {domain} uses macros: its target depends on "
            "each message and is not followed here",
        )  # fmt: skip
        return LookupNode(term.domain.text, term.text, None, error="target uses macros")
    if name.lower() in stack:
        chain = " -> ".join([*stack[stack.index(name.lower()) :], name.lower()])
        walk.add(
            "spf.include-loop", E,
            f"{term.text} in the policy of {domain} loops back: {chain}; receivers return "
            "permerror", f"remove {term.text} from the policy of {domain}",
        )  # fmt: skip
        return LookupNode(name, term.text, None, error=f"loop: {chain}")
    if depth + 1 > min(walk.limits.depth, MAX_DEPTH):
        return LookupNode(name, term.text, None, error="nested too deep")
    if walk.policies >= MAX_POLICIES:
        error = f"not followed: over {MAX_POLICIES} policies"
        return LookupNode(name, term.text, None, error=error)
    return await _node(walk, name, term.text, depth + 1, stack)


async def _void_check(walk: _Walk, domain: str, term: A | Mx | Exists) -> int:
    name = _static_name(term.domain, domain)
    if name is None or walk.name_checks >= MAX_NAME_CHECKS:
        return 0
    walk.name_checks += 1
    if isinstance(term, Mx):
        return await _mx_void_check(walk, domain, term, name)
    answer = await walk.resolver.resolve(name, "A")
    if (answer.status is Status.NOERROR and answer.records) or answer.is_error:
        return 0
    if (
        isinstance(term, A)
        and answer.status is Status.NODATA
        and (await walk.resolver.resolve(name, "AAAA")).records
    ):
        return 0
    _void_finding(walk, domain, term.text, name, "A", answer.status)
    return 1


async def _mx_void_check(walk: _Walk, domain: str, term: Mx, name: str) -> int:
    """Count the MX query and each MX host that does not exist, as receivers do."""
    answer = await walk.resolver.resolve(name, "MX")
    if answer.is_error:
        return 0
    if not answer.records or answer.status is not Status.NOERROR:
        _void_finding(walk, domain, term.text, name, "MX", answer.status)
        return 1
    hosts = [record.exchange for record in answer.mx() if record.exchange]
    if len(hosts) > walk.limits.mx_names:
        walk.add(
            "spf.mx-too-many", E,
            f"{term.text} in the policy of {domain}: {name} has {len(hosts)} MX hosts, more "
            f"than {walk.limits.mx_names}; receivers return permerror",
            "list the mail servers' addresses with ip4:/ip6: instead of mx",
        )  # fmt: skip
        return 0
    voids = 0
    for host in hosts:
        if walk.name_checks >= MAX_NAME_CHECKS:
            break
        walk.name_checks += 1
        status = (await walk.resolver.resolve(host, "A")).status
        if status is Status.NXDOMAIN:
            _void_finding(walk, domain, term.text, host, "A", status)
            voids += 1
    return voids


def _void_finding(
    walk: _Walk, domain: str, term: str, name: str, rdtype: str, status: Status
) -> None:
    walk.add(
        "spf.void-lookup", W,
        f"{term} in the policy of {domain}: {name} "
        f"{'does not exist' if status is Status.NXDOMAIN else 'holds no ' + rdtype}, "
        "a void lookup (at most 2 are allowed)",
        f"remove {term} or publish the records it expects",
    )  # fmt: skip


def _static_name(spec: MacroString | None, domain: str) -> str | None:
    if spec is None:
        return domain
    if not spec.is_static:
        return None
    try:
        return target_name(spec.literal(), truncate=False)
    except ExpansionError:
        return None


def _effective_all(walk: _Walk, tree: LookupNode) -> str | None:
    node: LookupNode | None = tree
    for _ in range(walk.limits.depth + 1):
        if node is None or node.record is None:
            return None
        try:
            record = parse_record(node.record)
        except ParseError:
            return None
        found = record.all
        if found is not None:
            return f"{found.qualifier.value}all"
        node = next((c for c in node.children if c.term.lower().startswith("redirect=")), None)
    return None


def _all_findings(domain: str, record: str, effective: str | None) -> list[Finding]:
    try:
        parsed = parse_record(record)
    except ParseError:
        return []
    return all_findings(domain, record, effective, parsed.redirect is not None)
