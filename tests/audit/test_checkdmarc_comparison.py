"""Every SPF, DMARC and MX problem checkdmarc reports on a dnslab set, mailwarden reports too.

checkdmarc runs in its own virtual environment (it is a peer, never a dependency), behind a
loopback-only socket guard, against the same NSD as mailwarden. Its messages are mapped to our
finding codes here, in the test, not in the product.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import venv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.dnslab import NsdServer, generate

from mailwarden.audit.domain import AuditOptions, audit_domain
from mailwarden.dns import CachingResolver, DnsResolver

REPO = Path(__file__).resolve().parents[2]
RUNNER = REPO / "bench" / "peers" / "checkdmarc_run.py"
PEER_VENV = REPO / "bench" / ".venvs" / "checkdmarc"
CHECKDMARC = "checkdmarc==6.0.4"

# checkdmarc message pattern -> the mailwarden codes that report the same problem.
MAPPING: dict[str, list[tuple[str, set[str]]]] = {
    "spf": [
        (r"An SPF record does not exist", {"spf.no-record"}),
        (
            r"Expected mechanism|is not a valid SPF mechanism|is not a valid IPv\d value"
            r"|Multiple redirect modifiers",
            {"spf.syntax-error"},
        ),
        (r"Include loop", {"spf.include-loop"}),
        (r"maximum void DNS lookups", {"spf.too-many-void-lookups"}),
        (r"maximum DNS lookups", {"spf.too-many-lookups"}),
        (r"multiple SPF TXT records", {"spf.multiple-records"}),
        (r"bytes, over \d+", {"spf.txt-too-large"}),
        (r"recommends keeping answers under", {"spf.txt-too-large", "spf.txt-near-limit"}),
    ],
    "dmarc": [
        (r"failed to answer the query _dmarc\.|A DMARC record does not exist", {"dmarc.no-record"}),
        (r"Multiple DMARC policy records", {"dmarc.multiple-records"}),
        (r"Tag p must have one of", {"dmarc.invalid-value", "dmarc.no-policy"}),
        (r"Unrelated TXT records were discovered", {"dmarc.no-record", "dmarc.tag-syntax"}),
        (r"A p tag value of none", {"dmarc.policy-none"}),
        (r"An sp tag value of none", {"dmarc.subdomain-policy-none", "dmarc.policy-none"}),
        (r"Support for the pct tag was removed", {"dmarc.legacy-pct"}),
        (r"email address .* has no MX records", {"dmarc.report-destination-no-mx"}),
        (
            r"does not indicate that it accepts DMARC reports",
            {"dmarc.external-destination-unauthorized"},
        ),
        (r"rua tag .* not found", {"dmarc.no-rua"}),
    ],
    "mx": [
        (r"has a null MX record", {"mx.null"}),
        (r"has no MX records", {"mx.none"}),
        (r"does not have any reverse DNS", {"mx.no-reverse-dns"}),
        (r"which is a CNAME alias", {"mx.cname"}),
        (r"The domain \S+ does not exist", {"mx.host-unresolvable"}),
    ],
}


@pytest.fixture(scope="module")
def checkdmarc_python() -> Path:
    """checkdmarc's own interpreter, installed into bench/.venvs/checkdmarc on first use."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        venv.create(PEER_VENV, with_pip=True)
    probe = subprocess.run([python, "-c", "import checkdmarc"], capture_output=True)
    if probe.returncode != 0:
        install = subprocess.run(
            [python, "-m", "pip", "install", "-q", CHECKDMARC], capture_output=True, text=True
        )
        if install.returncode != 0:
            pytest.skip(
                f"cannot install {CHECKDMARC} from the package index: {install.stderr[-300:]}"
            )
    return python


@pytest.fixture(scope="module")
def lab_server(
    tmp_path_factory: pytest.TempPathFactory, nsd: Callable[..., NsdServer]
) -> Iterator[tuple[list[str], str]]:
    """A 250-domain lab served by NSD: the domain list and the nameserver."""
    root = tmp_path_factory.mktemp("lab")
    lab = generate(root / "lab", domains=250, seed=11)
    server = nsd(lab.zones(), root / "nsd")
    yield lab.domains(), server.nameserver
    server.stop()


def _checkdmarc_results(
    python: Path, domains: list[str], nameserver: str, tmp: Path
) -> dict[str, Any]:
    listing = tmp / "domains.txt"
    listing.write_text("\n".join(domains) + "\n")
    run = subprocess.run(
        [python, RUNNER, listing, nameserver], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-2000:]
    results = {}
    for line in run.stdout.splitlines():
        data = json.loads(line)
        if "domain" in data:
            results[data["domain"]] = data
    return results


def _messages(result: dict[str, Any], area: str) -> Iterator[str]:
    section = result.get(area) or {}
    if section.get("error"):
        yield str(section["error"])
    yield from (str(w) for w in section.get("warnings") or [])


async def _mailwarden_codes(domains: list[str], nameserver: str) -> dict[str, set[str]]:
    resolver = CachingResolver(DnsResolver([nameserver], timeout=2.0))
    options = AuditOptions(("spf", "dmarc", "mx"))
    audits = await asyncio.gather(
        *(audit_domain(d, resolver=resolver, options=options) for d in domains)
    )
    return {a.domain: {f.code for f in a.findings} for a in audits}


def test_everything_checkdmarc_reports_mailwarden_reports(
    checkdmarc_python: Path, lab_server: tuple[list[str], str], tmp_path: Path
) -> None:
    """For each domain, each checkdmarc SPF/DMARC/MX message maps to a code mailwarden gave."""
    domains, nameserver = lab_server
    theirs = _checkdmarc_results(checkdmarc_python, domains, nameserver, tmp_path)
    ours = asyncio.run(_mailwarden_codes(domains, nameserver))
    assert set(theirs) == set(domains)
    unmapped, missed, compared = [], [], 0
    for domain in domains:
        for area, rules in MAPPING.items():
            for message in _messages(theirs[domain], area):
                wanted = next(
                    (codes for pattern, codes in rules if re.search(pattern, message)), None
                )
                if wanted is None:
                    unmapped.append(f"{domain} {area}: {message}")
                    continue
                compared += 1
                if not wanted & ours[domain]:
                    found = sorted(ours[domain])
                    missed.append(
                        f"{domain} {area}: {message!r} -> none of {sorted(wanted)} in {found}"
                    )
    print(f"compared {compared} checkdmarc messages on {len(domains)} domains", file=sys.stderr)
    assert compared > 300
    assert not unmapped, "checkdmarc messages without a mapping:\n" + "\n".join(unmapped[:30])
    assert not missed, (
        f"{len(missed)} problems checkdmarc found and mailwarden did not:\n"
        + "\n".join(missed[:40])
    )
