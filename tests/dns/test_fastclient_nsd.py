"""FastResolver against a real NSD on loopback: every answer equals DnsResolver's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mailwarden.dns import DnsResolver, Status
from mailwarden.dns.fastclient import FastResolver

pytestmark = pytest.mark.integration

ZONE = """$ORIGIN lab.test.
$TTL 600
@        IN SOA ns1 hostmaster 7 7200 3600 1209600 120
@        IN NS  ns1
ns1      IN A   127.0.0.1
@        IN TXT "v=spf1 " "ip4:192.0.2.0/24 -all"
@        IN MX  10 mx1
@        IN MX  20 MX2.lab.test.
@        IN CAA 0 issue "ca.example"
@        IN AAAA 2001:db8::25
mx1      IN A   192.0.2.25
mx1      IN AAAA ::ffff:192.0.2.25
www      IN CNAME alias
alias    IN CNAME lab.test.
out      IN CNAME elsewhere.example.
_dmarc   IN TXT "v=DMARC1; p=reject; rua=mailto:d@lab.test"
_25._tcp.mx1 IN TLSA 3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6
child    IN DS 12345 13 2 2bb183af5f22588179a53b0a98631fad1a292118a2c6e4b2bd85e7a37e42a3c1
_sip._udp IN SRV 10 60 5060 sip.lab.test.
*.wild   IN TXT "wildcard"
null     IN MX  0 .
"""
ZONE += "".join(f'big IN TXT "{chr(97 + i) * 200}"\n' for i in range(10))

QUESTIONS = [
    ("lab.test", "TXT"),
    ("lab.test", "MX"),
    ("lab.test", "CAA"),
    ("lab.test", "AAAA"),
    ("lab.test", "SOA"),
    ("lab.test", "NS"),
    ("mx1.lab.test", "AAAA"),
    ("WWW.lab.test.", "TXT"),
    ("www.lab.test", "CNAME"),
    ("out.lab.test", "A"),
    ("_dmarc.lab.test", "TXT"),
    ("_25._tcp.mx1.lab.test", "TLSA"),
    ("child.lab.test", "DS"),
    ("_sip._udp.lab.test", "SRV"),
    ("x.wild.lab.test", "TXT"),
    ("null.lab.test", "MX"),
    ("big.lab.test", "TXT"),
    ("nothing.lab.test", "TXT"),
    ("mx1.lab.test", "TXT"),
    ("elsewhere.example", "A"),
]


@pytest.fixture(scope="module")
def lab(nsd: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> str:
    """NSD serving the lab zone on a free loopback port; its ``host:port``."""
    work = tmp_path_factory.mktemp("fastdns-nsd")
    zone = work / "lab.test.zone"
    zone.write_text(ZONE)
    return str(nsd({"lab.test": zone}, work / "nsd").nameserver)


async def test_every_answer_equals_dns_resolver(lab: str) -> None:
    """For every question type a survey asks, FastResolver answers as DnsResolver does."""
    fast = FastResolver([lab], timeout=2)
    slow = DnsResolver([lab], timeout=2)
    for name, rdtype in QUESTIONS:
        got, expected = await fast.resolve(name, rdtype), await slow.resolve(name, rdtype)
        assert got == expected, (name, rdtype)
    fast.close()


async def test_statuses_and_tcp_fallback(lab: str) -> None:
    """NXDOMAIN, NODATA, REFUSED outside the zone, and the 2 KB TXT set over TCP."""
    fast = FastResolver([lab], timeout=2)
    assert (await fast.resolve("nothing.lab.test", "TXT")).status is Status.NXDOMAIN
    assert (await fast.resolve("mx1.lab.test", "TXT")).status is Status.NODATA
    assert (await fast.resolve("elsewhere.example", "A")).status is Status.SERVFAIL
    sent = fast.queries_sent
    big = await fast.resolve("big.lab.test", "TXT")
    assert len(big.records) == 10
    assert fast.queries_sent == sent + 2  # UDP answer truncated, then TCP
    fast.close()


async def test_batches_equal_resolve(lab: str) -> None:
    """resolve_many over every question of each type answers as resolve does, TCP included."""
    fast = FastResolver([lab], timeout=2)
    for rdtype in dict.fromkeys(rdtype for _, rdtype in QUESTIONS):
        names = [name for name, asked in QUESTIONS if asked == rdtype]
        expected = [await fast.resolve(name, rdtype) for name in names]
        assert await fast.resolve_many(names, rdtype) == expected, rdtype
    fast.close()
