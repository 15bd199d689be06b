"""Selector discovery: look for DKIM keys under selectors in common use and judge each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mailwarden.dkim.keys import KeyRecord, KeyRecordError, parse_key_record
from mailwarden.dns import Answer, Resolver, Status, validate_domain
from mailwarden.dns.batch import resolve_many
from mailwarden.findings import Finding, Severity

__all__ = [
    "COMMON_SELECTORS",
    "DkimProbeResult",
    "SelectorReport",
    "is_selector_name",
    "judge_key",
    "probe_selectors",
]

COMMON_SELECTORS = (
    "default",
    "dkim",
    "mail",
    "email",
    "selector",
    "selector1",
    "selector2",
    "selector3",
    "google",
    "google2",
    "k1",
    "k2",
    "k3",
    "s1",
    "s2",
    "s3",
    "s1024",
    "s2048",
    "key1",
    "key2",
    "sig1",
    "dk",
    "dkim1",
    "dkim2",
    "mx",
    "smtp",
    "smtpapi",
    "mandrill",
    "mailjet",
    "mailgun",
    "mg",
    "pm",
    "postmark",
    "sendgrid",
    "em",
    "amazonses",
    "ses",
    "zendesk1",
    "zendesk2",
    "everlytickey1",
    "everlytickey2",
    "mxvault",
    "protonmail",
    "protonmail2",
    "protonmail3",
    "fm1",
    "fm2",
    "fm3",
    "cm",
    "mailchimp",
    "hs1",
    "hs2",
    "sparkpost",
    "scph0220",
    "admin-mag",
)
"""Selectors probed by default: generic names, Microsoft 365, Google, and common providers."""

_CONCURRENCY = 16
WEAK_RSA_BITS = 2048


@dataclass(frozen=True, slots=True)
class SelectorReport:
    """One key found: its type and size, whether it can verify mail, flags and findings."""

    selector: str
    name: str
    key_type: str
    key_bits: int | None
    valid: bool
    flags: tuple[str, ...]
    findings: tuple[Finding, ...]
    record: str


@dataclass(frozen=True, slots=True)
class DkimProbeResult:
    """What a probe found: the keys, the selectors tried and those whose lookup failed."""

    domain: str
    selectors_tried: tuple[str, ...]
    keys: tuple[SelectorReport, ...]
    failed: tuple[str, ...]


async def probe_selectors(
    domain: str,
    *,
    resolver: Resolver,
    selectors: Sequence[str] | None = None,
    nxdomain_cut: bool = True,
) -> DkimProbeResult:
    """Return the DKIM keys published under ``selectors`` (default :data:`COMMON_SELECTORS`).

    With ``nxdomain_cut`` (the default) and more than one selector, ``_domainkey.<domain>`` is
    asked first: NXDOMAIN there means no name exists below it (RFC 8020), so no selector can
    hold a key and none is asked. Any other answer (NODATA for the empty non-terminal above
    published keys, records from a wildcard, an error) leads to the full probe. Turn it off
    for zones whose servers wrongly answer NXDOMAIN for empty non-terminals.

    The selectors are asked together: in one go through the resolver's ``resolve_many`` when
    it offers one (the lean client does, and the scan's wrappers pass it on), otherwise at most
    16 at a time. A selector whose lookup times out or fails is listed in ``failed``; NXDOMAIN
    and NODATA mean no key. Raises ``InputError`` for a malformed ``domain``; DNS problems
    never raise.
    """
    domain = validate_domain(domain)
    tried = tuple(dict.fromkeys(s.strip().lower() for s in (selectors or COMMON_SELECTORS)))
    if nxdomain_cut and len(tried) > 1 and await _nothing_below(resolver, domain):
        return DkimProbeResult(domain, tried, (), ())
    wanted = [s for s in tried if s]
    names = [f"{selector}._domainkey.{domain}" for selector in wanted]
    answers = await resolve_many(resolver, names, "TXT", concurrency=_CONCURRENCY)
    outcomes = [_outcome(s, n, a) for s, n, a in zip(wanted, names, answers, strict=True)]
    keys = tuple(o for o in outcomes if isinstance(o, SelectorReport))
    failed = tuple(o for o in outcomes if isinstance(o, str))
    return DkimProbeResult(domain, tried, keys, failed)


def is_selector_name(name: str) -> bool:
    """Return True for a DKIM key name ``selector._domainkey.domain`` (any case)."""
    return "._domainkey." in name.lower()


async def _nothing_below(resolver: Resolver, domain: str) -> bool:
    """Return True when ``_domainkey.<domain>`` is NXDOMAIN itself (no CNAME followed)."""
    answer = await resolver.resolve(f"_domainkey.{domain}", "TXT")
    return answer.status is Status.NXDOMAIN and answer.canonical_name is None


def _outcome(selector: str, name: str, answer: Answer) -> SelectorReport | str | None:
    """Return the report for one selector, the selector when its lookup failed, or None."""
    if answer.is_error:
        return selector
    texts = answer.texts()
    if answer.status is not Status.NOERROR or not texts:
        return None
    return judge_key(selector, name, texts[0])


def judge_key(selector: str, name: str, text: str) -> SelectorReport:
    """Return the report on key record ``text`` published at ``name``."""
    try:
        key = parse_key_record(text)
    except KeyRecordError as exc:
        finding = Finding(
            "dkim.malformed-key",
            Severity.ERROR,
            f"{name}: {exc}",
            "Publish the record that keygen printed, unchanged.",
        )
        return SelectorReport(selector, name, "", None, False, (), (finding,), text)
    findings = _key_findings(name, key)
    valid = not key.revoked and not any(f.severity is Severity.ERROR for f in findings)
    return SelectorReport(
        selector, name, key.key_type, key.key_bits, valid, key.flags, findings, text
    )


def _key_findings(name: str, key: KeyRecord) -> tuple[Finding, ...]:
    found = []
    if key.revoked:
        found.append(
            Finding(
                "dkim.revoked",
                Severity.INFO,
                f"{name}: the key is revoked (empty p=)",
                "Remove the record once no mail signed with it is in transit.",
            )
        )
    elif key.key_type == "rsa" and (key.key_bits or 0) < WEAK_RSA_BITS:
        severity = Severity.ERROR if (key.key_bits or 0) < 1024 else Severity.WARNING
        found.append(
            Finding(
                "dkim.weak-key",
                severity,
                f"{name}: {key.key_bits}-bit RSA key",
                "Generate a 2048-bit key under a new selector and rotate: "
                "mailwarden dkim keygen --bits 2048.",
            )
        )
    if key.testing:
        found.append(
            Finding(
                "dkim.testing-flag",
                Severity.WARNING,
                f"{name}: t=y (testing)",
                "Remove t=y once signing works, so receivers act on failures.",
            )
        )
    if key.hash_algorithms is not None and "sha256" not in key.hash_algorithms:
        found.append(
            Finding(
                "dkim.sha1-only",
                Severity.ERROR,
                f"{name}: h= excludes sha256",
                "Drop the h= tag from the key record.",
            )
        )
    return tuple(found)
