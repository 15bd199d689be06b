"""Generate a lab: N seeded synthetic domains, one zone file each, provider zones, a manifest.

Layout of a lab directory::

    lab.json          seed, domain count, TLD, schema version, zone origins
    manifest.jsonl    one JSON object per domain: what it publishes and the expected verdicts
    zones/<origin>.zone  one RFC 1035 zone file per domain and per provider

Domain ``i`` depends only on the seed and ``i``: a lab of 200 domains is the first 200 of a lab
of 100,000 with the same seed.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.dnslab.cases import (
    PROFILES,
    DomainContext,
    bimi_case,
    dkim_case,
    dmarc_case,
    loopback_address,
    mta_sts_case,
    mx_case,
    spf_case,
    tls_rpt_case,
)
from bench.dnslab.providers import Providers
from bench.dnslab.zonefile import ZoneBuilder

__all__ = ["SCHEMA_VERSION", "Lab", "domain_name", "generate", "load_lab"]

SCHEMA_VERSION = 1
NOISE_TXT = (
    "google-site-verification=q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c",
    "MS=ms48151623",
    "facebook-domain-verification=4u8y2n5k9p3m7q1w6e0r",
    "apple-domain-verification=Ab3De6Gh9Jk2Mn5Pq8St",
)


@dataclass(frozen=True)
class Lab:
    """A generated lab on disk: its directory, its manifest and its zone origins."""

    root: Path
    seed: int
    tld: str
    manifest: list[dict[str, Any]]
    origins: list[str]

    @property
    def zones_dir(self) -> Path:
        """The directory holding ``<origin>.zone`` files."""
        return self.root / "zones"

    def zone_file(self, origin: str) -> Path:
        """Return the zone file of ``origin``."""
        return self.zones_dir / f"{origin}.zone"

    def zone_files(self) -> list[Path]:
        """Return every zone file (providers first), e.g. for ``ZoneResolver.from_zone_files``."""
        return [self.zone_file(origin) for origin in self.origins]

    def zones(self) -> dict[str, Path]:
        """Return ``{origin: zone file}`` for every zone, e.g. for ``NsdServer``."""
        return {origin: self.zone_file(origin) for origin in self.origins}

    def domains(self) -> list[str]:
        """Return the lab domains in manifest order."""
        return [entry["domain"] for entry in self.manifest]


def domain_name(index: int, tld: str = "test") -> str:
    """Return the name of lab domain ``index``: ``d000042.test``."""
    return f"d{index:06d}.{tld}"


def generate(out: str | Path, domains: int, seed: int = 1, tld: str = "test") -> Lab:
    """Write a lab of ``domains`` domains into ``out`` and return it (manifest in memory too).

    ``out`` is created if needed; existing lab files in it are overwritten. Raises
    ``ValueError`` for a negative count and ``OSError`` when files cannot be written.
    """
    if domains < 0:
        raise ValueError("the number of domains cannot be negative")
    root = Path(out)
    zones_dir = root / "zones"
    zones_dir.mkdir(parents=True, exist_ok=True)
    providers = Providers(tld)
    manifest: list[dict[str, Any]] = []
    origins: list[str] = []
    with (root / "manifest.jsonl").open("w", encoding="utf-8") as out_file:
        for zone, entry in _domains(domains, seed, providers):
            (zones_dir / f"{zone.origin}.zone").write_text(zone.text(), encoding="ascii")
            out_file.write(json.dumps(entry, separators=(",", ":")) + "\n")
            manifest.append(entry)
            origins.append(zone.origin)
    for origin, zone in providers.zones.items():
        (zones_dir / f"{origin}.zone").write_text(zone.text(), encoding="ascii")
    all_origins = [*providers.zones, *origins]
    meta = {
        "schema": SCHEMA_VERSION,
        "seed": seed,
        "domains": domains,
        "tld": tld,
        "providers": list(providers.zones),
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (root / "lab.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return Lab(root, seed, tld, manifest, all_origins)


def load_lab(root: str | Path) -> Lab:
    """Return the lab generated earlier into ``root``.

    Raises ``FileNotFoundError`` when ``root`` holds no lab and ``ValueError`` for a lab of
    another schema version.
    """
    path = Path(root)
    meta = json.loads((path / "lab.json").read_text(encoding="utf-8"))
    if meta.get("schema") != SCHEMA_VERSION:
        raise ValueError(f"{path}: lab schema {meta.get('schema')}, expected {SCHEMA_VERSION}")
    with (path / "manifest.jsonl").open(encoding="utf-8") as handle:
        manifest = [json.loads(line) for line in handle if line.strip()]
    origins = [*meta["providers"], *(entry["zone"] for entry in manifest)]
    return Lab(path, int(meta["seed"]), str(meta["tld"]), manifest, origins)


def _domains(
    count: int, seed: int, providers: Providers
) -> Iterator[tuple[ZoneBuilder, dict[str, Any]]]:
    for index in range(count):
        yield _domain(index, seed, providers)


def _domain(index: int, seed: int, providers: Providers) -> tuple[ZoneBuilder, dict[str, Any]]:
    """Return the zone and manifest entry of domain ``index``."""
    rng = random.Random(f"dnslab-{seed}-{index}")
    domain = domain_name(index, providers.tld)
    profile = rng.choices([p for p, _ in PROFILES], [w for _, w in PROFILES])[0]
    zone = ZoneBuilder(domain, nameserver=providers.nameserver)
    zone.add("@", "A", loopback_address(index, 0))
    ctx = DomainContext(domain, index, profile, rng, zone, providers, seed)
    if rng.random() < 0.3:
        zone.add_txt("@", [rng.choice(NOISE_TXT)])
    entry: dict[str, Any] = {"domain": domain, "index": index, "profile": profile, "zone": domain}
    entry["mx"] = mx_case(ctx)
    entry["spf"] = spf_case(ctx)
    entry["dmarc"] = dmarc_case(ctx)
    entry["dkim"] = dkim_case(ctx)
    entry["mta_sts"] = mta_sts_case(ctx)
    entry["tls_rpt"] = tls_rpt_case(ctx)
    entry["bimi"] = bimi_case(ctx)
    entry["txt"] = zone.txt
    return zone, entry
