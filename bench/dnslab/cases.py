"""What one lab domain publishes, per protocol, and the ground truth that goes with it.

Each ``*_case`` function picks a seeded case for the domain's profile (good, weak, broken),
adds the records to the domain's zone and returns the manifest entry for that protocol.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.dnslab.keys import ed25519_public_b64, rsa_public_b64
from bench.dnslab.providers import Providers
from bench.dnslab.zonefile import ZoneBuilder, split_txt

__all__ = [
    "PROFILES",
    "DomainContext",
    "bimi_case",
    "dkim_case",
    "dmarc_case",
    "loopback_address",
    "mta_sts_case",
    "mx_case",
    "spf_case",
    "tls_rpt_case",
]

PROFILES: Sequence[tuple[str, int]] = (("good", 35), ("weak", 40), ("broken", 25))
SELECTORS = ("selector1", "selector2", "google", "default", "k1", "s1", "dkim", "mail", "mx")
KEY_POOL = 2  # distinct keys per RSA size (deterministic keygen is slow); Ed25519 gets more

Weights = dict[str, Sequence[tuple[str, int]]]


@dataclass
class DomainContext:
    """One domain being generated: its zone, its random stream, the lab's providers."""

    domain: str
    index: int
    profile: str
    rng: random.Random
    zone: ZoneBuilder
    providers: Providers
    seed: int
    mx_usable: bool = False  # the domain has working MX hosts (SPF may then use ``mx``)

    def pick(self, table: Weights) -> str:
        """Return a case from ``table[self.profile]``, weighted."""
        cases = table[self.profile]
        return self.rng.choices([c for c, _ in cases], [w for _, w in cases])[0]


# -- MX ------------------------------------------------------------------------------------

MX_CASES: Weights = {
    "good": (("provider", 70), ("own", 20), ("null", 10)),
    "weak": (("provider", 55), ("own", 20), ("null", 10), ("absent", 15)),
    "broken": (("provider", 30), ("cname", 35), ("dangling", 35)),
}


def mx_case(ctx: DomainContext) -> dict[str, Any]:
    """Publish the domain's MX records; return the ``mx`` manifest entry."""
    case, zone, rng = ctx.pick(MX_CASES), ctx.zone, ctx.rng
    hosts: list[str] = []
    if case == "provider":
        provider = rng.randrange(3)
        hosts = [ctx.providers.mx_host(provider, 1), ctx.providers.mx_host(provider, 2)]
    elif case == "own":
        zone.add("mx", "A", loopback_address(ctx.index, 1))
        hosts = [zone.owner("mx")]
    elif case == "cname":
        zone.add("mail", "CNAME", ctx.providers.mx_host(rng.randrange(3), 1) + ".")
        hosts = [zone.owner("mail")]
    elif case == "dangling":
        hosts = [zone.owner("oldmx")]
    for preference, host in enumerate(hosts, start=1):
        zone.add("@", "MX", f"{10 * preference} {host}.")
    if case == "null":
        zone.add("@", "MX", "0 .")
    ctx.mx_usable = case in ("provider", "own")
    cause = {"cname": "mx-cname", "dangling": "dangling"}.get(case)
    return {
        "case": case,
        "present": case != "absent",
        "null": case == "null",
        "hosts": hosts,
        "valid": case != "absent" and cause is None,
        "cause": cause,
    }


# -- SPF -----------------------------------------------------------------------------------

SPF_CASES: Weights = {
    "good": (("fail", 50), ("softfail", 30), ("long", 10), ("redirect", 10)),
    "weak": (("softfail", 25), ("neutral", 20), ("pass", 10), ("absent", 35), ("long", 10)),
    "broken": (
        ("syntax", 20),
        ("lookup-limit", 20),
        ("void-lookup-limit", 15),
        ("multiple-records", 15),
        ("include-loop", 10),
        ("absent", 20),
    ),
}
ALL_FOR_CASE = {"fail": "-all", "softfail": "~all", "neutral": "?all", "pass": "+all"}
SPF_SYNTAX_ERRORS = (
    "v=spf1 ip4:192.0.2.300 -all",
    "v=spf1 ip4:192.0.2.0/33 ~all",
    "v=spf1 ip6:2001:db8::/129 -all",
    "v=spf1 inlcude:{include} -all",
    "v=spf1 redirect={include} redirect={include2}",
    "v=spf1 mx ~ all",
)


