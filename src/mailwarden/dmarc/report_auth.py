"""External report destinations (RFC 9990 section 3): ``<domain>._report._dmarc.<destination>``."""

from __future__ import annotations

from dataclasses import dataclass

from mailwarden.dmarc.discovery import RecordFetcher, find_org_domain
from mailwarden.dmarc.record import DmarcRecord, is_dmarc_record, parse_record
from mailwarden.dmarc.types import Mode
from mailwarden.dmarc.uri import ReportUri
from mailwarden.dns import Resolver, Status
from mailwarden.findings import Finding, Severity

__all__ = ["MAX_EXTERNAL_CHECKS", "DestinationCheck", "check_destinations"]

MAX_EXTERNAL_CHECKS = 10
_MAX_NAME = 253


@dataclass(frozen=True, slots=True)
class DestinationCheck:
    """Whether one report URI may receive reports for ``domain``.

    ``external`` is True when the destination lies in another organizational domain;
    ``authorized`` is then the outcome of the authorization lookup (``None`` on a DNS error
    or when the check was skipped); ``via_wildcard`` when ``*._report._dmarc`` authorized it;
    ``override`` holds the replacement URIs the destination publishes for this tag.
    """

    tag: str
    uri: ReportUri
    external: bool
    authorized: bool | None
    query: str | None = None
    via_wildcard: bool = False
    override: tuple[ReportUri, ...] = ()


async def check_destinations(
    domain: str,
    record: DmarcRecord,
    resolver: Resolver,
    *,
    fetcher: RecordFetcher | None = None,
    mode: Mode = Mode.RFC9989,
) -> tuple[tuple[DestinationCheck, ...], tuple[Finding, ...]]:
    """Return a check per ``rua`` / ``ruf`` URI of ``record`` published at ``domain``, and
    findings for unauthorized, unverifiable or skipped destinations. Never raises.

    At most ``MAX_EXTERNAL_CHECKS`` destinations are looked up.
    """
    fetcher = fetcher or RecordFetcher(resolver)
    own_org = (await find_org_domain(domain, fetcher, mode=mode)).org_domain
    checks: list[DestinationCheck] = []
    findings: list[Finding] = []
    looked_up = 0
    for tag, uris in (("rua", record.rua), ("ruf", record.ruf)):
        for uri in uris:
            if uri.domain is None:
                continue
            dest_org = (await find_org_domain(uri.domain, fetcher, mode=mode)).org_domain
            if dest_org == own_org:
                checks.append(DestinationCheck(tag, uri, False, True))
                continue
            if looked_up >= MAX_EXTERNAL_CHECKS:
                checks.append(DestinationCheck(tag, uri, True, None))
                findings.append(_skipped(tag, uri))
                continue
            looked_up += 1
            check = await _authorize(domain, tag, uri, resolver)
            checks.append(check)
            findings.extend(_findings(domain, check))
    return tuple(checks), tuple(findings)


async def _authorize(domain: str, tag: str, uri: ReportUri, resolver: Resolver) -> DestinationCheck:
    assert uri.domain is not None
    name = f"{domain}._report._dmarc.{uri.domain}"
    if len(name) > _MAX_NAME:
        return DestinationCheck(tag, uri, True, False, name)
    answer = await resolver.resolve(name, "TXT")
    if answer.is_error:
        return DestinationCheck(tag, uri, True, None, name)
    texts = [t for t in answer.texts() if is_dmarc_record(t)]
    wildcard = False
    if not texts and answer.status is Status.NODATA:
        star = await resolver.resolve(f"*._report._dmarc.{uri.domain}", "TXT")
        texts = [t for t in star.texts() if is_dmarc_record(t)]
        wildcard = bool(texts)
    if not texts:
        return DestinationCheck(tag, uri, True, False, name)
    return DestinationCheck(tag, uri, True, True, name, wildcard, _override(tag, uri, texts[0]))


def _override(tag: str, uri: ReportUri, text: str) -> tuple[ReportUri, ...]:
    published = parse_record(text)
    uris = published.rua if tag == "rua" else published.ruf
    return tuple(u for u in uris if u.domain == uri.domain)


def _skipped(tag: str, uri: ReportUri) -> Finding:
    return Finding(
        "dmarc.external-destination-skipped",
        Severity.WARNING,
        f"{tag}= destination {uri.uri} was not checked: more than {MAX_EXTERNAL_CHECKS} "
        "external destinations.",
        "List one or two report addresses.",
    )


def _findings(domain: str, check: DestinationCheck) -> list[Finding]:
    uri, tag = check.uri, check.tag
    if check.authorized is None:
        return [
            Finding(
                "dmarc.external-destination-dns-error",
                Severity.WARNING,
                f"Could not look up {check.query} for {tag}= destination {uri.uri}.",
                "Try again; receivers may defer reports meanwhile.",
            )
        ]
    if not check.authorized:
        return [
            Finding(
                "dmarc.external-destination-unauthorized",
                Severity.ERROR,
                f"{tag}= destination {uri.uri} is in another organization and does not "
                f"authorize reports for {domain}; receivers send it nothing.",
                f'Ask {uri.domain} to publish {check.query}. TXT "v=DMARC1;"',
            )
        ]
    return [
        Finding(
            "dmarc.external-destination-authorized",
            Severity.INFO,
            f"{tag}= destination {uri.uri} authorizes reports for {domain}"
            + (" (wildcard record)." if check.via_wildcard else "."),
        )
    ]
