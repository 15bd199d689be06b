"""DnsResolver against a real NSD on loopback: UDP, TCP after truncation, statuses, timeouts."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import pytest
from bench.dnslab import NsdServer, ipv6_loopback_available
from click.testing import CliRunner

from mailwarden.cli import cli
from mailwarden.dns import DnsResolver, MXRecord, Status, TXTRecord

pytestmark = pytest.mark.integration

ORIGIN = "integration.test"
BIG_STRINGS = [f"{n:02d}" + chr(ord("a") + n % 26) * 253 for n in range(12)]  # 12 x 255 octets
ZONE = f"""$ORIGIN {ORIGIN}.
$TTL 600
@        SOA ns1 hostmaster 1 7200 3600 1209600 120
@        NS  ns1
ns1      A   192.0.2.53
@        A   192.0.2.10
@        MX  10 mx1
@        MX  20 mx2
mx1      A   192.0.2.25
mx2      A   192.0.2.26
@        TXT "v=spf1 ip4:192.0.2.0/24 -all"
multi    TXT "v=spf1 " "ip4:198.51.100.0/24 " "-all"
alias    CNAME mx1
big      TXT {" ".join(f'"{s}"' for s in BIG_STRINGS[:6])}
big      TXT {" ".join(f'"{s}"' for s in BIG_STRINGS[6:])}
"""


@pytest.fixture(scope="module")
def zone_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated test zone on disk."""
    path = tmp_path_factory.mktemp("zone") / f"{ORIGIN}.zone"
    path.write_text(ZONE, encoding="ascii")
    return path


@pytest.fixture(scope="module")
def server(
    nsd: Callable[..., NsdServer], zone_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NsdServer]:
    """NSD serving the test zone on 127.0.0.1 on a free port."""
    started = nsd({ORIGIN: zone_file}, tmp_path_factory.mktemp("nsd4"))
    yield started
    started.stop()


@pytest.fixture
def resolver(server: NsdServer) -> DnsResolver:
    """A resolver asking only the test NSD."""
    return DnsResolver([server.nameserver], timeout=2, retries=1)


async def test_udp_answer(resolver: DnsResolver) -> None:
    """A small TXT answer comes back over UDP with its TTL."""
    answer = await resolver.resolve(ORIGIN, "TXT")
    assert answer.status is Status.NOERROR
    assert answer.texts() == ["v=spf1 ip4:192.0.2.0/24 -all"]
    assert answer.ttl == 600
    assert resolver.queries_sent == 1


async def test_mx_and_cname(resolver: DnsResolver) -> None:
    """MX records are typed and sorted; a CNAME is followed to its target's address."""
    mx = await resolver.resolve(ORIGIN, "MX")
    assert mx.mx() == [MXRecord(10, f"mx1.{ORIGIN}"), MXRecord(20, f"mx2.{ORIGIN}")]
    alias = await resolver.resolve(f"alias.{ORIGIN}", "A")
    assert alias.addresses() == ["192.0.2.25"]
    assert alias.canonical_name == f"mx1.{ORIGIN}"


async def test_truncated_answer_is_asked_again_over_tcp(
    resolver: DnsResolver, server: NsdServer
) -> None:
    """An RRset too big for UDP arrives truncated; the resolver gets it whole over TCP."""
    probe = dns.message.make_query(f"big.{ORIGIN}", "TXT", use_edns=0, payload=1232)
    udp = dns.query.udp(probe, server.host, port=server.port, timeout=2)
    assert udp.flags & dns.flags.TC  # the server really truncates this answer
    answer = await resolver.resolve(f"big.{ORIGIN}", "TXT")
    assert answer.status is Status.NOERROR
    strings = sorted(answer.txt_strings())
    assert strings == sorted(
        [tuple(s.encode() for s in BIG_STRINGS[:6]), tuple(s.encode() for s in BIG_STRINGS[6:])]
    )


async def test_nxdomain(resolver: DnsResolver) -> None:
    """A name that does not exist is NXDOMAIN with the SOA's negative TTL."""
    answer = await resolver.resolve(f"nope.{ORIGIN}", "TXT")
    assert answer.status is Status.NXDOMAIN
    assert answer.records == ()
    assert answer.ttl == 120


async def test_nodata(resolver: DnsResolver) -> None:
    """An existing name without the asked type is NODATA, not NXDOMAIN."""
    answer = await resolver.resolve(f"mx1.{ORIGIN}", "TXT")
    assert answer.status is Status.NODATA
    assert answer.is_void


async def test_multi_string_txt_keeps_strings(resolver: DnsResolver) -> None:
    """A TXT record of several character-strings keeps them apart; texts() joins them."""
    answer = await resolver.resolve(f"multi.{ORIGIN}", "TXT")
    assert answer.records == (TXTRecord((b"v=spf1 ", b"ip4:198.51.100.0/24 ", b"-all")),)
    assert answer.texts() == ["v=spf1 ip4:198.51.100.0/24 -all"]


async def test_outside_zone_is_servfail(resolver: DnsResolver) -> None:
    """NSD refuses names outside its zones; that is a SERVFAIL status naming the rcode."""
    answer = await resolver.resolve("example.invalid", "A")
    assert answer.status is Status.SERVFAIL
    assert "REFUSED" in answer.detail


