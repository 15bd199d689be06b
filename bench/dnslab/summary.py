"""Expected statistics of a lab: what a scan of every domain should count, from the manifest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

__all__ = ["summarize"]

_SIMPLE = ("mta_sts", "tls_rpt", "bimi")


def summarize(manifest: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Return the counts a scan of the lab should report, as JSON-ready nested dicts.

    Keys: ``domains``; ``profile``; per protocol ``present`` / ``valid`` counts, ``cause``
    counts (only for records with a problem) and ``case`` counts; SPF ``all`` qualifiers;
    DMARC ``policy`` (valid records), ``rua``, ``rua_external`` and ``external_authorized``;
    DKIM ``domains_with_keys`` and ``keys`` by ``type-bits`` (valid keys) and ``cause``;
    MX ``null``.
    """
    entries = list(manifest)
    out: dict[str, Any] = {
        "domains": len(entries),
        "profile": _count(e["profile"] for e in entries),
    }
    for key in ("spf", "dmarc", "mx", *_SIMPLE):
        items = [e[key] for e in entries]
        out[key] = {
            "present": sum(bool(i["present"]) for i in items),
            "valid": sum(bool(i["valid"]) for i in items),
            "cause": _count(i["cause"] for i in items if i["cause"]),
            "case": _count(i["case"] for i in items),
        }
    spf = [e["spf"] for e in entries]
    out["spf"]["all"] = _count(s["all"] for s in spf if s["all"])
    dmarc = [e["dmarc"] for e in entries]
    out["dmarc"]["policy"] = _count(d["policy"] for d in dmarc if d["valid"])
    out["dmarc"]["rua"] = sum(bool(d["rua"]) for d in dmarc)
    out["dmarc"]["ruf"] = sum(bool(d["ruf"]) for d in dmarc)
    out["dmarc"]["rua_external"] = sum(bool(d["rua_external"]) for d in dmarc)
    out["dmarc"]["external_authorized"] = _count(
        str(d["external_authorized"]).lower() for d in dmarc if d["rua_external"]
    )
    out["mx"]["null"] = sum(bool(e["mx"]["null"]) for e in entries)
    keys = [k for e in entries for k in e["dkim"]["selectors"]]
    out["dkim"] = {
        "domains_with_keys": sum(bool(e["dkim"]["selectors"]) for e in entries),
        "keys": _count(f"{k['key_type']}-{k['bits']}" for k in keys if k["valid"]),
        "testing": sum(bool(k["testing"]) for k in keys),
        "cause": _count(k["cause"] for k in keys if k["cause"]),
        "case": _count(e["dkim"]["case"] for e in entries),
    }
    return out


def _count(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))
