"""The record builder: what to publish for SPF, DMARC, DKIM, MTA-STS and TLS-RPT, and the
staged DMARC rollout with the evidence to wait for at each step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mailwarden.audit.protocols import run_dmarc
from mailwarden.audit.spf_builder import SpfSuggestion, build_spf
from mailwarden.dmarc.uri import parse_report_uri
from mailwarden.dns import Resolver
from mailwarden.spf import is_spf_record

__all__ = ["DmarcStep", "Suggestion", "suggest"]


@dataclass(frozen=True, slots=True)
class DmarcStep:
    """One step of the DMARC rollout: the record to publish and the evidence to wait for."""

    step: int
    record: str
    wait_for: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Everything ``mailwarden suggest`` recommends for one domain."""

    domain: str
    spf: SpfSuggestion
    existing_spf: str | None
    existing_dmarc: str | None
    dmarc_plan: tuple[DmarcStep, ...]
    dkim_commands: tuple[str, ...]
    mta_sts_record: str
    mta_sts_policy: str
    tls_rpt_record: str


async def suggest(
    domain: str,
    *,
    resolver: Resolver,
    senders: Sequence[str] = (),
    rua: Sequence[str] = (),
    today: dt.date | None = None,
) -> Suggestion:
    """Return the recommended records for ``domain``, starting from what it publishes.

    Raises ``ParseError`` when a sender term is not valid SPF or a ``rua`` entry is not a URI.
    """
    for uri in rua:
        parse_report_uri(uri)
    day = today or dt.datetime.now(dt.UTC).date()
    published = (await resolver.resolve(domain, "TXT")).texts()
    spf_records = [text for text in published if is_spf_record(text)]
    existing_spf = spf_records[0] if len(spf_records) == 1 else None
    spf = await build_spf(domain, resolver=resolver, senders=senders, existing=existing_spf)
    dmarc = await run_dmarc(domain, resolver=resolver)
    reports = list(rua) or list(dmarc.rua) or [f"mailto:dmarc-reports@{domain}"]
    plan = _dmarc_plan(reports, dmarc.policy if dmarc.valid else None)
    mx = [r.exchange for r in (await resolver.resolve(domain, "MX")).mx() if r.exchange]
    stamp = day.strftime("%Y%m")
    return Suggestion(
        domain=domain,
        spf=spf,
        existing_spf=existing_spf,
        existing_dmarc=dmarc.record,
        dmarc_plan=plan,
        dkim_commands=(
            f"mailwarden dkim keygen --domain {domain} --selector rsa{stamp} "
            "--algorithm rsa --bits 2048",
            f"mailwarden dkim keygen --domain {domain} --selector ed{stamp} --algorithm ed25519",
        ),
        mta_sts_record=f"v=STSv1; id={day.strftime('%Y%m%d')}T000000",
        mta_sts_policy=_mta_sts_policy(mx),
        tls_rpt_record=f"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}",
    )


def _dmarc_plan(rua: list[str], current: str | None) -> tuple[DmarcStep, ...]:
    reports = ",".join(rua)
    steps = [
        (
            "none",
            f"v=DMARC1; p=none; rua={reports}",
            "two to four weeks of aggregate reports; list every source sending as the domain "
            "and make each legitimate one pass SPF or DKIM aligned with the From domain",
        ),
        (
            "quarantine",
            f"v=DMARC1; p=quarantine; rua={reports}",
            "at least 30 days in which 98% or more of the volume passes aligned, and every "
            "source that fails is one you do not recognise (spoofing)",
        ),
        (
            "reject",
            f"v=DMARC1; p=reject; rua={reports}",
            "keep reading the reports: a new legitimate sender must be authorized before it "
            "starts sending",
        ),
    ]
    order = [name for name, _, _ in steps]
    start = order.index(current) + 1 if current in order else 0
    start = min(start, len(steps) - 1)
    chosen = steps[start:]
    return tuple(DmarcStep(i + 1, record, wait) for i, (_, record, wait) in enumerate(chosen))


def _mta_sts_policy(mx: list[str]) -> str:
    lines = ["version: STSv1", "mode: testing"]
    lines += [f"mx: {host}" for host in mx] or ["mx: mail.example.invalid"]
    lines.append("max_age: 604800")
    return "\n".join(lines) + "\n"
