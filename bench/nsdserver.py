"""Start NSD on 127.0.0.1 on a free port, serving zones given as text, in a temporary directory.

Used by ``bench/dns_client.py`` and by the integration tests of the fast resolver::

    with NsdServer({"example.": zone_text}) as server:
        print(server.address)  # "127.0.0.1:PORT"
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import dns.exception
import dns.message
import dns.query

NSD_PATHS = ("/usr/sbin/nsd", "/usr/local/sbin/nsd")


def nsd_binary() -> str | None:
    """Return the path of the nsd binary, or None when it is not installed."""
    found = shutil.which("nsd")
    if found:
        return found
    return next((p for p in NSD_PATHS if Path(p).is_file()), None)


def free_port() -> int:
    """Return a loopback port free for both UDP and TCP at the time of the call."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free loopback port")


class NsdServer:
    """An NSD process serving ``zones`` (origin -> zone text) until ``stop``."""

    def __init__(self, zones: dict[str, str], *, server_count: int = 1) -> None:
        binary = nsd_binary()
        if binary is None:
            raise FileNotFoundError("nsd not installed")
        self.binary = binary
        self.zones = zones
        self.server_count = server_count
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def address(self) -> str:
        """Return ``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        """Write the configuration, start NSD and return once it answers; raise if it fails."""
        self._tmp = tempfile.TemporaryDirectory(prefix="nsd-")
        work = Path(self._tmp.name)
        self.port = free_port()
        zone_lines = []
        for index, (origin, text) in enumerate(self.zones.items()):
            (work / f"z{index}.zone").write_text(text)
            zone_lines.append(f"zone:\n  name: {origin}\n  zonefile: {work}/z{index}.zone\n")
        config = work / "nsd.conf"
        config.write_text(
            "server:\n"
            f"  ip-address: 127.0.0.1@{self.port}\n"
            f"  port: {self.port}\n"
            '  username: ""\n'
            '  chroot: ""\n'
            f"  zonesdir: {work}\n"
            f"  pidfile: {work}/nsd.pid\n"
            f"  xfrdfile: {work}/xfrd.state\n"
            f"  zonelistfile: {work}/zone.list\n"
            f"  logfile: {work}/nsd.log\n"
            f"  server-count: {self.server_count}\n"
            "  verbosity: 0\n"
            "  hide-version: yes\n"
            "  minimal-responses: yes\n"
            "  rrl-ratelimit: 0\n"
            "  rrl-whitelist-ratelimit: 0\n"
            "remote-control:\n"
            "  control-enable: no\n" + "".join(zone_lines)
        )
        self.process = subprocess.Popen(
            [self.binary, "-d", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_ready(next(iter(self.zones)), timeout, work)

    def _wait_ready(self, origin: str, timeout: float, work: Path) -> None:
        assert self.process is not None
        query = dns.message.make_query(origin, "SOA")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                log = (work / "nsd.log").read_text() if (work / "nsd.log").exists() else ""
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"nsd exited: {err} {log}".strip())
            try:
                dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.2)
                return
            except (OSError, dns.exception.Timeout):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nsd did not answer within {timeout:g}s")

    def stop(self) -> None:
        """Stop NSD and remove its directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> NsdServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