def spf_case(ctx: DomainContext) -> dict[str, Any]:
    """Publish the domain's SPF record(s); return the ``spf`` manifest entry."""
    case = ctx.pick(SPF_CASES)
    if ctx.profile == "good" and not ctx.mx_usable and ctx.rng.random() < 0.5:
        case = "fail"  # parked and own-MX domains mostly publish a plain -all
    entry: dict[str, Any] = {
        "case": case,
        "present": case != "absent",
        "records": [],
        "valid": case != "absent" and case not in SPF_CAUSES,
        "cause": SPF_CAUSES.get(case),
        "all": None,
        "lookups": 0,
        "void_lookups": 0,
        "split": False,
    }
    if case != "absent":
        entry.update(_SPF_BUILDERS.get(case, _spf_plain)(ctx, case))
    for record in entry["records"]:
        ctx.zone.add_txt("@", split_txt(record))
    entry["split"] = any(len(r) > 255 for r in entry["records"])
    return entry


SPF_CAUSES = {
    "syntax": "syntax",
    "lookup-limit": "lookup-limit",
    "void-lookup-limit": "void-lookup-limit",
    "multiple-records": "multiple-records",
    "include-loop": "include-loop",
}


def _spf_terms(ctx: DomainContext) -> tuple[list[str], int]:
    """Return ordinary mechanisms for the domain and how many DNS lookups they cost."""
    rng, terms, lookups = ctx.rng, [], 0
    if rng.random() < 0.4:
        terms.append("a")
        lookups += 1
    if ctx.mx_usable and rng.random() < 0.6:
        terms.append("mx")
        lookups += 1
    terms.append(f"ip4:{_address(ctx.index, 0)}")
    for provider in rng.sample(range(3), rng.choice((0, 1, 1, 2))):
        terms.append(f"include:{ctx.providers.spf_include(provider)}")
        lookups += 1
    return terms, lookups


def _spf_plain(ctx: DomainContext, case: str) -> dict[str, Any]:
    terms, lookups = _spf_terms(ctx)
    qualifier = ALL_FOR_CASE[case]
    return {
        "records": [" ".join(["v=spf1", *terms, qualifier])],
        "all": qualifier,
        "lookups": lookups,
    }


def _spf_long(ctx: DomainContext, _case: str) -> dict[str, Any]:
    terms, lookups = _spf_terms(ctx)
    count = ctx.rng.randrange(18, 40)
    nets = [f"ip4:10.{(ctx.index >> 8) & 255}.{ctx.index & 255}.{4 * n}/30" for n in range(count)]
    qualifier = ctx.rng.choice(("-all", "~all"))
    record = " ".join(["v=spf1", *terms, *nets, qualifier])
    return {"records": [record], "all": qualifier, "lookups": lookups}


def _spf_redirect(ctx: DomainContext, _case: str) -> dict[str, Any]:
    target = ctx.providers.spf_include(ctx.rng.randrange(3))
    return {"records": [f"v=spf1 redirect={target}"], "all": None, "lookups": 1}


def _spf_syntax(ctx: DomainContext, _case: str) -> dict[str, Any]:
    template = ctx.rng.choice(SPF_SYNTAX_ERRORS)
    record = template.format(
        include=ctx.providers.spf_include(0), include2=ctx.providers.spf_include(1)
    )
    return {"records": [record], "lookups": None}


def _spf_lookup_limit(ctx: DomainContext, _case: str) -> dict[str, Any]:
    depth = ctx.rng.randrange(10, 15)
    terms, lookups = _spf_terms(ctx)
    record = " ".join(["v=spf1", *terms, f"include:{ctx.providers.chain(depth)}", "~all"])
    return {"records": [record], "all": "~all", "lookups": lookups + depth + 1}


def _spf_void_limit(ctx: DomainContext, _case: str) -> dict[str, Any]:
    voids = ctx.rng.randrange(3, 5)
    gone = [f"a:{ctx.zone.owner(f'old{n}')}" for n in range(1, voids + 1)]
    record = " ".join(["v=spf1", *gone, f"ip4:{_address(ctx.index, 0)}", "-all"])
    return {"records": [record], "all": "-all", "lookups": voids, "void_lookups": voids}


