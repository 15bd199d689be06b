"""MTA-STS (RFC 8461): the ``_mta-sts`` record and, online, the policy matched against MX."""

from __future__ import annotations

from typing import Protocol

from mailwarden.audit.lookups import dns_failure, txt_with_prefix
from mailwarden.audit.model import MtaStsResult
from mailwarden.audit.mtasts_policy import (
    MtaStsMode,
    MtaStsPolicy,
    mx_matches,
    parse_mta_sts_policy,
)
from mailwarden.audit.records import parse_mta_sts_record
from mailwarden.dns import Resolver
from mailwarden.errors import ParseError
from mailwarden.findings import Finding, Severity

__all__ = ["PolicyFetcher", "check_mta_sts"]

POLICY_PATH = "/.well-known/mta-sts.txt"


class PolicyFetcher(Protocol):
    """Anything that fetches ``https://host/path`` (see ``mailwarden.net.HttpsFetcher``)."""

    async def fetch(self, host: str, path: str) -> FetchLike:
        """Return the response."""
        ...


class FetchLike(Protocol):
    """The parts of a fetch result the policy check reads."""

    @property
    def status(self) -> int:
        """The HTTP status (0 when no response)."""
        ...

    @property
    def content_type(self) -> str:
        """The Content-Type header."""
        ...

    @property
    def body(self) -> bytes:
        """The response body."""
        ...

    @property
    def error(self) -> str:
        """Why no usable response came, or empty."""
        ...


async def check_mta_sts(
    domain: str,
    *,
    resolver: Resolver,
    mx_hosts: tuple[str, ...] = (),
    fetcher: PolicyFetcher | None = None,
) -> MtaStsResult:
    """Return the MTA-STS state of ``domain``; with ``fetcher``, also fetch and match the policy."""
    records, answer = await txt_with_prefix(resolver, f"_mta-sts.{domain}", "v=STSv")
    if answer.is_error:
        return MtaStsResult(None, False, findings=(dns_failure("mta_sts", answer),))
    if not records:
        return MtaStsResult(None, False, findings=(_missing(domain),))
    if len(records) > 1:
        return MtaStsResult(records[0], False, findings=(_several(domain),))
    try:
        parse_mta_sts_record(records[0])
    except ParseError as exc:
        return MtaStsResult(records[0], False, findings=(_invalid_record(exc),))
    if fetcher is None:
        return MtaStsResult(records[0], True)
    policy, findings = await _fetch_policy(domain, fetcher)
    if policy is not None:
        findings += _policy_findings(policy, mx_hosts)
    return MtaStsResult(records[0], policy is not None, policy, tuple(findings))


async def _fetch_policy(
    domain: str, fetcher: PolicyFetcher
) -> tuple[MtaStsPolicy | None, list[Finding]]:
    host = f"mta-sts.{domain}"
    response = await fetcher.fetch(host, POLICY_PATH)
    problem = response.error
    if not problem and response.status != 200:
        problem = f"HTTP status {response.status}"
    if not problem and not response.content_type.lower().startswith("text/plain"):
        problem = f"content type {response.content_type or '(none)'} is not text/plain"
    if problem:
        return None, [_unreachable(host, problem)]
    try:
        return parse_mta_sts_policy(response.body.decode("utf-8", "replace")), []
    except ParseError as exc:
        return None, [_invalid_policy(host, exc)]


def _policy_findings(policy: MtaStsPolicy, mx_hosts: tuple[str, ...]) -> list[Finding]:
    findings = []
    if policy.mode is MtaStsMode.TESTING:
        findings.append(
            Finding(
                "mta_sts.mode-testing",
                Severity.INFO,
                "The MTA-STS policy is in testing mode: failures are reported, not enforced.",
                "Once TLS reports show no failures, change the policy to `mode: enforce`.",
            )
        )
    elif policy.mode is MtaStsMode.NONE:
        findings.append(
            Finding(
                "mta_sts.mode-none",
                Severity.WARNING,
                "The MTA-STS policy mode is none, which withdraws the policy.",
                "Publish `mode: testing`, then `mode: enforce`, or remove the _mta-sts record.",
            )
        )
    uncovered = [h for h in mx_hosts if not any(mx_matches(h, p) for p in policy.mx)]
    if uncovered and policy.mode is not MtaStsMode.NONE:
        findings.append(
            Finding(
                "mta_sts.mx-not-covered",
                Severity.ERROR,
                f"The MTA-STS policy does not cover the MX hosts {', '.join(uncovered)}: "
                "senders enforcing it will not deliver to them.",
                "Add to the policy: " + "; ".join(f"`mx: {h}`" for h in uncovered),
            )
        )
    if policy.max_age < 86_400 and policy.mode is MtaStsMode.ENFORCE:
        findings.append(
            Finding(
                "mta_sts.short-max-age",
                Severity.WARNING,
                f"The policy's max_age of {policy.max_age} seconds is under a day.",
                "Use `max_age: 604800` (a week) or more once the policy is stable.",
            )
        )
    return findings


def _missing(domain: str) -> Finding:
    return Finding(
        "mta_sts.missing",
        Severity.INFO,
        f"{domain} publishes no MTA-STS record, so senders cannot require TLS to its MX.",
        f'Publish `_mta-sts.{domain}. IN TXT "v=STSv1; id=20260101T000000"` and a policy at '
        f"https://mta-sts.{domain}{POLICY_PATH}",
    )


def _several(domain: str) -> Finding:
    return Finding(
        "mta_sts.several-records",
        Severity.ERROR,
        f"_mta-sts.{domain} has several v=STSv1 records, so senders ignore all of them.",
        "Keep exactly one v=STSv1 record.",
    )


def _invalid_record(exc: ParseError) -> Finding:
    return Finding(
        "mta_sts.invalid-record",
        Severity.ERROR,
        f"The MTA-STS record is invalid: {exc}.",
        'Publish `"v=STSv1; id=<1 to 32 letters and digits>"`.',
    )


def _unreachable(host: str, problem: str) -> Finding:
    return Finding(
        "mta_sts.policy-unreachable",
        Severity.ERROR,
        f"The MTA-STS policy at https://{host}{POLICY_PATH} could not be fetched: {problem}.",
        f"Serve the policy as text/plain over HTTPS with a valid certificate for {host}.",
    )


def _invalid_policy(host: str, exc: ParseError) -> Finding:
    return Finding(
        "mta_sts.policy-invalid",
        Severity.ERROR,
        f"The MTA-STS policy at https://{host}{POLICY_PATH} is invalid: {exc}.",
        "Serve lines `version: STSv1`, `mode: enforce`, one `mx: host` per MX, `max_age: 604800`.",
    )
