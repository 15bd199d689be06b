"""Statistics over scan results: the table a researcher publishes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["SPF_INVALID_CAUSES", "compute_stats"]

# Which finding codes mean which cause of an invalid SPF record.
SPF_INVALID_CAUSES: Mapping[str, tuple[str, ...]] = {
    "syntax": ("spf.syntax-error",),
    "too_many_lookups": ("spf.too-many-lookups",),
    "void_lookups": ("spf.too-many-void-lookups",),
    "several_records": ("spf.multiple-records",),
    "include_loop": ("spf.include-loop",),
}


def compute_stats(results: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Return counts over ``check --json`` objects, with a ``percent`` twin for each group.

    Keys: ``domains``, ``errors`` (by error class), ``mx``, ``spf``, ``dmarc``, ``dkim``,
    ``mta_sts``, ``tls_rpt``, ``bimi``, ``dnssec``. Percentages are of all domains scanned.
    """
    tally = _Tally()
    for result in results:
        tally.add(result)
    return tally.summary()


class _Tally:
    def __init__(self) -> None:
        self.domains = 0
        self.counts: dict[str, Counter[str]] = {
            area: Counter()
            for area in (
                "errors",
                "mx",
                "spf",
                "dmarc",
                "dkim",
                "mta_sts",
                "tls_rpt",
                "bimi",
                "dnssec",
            )
        }
        self.spf_all: Counter[str] = Counter()
        self.spf_causes: Counter[str] = Counter()
        self.dmarc_policy: Counter[str] = Counter()
        self.dkim_selectors: Counter[str] = Counter()
        self.dkim_key_types: Counter[str] = Counter()
        self.dkim_key_sizes: Counter[str] = Counter()

    def add(self, result: Mapping[str, Any]) -> None:
        self.domains += 1
        if result.get("error_class"):
            self.counts["errors"][str(result["error_class"])] += 1
            return
        codes = {f.get("code", "") for f in result.get("findings") or []}
        self._mx(result.get("mx"))
        self._spf(result.get("spf"), codes)
        self._dmarc(result.get("dmarc"), codes)
        self._dkim(result.get("dkim"))
        for area in ("mta_sts", "tls_rpt", "bimi"):
            self._simple(area, result.get(area))
        self._dnssec(result.get("dnssec"))

    def _mx(self, mx: Mapping[str, Any] | None) -> None:
        if mx is None:
            return
        counts = self.counts["mx"]
        counts["checked"] += 1
        counts["present"] += bool(mx.get("hosts"))
        counts["null_mx"] += bool(mx.get("null_mx"))
        counts["absent"] += not mx.get("hosts") and not mx.get("null_mx")

    def _spf(self, spf: Mapping[str, Any] | None, codes: set[str]) -> None:
        if spf is None:
            return
        counts = self.counts["spf"]
        counts["checked"] += 1
        if spf.get("record") is None and "spf.multiple-records" not in codes:
            counts["absent"] += 1
            return
        counts["present"] += 1
        if spf.get("all"):
            self.spf_all[str(spf["all"])] += 1
        if spf.get("valid"):
            counts["valid"] += 1
            return
        counts["invalid"] += 1
        causes = [c for c, wanted in SPF_INVALID_CAUSES.items() if codes.intersection(wanted)]
        for cause in causes or ["other"]:
            self.spf_causes[cause] += 1

    def _dmarc(self, dmarc: Mapping[str, Any] | None, codes: set[str]) -> None:
        if dmarc is None:
            return
        counts = self.counts["dmarc"]
        counts["checked"] += 1
        if dmarc.get("record") is None and "dmarc.multiple-records" not in codes:
            counts["absent"] += 1
            return
        counts["present"] += 1
        if not dmarc.get("valid"):
            counts["invalid"] += 1
            return
        counts["valid"] += 1
        self.dmarc_policy[str(dmarc.get("policy") or "none")] += 1
        counts["with_rua"] += bool(dmarc.get("rua"))
        counts["with_ruf"] += bool(dmarc.get("ruf"))
        authorized = dmarc.get("external_rua_authorized")
        if authorized is True:
            counts["external_rua_authorized"] += 1
        elif authorized is False:
            counts["external_rua_unauthorized"] += 1

    def _dkim(self, dkim: Mapping[str, Any] | None) -> None:
        if dkim is None:
            return
        counts = self.counts["dkim"]
        counts["checked"] += 1
        keys = dkim.get("selectors") or []
        counts["found"] += bool(keys)
        counts["valid"] += any(k.get("valid") for k in keys)
        for key in keys:
            self.dkim_selectors[str(key.get("selector"))] += 1
            if not key.get("valid"):
                counts["invalid_keys"] += 1
                continue
            self.dkim_key_types[str(key.get("key_type") or "unknown")] += 1
            bits = key.get("key_bits")
            self.dkim_key_sizes[f"{key.get('key_type') or 'unknown'}-{bits or '?'}"] += 1

    def _simple(self, area: str, value: Mapping[str, Any] | None) -> None:
        if value is None:
            return
        counts = self.counts[area]
        counts["checked"] += 1
        counts["present"] += value.get("record") is not None
        counts["valid"] += bool(value.get("valid"))

    def _dnssec(self, value: Mapping[str, Any] | None) -> None:
        if value is None:
            return
        counts = self.counts["dnssec"]
        counts["checked"] += 1
        counts["signed"] += value.get("signed") is True
        counts["authenticated"] += value.get("authenticated") is True

    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = {"domains": self.domains}
        for area, counts in self.counts.items():
            data[area] = dict(sorted(counts.items()))
        data["spf"].update(
            {k: 0 for k in ("present", "valid", "invalid", "absent") if k not in data["spf"]}
        )
        data["spf"]["invalid_causes"] = dict(self.spf_causes.most_common())
        data["spf"]["all"] = dict(self.spf_all.most_common())
        data["dmarc"].update(
            {k: 0 for k in ("present", "valid", "invalid", "absent") if k not in data["dmarc"]}
        )
        data["dmarc"]["policy"] = {
            p: self.dmarc_policy.get(p, 0) for p in ("none", "quarantine", "reject")
        }
        data["dkim"].setdefault("found", 0)
        data["dkim"]["selectors"] = dict(self.dkim_selectors.most_common())
        data["dkim"]["key_types"] = dict(self.dkim_key_types.most_common())
        data["dkim"]["key_sizes"] = dict(self.dkim_key_sizes.most_common())
        data["mx"].setdefault("present", 0)
        data["percent"] = _percentages(data, self.domains)
        return data


def _percentages(data: Mapping[str, Any], total: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("domains", "percent"):
            continue
        if isinstance(value, Mapping):
            out[key] = _percentages(value, total)
        elif isinstance(value, int):
            out[key] = round(100.0 * value / total, 2) if total else 0.0
    return out