def _spf_multiple(ctx: DomainContext, _case: str) -> dict[str, Any]:
    first = _spf_plain(ctx, "softfail")["records"][0]
    second = f"v=spf1 include:{ctx.providers.spf_include(ctx.rng.randrange(3))} -all"
    return {"records": [first, second], "lookups": None}


def _spf_loop(ctx: DomainContext, _case: str) -> dict[str, Any]:
    ctx.zone.add_txt("_spf", [f"v=spf1 include:{ctx.domain} ~all"])
    record = f"v=spf1 ip4:{_address(ctx.index, 0)} include:{ctx.zone.owner('_spf')} -all"
    return {"records": [record], "all": "-all", "lookups": None}


_SPF_BUILDERS = {
    "long": _spf_long,
    "redirect": _spf_redirect,
    "syntax": _spf_syntax,
    "lookup-limit": _spf_lookup_limit,
    "void-lookup-limit": _spf_void_limit,
    "multiple-records": _spf_multiple,
    "include-loop": _spf_loop,
}


# -- DMARC ---------------------------------------------------------------------------------

DMARC_CASES: Weights = {
    "good": (("reject", 55), ("quarantine", 45)),
    "weak": (("none", 55), ("quarantine", 10), ("absent", 35)),
    "broken": (("syntax", 45), ("multiple-records", 25), ("absent", 30)),
}
# A p= typo with a valid rua= would still be a usable record (RFC 9989 reads it as p=none),
# so the typo case publishes no rua=: receivers then discard the record.
DMARC_SYNTAX_ERRORS = (
    "v=DMARC1; p=rejct",
    "v=DMARC1 p=reject; rua=mailto:dmarc@{domain}",
    "p=quarantine; v=DMARC1; rua=mailto:dmarc@{domain}",
    "v=DMARC1: p=none",
    "v=DMARC2; p=reject",
)
DESTINATIONS: Weights = {
    "good": (("internal", 45), ("wildcard", 30), ("explicit", 25)),
    "weak": (("internal", 30), ("wildcard", 15), ("explicit", 10), ("unauthorized", 25), ("", 20)),
    "broken": (("internal", 40), ("unauthorized", 40), ("", 20)),
}


def dmarc_case(ctx: DomainContext) -> dict[str, Any]:
    """Publish the domain's DMARC record(s); return the ``dmarc`` manifest entry."""
    case = ctx.pick(DMARC_CASES)
    entry: dict[str, Any] = {
        "case": case,
        "present": case != "absent",
        "records": [],
        "valid": case in ("reject", "quarantine", "none"),
        "cause": case if case in ("syntax", "multiple-records") else None,
        "policy": None,
        "sp": None,
        "np": None,
        "pct": None,
        "rua": [],
        "ruf": [],
        "destinations": [],
        "rua_external": False,
        "external_authorized": None,
    }
    if case in ("reject", "quarantine", "none"):
        entry.update(_dmarc_valid(ctx, case))
    elif case == "syntax":
        template = ctx.rng.choice(DMARC_SYNTAX_ERRORS)
        entry["records"] = [template.format(domain=ctx.domain)]
    elif case == "multiple-records":
        entry["records"] = [
            f"v=DMARC1; p=none; rua=mailto:dmarc@{ctx.domain}",
            "v=DMARC1; p=reject",
        ]
    for record in entry["records"]:
        ctx.zone.add_txt("_dmarc", split_txt(record))
    return entry


def _dmarc_valid(ctx: DomainContext, policy: str) -> dict[str, Any]:
    rng = ctx.rng
    tags = [("v", "DMARC1"), ("p", policy)]
    sp = rng.choice((None, None, "none", "quarantine", "reject"))
    np_ = rng.choice((None, None, None, "reject")) if policy != "none" else None
    pct = rng.choice((None, None, 50)) if ctx.profile == "weak" else None
    tags += [(k, v) for k, v in (("sp", sp), ("np", np_), ("pct", pct)) if v is not None]
    destinations = _destinations(ctx)
    rua = [d["uri"] for d in destinations]
    if rua:
        tags.append(("rua", ",".join(rua)))
    ruf = [f"mailto:forensic@{ctx.domain}"] if rng.random() < 0.2 else []
    if ruf:
        tags += [("ruf", ruf[0]), ("fo", "1")]
    if rng.random() < 0.3:
        tags.append(("adkim", rng.choice(("r", "s"))))
    external = [d for d in destinations if d["external"]]
    return {
        "records": ["; ".join(f"{k}={v}" for k, v in tags)],
        "policy": policy,
        "sp": sp,
        "np": np_,
        "pct": pct,
        "rua": rua,
        "ruf": ruf,
        "destinations": destinations,
        "rua_external": bool(external),
        "external_authorized": all(d["authorized"] for d in external) if external else None,
    }


