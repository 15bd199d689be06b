"""SPF over real DNS: NSD on a loopback port serves the zone; split TXT strings and an answer
over 512 octets (truncated over UDP, retried over TCP) go through the real resolver."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode
import pytest
from click.testing import CliRunner

from mailwarden.cli import cli
from mailwarden.dns import DnsResolver
from mailwarden.spf import SpfResultCode, check_mail_from, lint_spf

pytestmark = pytest.mark.integration

BIG = "v=spf1 " + " ".join(f"ip4:198.51.100.{n}" for n in range(40)) + " -all"
BIG_STRINGS = " ".join(f'"{BIG[i : i + 200]}"' for i in range(0, len(BIG), 200))
ZONE = f"""$ORIGIN example.test.
$TTL 300
@        IN SOA ns.example.test. host.example.test. 1 7200 3600 1209600 300
@        IN NS  ns.example.test.
ns       IN A   127.0.0.1
@        IN TXT "v=spf1 ip4:192.0.2.0/24 " "include:_spf.example.test -all"
_spf     IN TXT "v=spf1 a:out.example.test ~all"
out      IN A   203.0.113.7
big      IN TXT {BIG_STRINGS}
big      IN TXT "{"x" * 250}" "{"y" * 250}"
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
        tcp.bind(("127.0.0.1", 0))
        port = int(tcp.getsockname()[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", port))
    return port


def _answering(port: int) -> bool:
    """Return True once the server answers the zone's SOA with NOERROR."""
    query = dns.message.make_query("example.test", "SOA")
    try:
        reply = dns.query.udp(query, "127.0.0.1", port=port, timeout=0.3)
    except (dns.exception.DNSException, OSError):
        return False
    return reply.rcode() == dns.rcode.NOERROR


@pytest.fixture(scope="module")
def nameserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """NSD serving example.test on 127.0.0.1 at a free port; yields ``127.0.0.1:PORT``."""
    binary = shutil.which("nsd") or ("/usr/sbin/nsd" if Path("/usr/sbin/nsd").exists() else None)
    if binary is None:
        pytest.skip("nsd not installed: apt-get install nsd")
    work = tmp_path_factory.mktemp("nsd")
    (work / "example.test.zone").write_text(ZONE)
    port = _free_port()
    (work / "nsd.conf").write_text(
        f'server:\n  ip-address: 127.0.0.1@{port}\n  port: {port}\n  zonesdir: "{work}"\n'
        f'  pidfile: "{work}/nsd.pid"\n  xfrdfile: "{work}/xfrd.state"\n'
        f'  zonelistfile: "{work}/zone.list"\n  database: ""\n  username: ""\n'
        f'  logfile: "{work}/nsd.log"\n  chroot: ""\n  server-count: 1\n'
        "remote-control:\n  control-enable: no\n"
        'zone:\n  name: example.test\n  zonefile: "example.test.zone"\n'
    )
    process = subprocess.Popen([binary, "-d", "-c", str(work / "nsd.conf")])
    try:
        deadline = time.monotonic() + 20
        while not _answering(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (work / "nsd.log").read_text() if (work / "nsd.log").exists() else ""
                pytest.fail(f"nsd did not start: {log[-500:]}")
            time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_check_over_real_dns(nameserver: str) -> None:
    """Split strings are joined and the include is followed over real DNS."""
    resolver = DnsResolver([nameserver], timeout=2)
    result = await check_mail_from("203.0.113.7", "a@example.test", "h", resolver=resolver)
    assert (result.result, result.mechanism) == (SpfResultCode.PASS, "include:_spf.example.test")


async def test_large_answer_over_tcp(nameserver: str) -> None:
    """A TXT answer over 512 octets is fetched (TCP after truncation) and evaluated."""
    resolver = DnsResolver([nameserver], timeout=2)
    result = await check_mail_from("198.51.100.39", "a@big.example.test", "h", resolver=resolver)
    assert result.result is SpfResultCode.PASS
    lint = await lint_spf("big.example.test", resolver=resolver)
    assert "spf.txt-too-large" in {f.code for f in lint.findings}


def test_cli_check_with_nameserver(nameserver: str) -> None:
    """mailwarden spf check --nameserver reads the policy tree from the server."""
    result = CliRunner().invoke(cli, ["spf", "check", "example.test", "-n", nameserver])
    assert result.exit_code == 0, result.output
    assert "include:_spf.example.test  [1 lookup]" in result.output
