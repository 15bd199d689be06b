"""Realistic sample reports for the demo and the benchmark, generated from a seed.

The reports look like what a small organisation receives: daily aggregate reports from the
big mailbox providers covering its own mail servers, an e-mail service provider, forwarders
(DKIM survives, SPF does not) and spoofers (both fail); failure reports with the headers of
the failing messages; and daily SMTP TLS reports. All addresses and names are from the
documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32,
``example.*``, AS 64496-64511), so nothing refers to a real party.

The reports are objects of the parsed report model (:mod:`mailwarden.reports`), so they are
stored exactly like parsed ones.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from mailwarden.reports import (
    AggregateRecord,
    AggregateReport,
    AuthResult,
    FailureReport,
    PublishedPolicy,
    ReportMetadata,
    Schema,
    TlsFailureDetail,
    TlsPolicyResult,
    TlsReport,
)
from mailwarden.store.base import SourceInfo

__all__ = [
    "ANCHOR",
    "SamplePolicy",
    "Samples",
    "build_samples",
]

#: Last day covered by the bundled samples.
ANCHOR = dt.date(2026, 11, 25)
REPORTERS = ("google.com", "Outlook.com", "Yahoo", "Mail.Ru", "comcast.net", "web.de")


@dataclass(frozen=True, slots=True)
class SamplePolicy:
    """The DMARC policy a sample domain publishes."""

    p: str
    pct: int = 100

    def published(self, domain: str) -> PublishedPolicy:
        """Return the ``policy_published`` of a report on ``domain``."""
        return PublishedPolicy(domain, p=self.p, pct=self.pct, adkim="r", aspf="r", fo="1")


@dataclass(frozen=True, slots=True)
class Sender:
    """A sending source: its IP, how its mail authenticates, and its daily volume."""

    ip: str
    kind: str  # own, esp, forwarder, spoofer
    daily: int
    info: SourceInfo


def _own(domain: str, index: int, octet: int) -> Sender:
    info = SourceInfo(f"mx{index}.{domain}", domain, "DE", 64496, "Example Hosting")
    return Sender(f"192.0.2.{octet}", "own", 400, info)


def _senders(domain: str, number: int, rng: random.Random) -> list[Sender]:
    base = number * 8
    senders = [_own(domain, 1, base + 1), _own(domain, 2, base + 2)]
    senders.append(
        Sender(
            f"2001:db8:{number + 1:x}::25",
            "own",
            150,
            SourceInfo(f"mail6.{domain}", domain, "DE", 64496, "Example Hosting"),
        )
    )
    for octet in range(4):
        ip = f"198.51.100.{10 + number * 4 + octet}"
        info = SourceInfo(
            f"o{octet + 1}.mailer.example-esp.net",
            "example-esp.net",
            "US",
            64500,
            "Example ESP Inc.",
        )
        senders.append(Sender(ip, "esp", 250, info))
    info = SourceInfo("lists.example.org", "example.org", "NL", 64510, "Example Lists")
    senders.append(Sender(f"198.51.100.{200 + number}", "forwarder", 30, info))
    for _ in range(6):
        ip = f"203.0.113.{rng.randrange(1, 254)}"
        info = SourceInfo(
            None, None, rng.choice(("CN", "RU", "BR", "VN")), 64511, "Example Transit"
        )
        senders.append(Sender(ip, "spoofer", rng.randrange(5, 60), info))
    return senders


_OUTCOME = {
    # kind: (dkim, spf, auth dkim, auth spf)
    "own": ("pass", "pass", "pass", "pass"),
    "esp": ("pass", "fail", "pass", "pass"),
    "forwarder": ("pass", "fail", "pass", "fail"),
    "spoofer": ("fail", "fail", "fail", "softfail"),
}


def _record(
    sender: Sender, domain: str, count: int, policy: SamplePolicy, fix_esp: bool
) -> AggregateRecord:
    dkim, spf, auth_dkim, auth_spf = _OUTCOME[sender.kind]
    if sender.kind == "esp" and fix_esp:
        spf = "pass"
    failed = dkim != "pass" and spf != "pass"
    disposition = policy.p if failed and policy.p in ("quarantine", "reject") else "none"
    envelope = domain if sender.kind in ("own",) else "bounces.example-esp.net"
    auth = (
        AuthResult(
            "dkim", domain if auth_dkim == "pass" else f"spoof.{domain}", auth_dkim, "s2026"
        ),
        AuthResult("spf", envelope, auth_spf, scope="mfrom"),
    )
    return AggregateRecord(
        sender.ip, count, disposition, dkim, spf, domain, envelope_from=envelope, auth_results=auth
    )


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def build_samples(
    *,
    days: int = 45,
    domains: Iterable[tuple[str, str, int]] = (
        ("example.com", "reject", 100),
        ("example.net", "none", 50),
        ("example.org", "none", 100),
    ),
    reporters: Iterable[str] = REPORTERS,
    end: dt.date = ANCHOR,
    seed: int = 2026,
    failures: bool = True,
    tls: bool = True,
    noise: int = 0,
) -> Samples:
    """Return sample reports (aggregate, then failure, then TLS) for ``days`` days up to ``end``.

    ``domains`` gives (name, p, pct) per domain; ``noise`` adds that many one-off sources
    (random 10.0.0.0/8 addresses that fail DMARC) to each aggregate report, the long tail
    of a busy domain. Deterministic for a given ``seed``; the
    reports are generated lazily, so millions of records take little memory.
    """
    rng = random.Random(seed)
    plan = [
        (name, SamplePolicy(p, pct), _senders(name, n, rng))
        for n, (name, p, pct) in enumerate(domains)
    ]
    infos = {s.ip: s.info for _, _, senders in plan for s in senders}
    generated = _generate(rng, plan, list(reporters), days, end, failures, tls, noise)
    return Samples(generated, infos)


Plan = list[tuple[str, SamplePolicy, list[Sender]]]


def _generate(
    rng: random.Random,
    plan: Plan,
    orgs: list[str],
    days: int,
    end: dt.date,
    failures: bool,
    tls: bool,
    noise: int,
) -> Iterator[object]:
    first = end - dt.timedelta(days=days - 1)
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        for name, policy, senders in plan:
            fix_esp = offset > days * 2 // 3
            yield from _aggregates(rng, day, name, policy, senders, orgs, fix_esp, noise)
    if failures:
        yield from _failures(rng, first, days, plan)
    if tls:
        for offset in range(days):
            yield from _tls(rng, first + dt.timedelta(days=offset), [p[0] for p in plan[:2]])


def _aggregates(
    rng: random.Random,
    day: dt.date,
    domain: str,
    policy: SamplePolicy,
    senders: list[Sender],
    orgs: list[str],
    fix_esp: bool,
    noise: int = 0,
) -> Iterator[AggregateReport]:
    begin = _day_start(day)
    for index, org in enumerate(orgs):
        share = 0.45 / (index + 1)
        records = []
        for sender in senders:
            if sender.kind == "spoofer" and rng.random() < 0.5:
                continue
            count = max(1, round(sender.daily * share * rng.uniform(0.6, 1.4)))
            records.append(_record(sender, domain, count, policy, fix_esp))
        for _ in range(noise):
            ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            stranger = Sender(ip, "spoofer", 1, SourceInfo())
            records.append(_record(stranger, domain, rng.randrange(1, 4), policy, fix_esp))
        slug = org.lower().replace(" ", "").replace(".", "-")
        metadata = ReportMetadata(
            org,
            f"noreply-dmarc@{slug}.example",
            f"{slug}-{domain}-{day:%Y%m%d}",
            begin,
            begin + dt.timedelta(days=1) - dt.timedelta(seconds=1),
        )
        yield AggregateReport(metadata, policy.published(domain), tuple(records), Schema.RFC7489)


def _failures(rng: random.Random, first: dt.date, days: int, plan: Plan) -> Iterator[FailureReport]:
    for number in range(12):
        name, _policy, senders = plan[number % len(plan)]
        spoofer = rng.choice([s for s in senders if s.kind == "spoofer"])
        when = _day_start(first + dt.timedelta(days=rng.randrange(days))) + dt.timedelta(
            minutes=rng.randrange(1440)
        )
        victim = f"user{number}@example.net"
        headers = (
            ("From", f'"Accounts" <billing@{name}>'),
            ("To", victim),
            ("Subject", f"Your invoice #{rng.randrange(10000, 99999)} is overdue"),
            ("Date", f"{when:%a, %d %b %Y %H:%M:%S +0000}"),
            ("Message-ID", f"<{rng.getrandbits(48):x}@spoof.{name}>"),
        )
        results = (
            f"mx.example.net; dkim=fail header.d={name}; spf=softfail "
            f"smtp.mailfrom=spoof.{name}; dmarc=fail header.from={name}"
        )
        yield FailureReport(
            "arf",
            "mx.example.net",
            f"<fr{number}.{when:%Y%m%d%H%M}@mx.example.net>",
            name,
            when,
            feedback_type="auth-failure",
            auth_failure=("dmarc",),
            identity_alignment=("dkim", "spf"),
            source_ip=spoofer.ip,
            delivery_result="reject",
            original_mail_from=f"billing@spoof.{name}",
            original_rcpt_to=(victim,),
            authentication_results=(results,),
            user_agent="Example-Reporter/1.0",
            version="1",
            original_headers=headers,
        )


def _tls(rng: random.Random, day: dt.date, names: list[str]) -> Iterator[TlsReport]:
    begin = _day_start(day)
    for org in ("google.com", "Microsoft Corporation"):
        for name in names:
            failed = rng.choice((0, 0, 0, 2, 7))
            details: tuple[TlsFailureDetail, ...] = ()
            if failed:
                kind = rng.choice(
                    ("certificate-expired", "starttls-not-supported", "validation-failure")
                )
                detail = TlsFailureDetail(
                    kind, failed, sending_mta_ip="192.0.2.250", receiving_mx_hostname=f"mx2.{name}"
                )
                details = (detail,)
            policy = TlsPolicyResult(
                "sts",
                name,
                rng.randrange(800, 1200),
                failed,
                policy_string=("version: STSv1", "mode: enforce"),
                mx_host=(f"mx1.{name}", f"mx2.{name}"),
                failure_details=details,
            )
            yield TlsReport(
                org,
                f"{day:%Y-%m-%d}T00:00:00Z_{name}_{org.split()[0].lower()}",
                begin,
                begin + dt.timedelta(days=1) - dt.timedelta(seconds=1),
                f"tlsrpt@{org.split()[0].lower()}.example",
                (policy,),
            )


@dataclass(frozen=True, slots=True)
class Samples:
    """Sample reports and what is known about their senders (an ``Enricher`` for the store)."""

    reports: Iterator[object]
    infos: Mapping[str, SourceInfo]

    def enrich(self, ips: Iterable[str]) -> Mapping[str, SourceInfo]:
        """Return the known reverse DNS name, base domain, country and ASN of ``ips``."""
        return {ip: self.infos[ip] for ip in ips if ip in self.infos}