def _destinations(ctx: DomainContext) -> list[dict[str, Any]]:
    kind = ctx.pick(DESTINATIONS)
    providers = ctx.providers
    if not kind:
        return []
    found = [_destination(f"mailto:dmarc@{ctx.domain}", ctx.domain, False, None)]
    if kind == "wildcard":
        found.append(
            _destination(
                f"mailto:agg@{providers.report_wildcard}", providers.report_wildcard, True, True
            )
        )
    elif kind == "explicit":
        providers.authorize(ctx.domain)
        uri = f"mailto:{ctx.domain.split('.')[0]}@{providers.report_explicit}"
        found.append(_destination(uri, providers.report_explicit, True, True))
    elif kind == "unauthorized":
        sink = ctx.rng.choice((providers.report_unauthorized, providers.report_explicit))
        found.append(_destination(f"mailto:rua@{sink}", sink, True, False))
    if kind != "internal" and ctx.rng.random() < 0.5:
        found = found[1:]  # only the external destination
    return found


def _destination(uri: str, domain: str, external: bool, authorized: bool | None) -> dict[str, Any]:
    return {"uri": uri, "domain": domain, "external": external, "authorized": authorized}


# -- DKIM ----------------------------------------------------------------------------------

DKIM_CASES: Weights = {
    "good": (("rsa2048", 50), ("rotation", 25), ("ed25519-pair", 25)),
    "weak": (("rsa1024", 40), ("testing", 20), ("rsa2048", 10), ("absent", 30)),
    "broken": (("revoked", 30), ("malformed", 40), ("absent", 30)),
}
MALFORMED = ("bad-base64", "not-a-key", "unknown-key-type")


def dkim_case(ctx: DomainContext) -> dict[str, Any]:
    """Publish DKIM keys at common selectors; return the ``dkim`` manifest entry."""
    case = ctx.pick(DKIM_CASES)
    plan: list[str] = {
        "rsa2048": ["rsa2048"],
        "rotation": ["rsa2048", "rsa2048"],
        "ed25519-pair": ["ed25519", "rsa2048"],
        "rsa1024": ["rsa1024"],
        "testing": ["testing"],
        "revoked": ["revoked", "rsa2048"],
        "malformed": ["malformed"],
        "absent": [],
    }[case]
    names = ctx.rng.sample(SELECTORS, len(plan))
    selectors = [_dkim_key(ctx, name, kind) for name, kind in zip(names, plan, strict=True)]
    return {"case": case, "selectors": selectors}


def _dkim_key(ctx: DomainContext, selector: str, kind: str) -> dict[str, Any]:
    key_seed = f"pool-{ctx.rng.randrange(KEY_POOL)}"  # shared by every lab: keygen is slow
    entry: dict[str, Any] = {
        "selector": selector,
        "name": ctx.zone.owner(f"{selector}._domainkey"),
        "key_type": "rsa",
        "bits": 2048,
        "testing": kind == "testing",
        "revoked": kind == "revoked",
        "valid": True,
        "cause": None,
    }
    if kind == "ed25519":
        entry.update(key_type="ed25519", bits=256)
        record = f"v=DKIM1; k=ed25519; p={ed25519_public_b64(f'{ctx.seed}-{ctx.index}')}"
    elif kind == "revoked":
        entry.update(valid=False, cause="revoked", bits=None)
        record = "v=DKIM1; k=rsa; p="
    elif kind == "malformed":
        record = _malformed_key(ctx, entry)
    else:
        bits = 1024 if kind == "rsa1024" else 2048
        entry["bits"] = bits
        flags = "t=y; " if kind == "testing" else ""
        record = f"v=DKIM1; k=rsa; {flags}p={rsa_public_b64(bits, key_seed)}"
    entry["record"] = record
    ctx.zone.add_txt(f"{selector}._domainkey", split_txt(record))
    return entry