async def test_refusing_server_passed_over_for_the_next(
    nsd: Callable[..., NsdServer], server: NsdServer, tmp_path: Path
) -> None:
    """A real NSD refusing a name outside its zone makes the resolver ask the next server."""
    other_zone = tmp_path / "other.test.zone"
    other_zone.write_text("$ORIGIN other.test.\n@ 300 SOA ns1 host 1 2 3 4 5\n@ 300 NS ns1\n")
    other = nsd({"other.test": other_zone}, tmp_path / "nsd-other")
    try:
        resolver = DnsResolver([other.nameserver, server.nameserver], timeout=2)
        answer = await resolver.resolve(f"multi.{ORIGIN}", "TXT")
    finally:
        other.stop()
    assert answer.status is Status.NOERROR
    assert answer.texts() == ["v=spf1 ip4:198.51.100.0/24 -all"]
    assert resolver.queries_sent == 2


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A UDP socket on loopback that receives queries and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


async def test_silent_server_times_out(silent_port: int) -> None:
    """A server that never answers gives TIMEOUT naming it, after every retry."""
    resolver = DnsResolver([f"127.0.0.1:{silent_port}"], timeout=0.2, retries=1)
    answer = await resolver.resolve(ORIGIN, "TXT")
    assert answer.status is Status.TIMEOUT
    assert f"127.0.0.1:{silent_port}" in answer.detail
    assert "timed out" in answer.detail
    assert resolver.queries_sent == 2


async def test_second_nameserver_answers_after_silent_one(
    silent_port: int, server: NsdServer
) -> None:
    """When the first nameserver is silent, the next one's answer is returned."""
    resolver = DnsResolver([f"127.0.0.1:{silent_port}", server.nameserver], timeout=0.2)
    answer = await resolver.resolve(ORIGIN, "TXT")
    assert answer.status is Status.NOERROR


async def test_closed_port_reported(server: NsdServer) -> None:
    """A port nothing listens on gives TIMEOUT whose detail names the server."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        closed = int(sock.getsockname()[1])
    resolver = DnsResolver([f"127.0.0.1:{closed}"], timeout=0.3, retries=0)
    answer = await resolver.resolve(ORIGIN, "TXT")
    assert answer.status is Status.TIMEOUT
    assert f"127.0.0.1:{closed}" in answer.detail


async def test_ipv6_loopback(
    nsd: Callable[..., NsdServer], zone_file: Path, tmp_path: Path
) -> None:
    """NSD on [::1] answers the resolver given an IPv6 nameserver with a port."""
    if not ipv6_loopback_available():
        pytest.skip("::1 is not configured on this machine")
    server6 = nsd({ORIGIN: zone_file}, tmp_path / "nsd6", host="::1")
    try:
        resolver = DnsResolver([server6.nameserver], timeout=2)
        answer = await resolver.resolve(f"multi.{ORIGIN}", "TXT")
    finally:
        server6.stop()
    assert server6.nameserver.startswith("[::1]:")
    assert answer.status is Status.NOERROR
    assert answer.texts() == ["v=spf1 ip4:198.51.100.0/24 -all"]


def test_cli_dns_query_against_nsd(server: NsdServer) -> None:
    """`mailwarden dns query NAME TXT --nameserver 127.0.0.1:PORT` shows NSD's answer."""
    runner = CliRunner()
    args = ["dns", "query", f"multi.{ORIGIN}", "TXT", "--nameserver", server.nameserver]
    result = runner.invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "NOERROR"
    assert data["records"][0]["strings"] == ["v=spf1 ", "ip4:198.51.100.0/24 ", "-all"]
    text = runner.invoke(cli, args)
    assert text.exit_code == 0
    assert '"v=spf1 " "ip4:198.51.100.0/24 " "-all"' in text.output


def test_cli_nxdomain_against_nsd(server: NsdServer) -> None:
    """NXDOMAIN from a real server is an answer: exit 0."""
    result = CliRunner().invoke(
        cli, ["--nameserver", server.nameserver, "dns", "query", f"nope.{ORIGIN}", "TXT"]
    )
    assert result.exit_code == 0
    assert "NXDOMAIN" in result.output


def test_cli_zone_with_live_overlays_nsd(server: NsdServer, tmp_path: Path) -> None:
    """--zone answers offline; with --live, names outside the zone come from the nameserver."""
    local = tmp_path / "db.example.com"
    local.write_text('$TTL 300\n@ IN SOA ns1 host 1 2 3 4 5\n@ IN TXT "v=spf1 -all"\n')
    name = f"multi.{ORIGIN}"
    base = ["--zone", str(local), "--nameserver", server.nameserver, "--json", "dns", "query"]
    offline = CliRunner().invoke(cli, [*base, name, "TXT"])
    assert json.loads(offline.output)["status"] == "NXDOMAIN"  # not in the zones: offline
    live = CliRunner().invoke(cli, [*base, name, "TXT", "--live"])
    assert live.exit_code == 0, live.output
    assert json.loads(live.output)["records"][0]["strings"][0] == "v=spf1 "
    inside = CliRunner().invoke(cli, [*base, "example.com", "TXT", "--live"])
    assert json.loads(inside.output)["records"][0]["strings"] == ["v=spf1 -all"]
