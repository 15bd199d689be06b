"""The DNS lab: seeded synthetic mail-security domains, a ground-truth manifest, NSD on loopback.

Importable from the repository root (tests do)::

    from bench.dnslab import NsdServer, generate

    lab = generate(tmp_path / "lab", domains=200, seed=7)
    with NsdServer(lab.zones(), tmp_path / "nsd") as server:
        ...  # DnsResolver([server.nameserver]) answers every lab domain

The command line is ``python3 bench/dnslab/dnslab.py --help``; README.md documents the
manifest schema.
"""

from bench.dnslab.generate import SCHEMA_VERSION, Lab, domain_name, generate, load_lab
from bench.dnslab.nsd import (
    NsdError,
    NsdServer,
    NsdZoneError,
    free_port,
    ipv6_loopback_available,
    nsd_binary,
    zones_from_files,
)
from bench.dnslab.summary import summarize

__all__ = [
    "SCHEMA_VERSION",
    "Lab",
    "NsdError",
    "NsdServer",
    "NsdZoneError",
    "domain_name",
    "free_port",
    "generate",
    "ipv6_loopback_available",
    "load_lab",
    "nsd_binary",
    "summarize",
    "zones_from_files",
]