def _malformed_key(ctx: DomainContext, entry: dict[str, Any]) -> str:
    problem = ctx.rng.choice(MALFORMED)
    entry.update(valid=False, cause=problem, bits=None)
    if problem == "bad-base64":
        return "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ*%not-base64"
    if problem == "not-a-key":
        garbage = base64.b64encode(ctx.rng.randbytes(48)).decode("ascii")
        return f"v=DKIM1; k=rsa; p={garbage}"
    entry["key_type"] = "dsa"
    return f"v=DKIM1; k=dsa; p={rsa_public_b64(1024, 'pool-0')}"


# -- MTA-STS, TLS-RPT, BIMI ------------------------------------------------------------------

PRESENCE: Weights = {
    "good": (("valid", 45), ("absent", 55)),
    "weak": (("valid", 10), ("absent", 90)),
    "broken": (("invalid", 40), ("absent", 60)),
}
BIMI_PRESENCE: Weights = {
    "good": (("valid", 20), ("absent", 80)),
    "weak": (("absent", 100),),
    "broken": (("invalid", 15), ("absent", 85)),
}
MTA_STS_INVALID = ("v=STSv1; id=", "v=STSv1; id=2026-01-01", "v=STSv2; id=20260101")
TLS_RPT_INVALID = (
    "v=TLSRPTv1; rua=tlsrpt@{domain}",
    "v=TLSRPTv1;",
    "v=TLSRPT1; rua=mailto:x@{domain}",
)
BIMI_INVALID = ("v=BIMI1; l=http://{domain}/logo.svg", "v=BIMI2; l=https://{domain}/logo.svg")


def mta_sts_case(ctx: DomainContext) -> dict[str, Any]:
    """Publish ``_mta-sts`` (and the policy host's address); return the ``mta_sts`` entry."""
    case = ctx.pick(PRESENCE)
    record = None
    if case == "valid":
        record = f"v=STSv1; id=2026{ctx.rng.randrange(10**8):08d}"
        ctx.zone.add("mta-sts", "A", loopback_address(ctx.index, 2))
    elif case == "invalid":
        record = ctx.rng.choice(MTA_STS_INVALID)
    return _simple(ctx, "_mta-sts", case, record)


def tls_rpt_case(ctx: DomainContext) -> dict[str, Any]:
    """Publish ``_smtp._tls``; return the ``tls_rpt`` entry."""
    case = ctx.pick(PRESENCE)
    record = None
    if case == "valid":
        record = f"v=TLSRPTv1; rua=mailto:tlsrpt@{ctx.domain}"
    elif case == "invalid":
        record = ctx.rng.choice(TLS_RPT_INVALID).format(domain=ctx.domain)
    return _simple(ctx, "_smtp._tls", case, record)


def bimi_case(ctx: DomainContext) -> dict[str, Any]:
    """Publish ``default._bimi``; return the ``bimi`` entry."""
    case = ctx.pick(BIMI_PRESENCE)
    record = None
    if case == "valid":
        record = f"v=BIMI1; l=https://{ctx.domain}/brand/logo.svg; a="
    elif case == "invalid":
        record = ctx.rng.choice(BIMI_INVALID).format(domain=ctx.domain)
    return _simple(ctx, "default._bimi", case, record)


def _simple(ctx: DomainContext, label: str, case: str, record: str | None) -> dict[str, Any]:
    if record is not None:
        ctx.zone.add_txt(label, [record])
    return {
        "case": case,
        "present": record is not None,
        "valid": case == "valid",
        "cause": "syntax" if case == "invalid" else None,
        "name": ctx.zone.owner(label),
        "record": record,
    }


def loopback_address(index: int, host: int) -> str:
    """Return the address of host ``host`` of domain ``index``, inside 127.0.0.0/8.

    Every address record of the lab is a loopback address, so that a tool that connects to
    what it finds (SMTP STARTTLS, an MTA-STS policy, a BIMI logo) stays on this machine.
    """
    return f"127.{1 + host}.{(index >> 8) & 255}.{index & 255}"


def _address(index: int, host: int) -> str:
    """Return a private-range IPv4 address for domain ``index`` and ``host`` (cycles at 16384)."""
    value = (index * 4 + host) % (1 << 16)
    return f"10.{100 + host}.{value >> 8}.{value & 255}"
