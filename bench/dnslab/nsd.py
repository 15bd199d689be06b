"""Start NSD as the current user on a loopback port in a temporary directory, and stop it.

Used by the integration tests and by the lab's ``serve`` and ``load`` commands::

    with NsdServer({"example.test": path}, workdir) as server:
        resolver = DnsResolver([server.nameserver])
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType

import dns.exception
import dns.message
import dns.query
import dns.rcode

__all__ = [
    "NSD_BINARY",
    "NsdError",
    "NsdServer",
    "NsdZoneError",
    "free_port",
    "ipv6_loopback_available",
    "nsd_binary",
    "zones_from_files",
]

NSD_BINARY = "/usr/sbin/nsd"
_ORIGIN = re.compile(r"^\$ORIGIN\s+(\S+)", re.M | re.I)


class NsdError(RuntimeError):
    """NSD could not be started or did not answer in time; the message holds its log's end."""


class NsdZoneError(NsdError):
    """NSD started but could not load a zone file; the message holds its ``file:line`` errors."""


def nsd_binary() -> str | None:
    """Return the path of the ``nsd`` binary, or None when it is not installed."""
    if os.access(NSD_BINARY, os.X_OK):
        return NSD_BINARY
    return shutil.which("nsd")


def ipv6_loopback_available() -> bool:
    """Return True when a socket can be bound to ``::1``."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """Return a port on ``host`` that is free for both UDP and TCP right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(50):
        with socket.socket(family, socket.SOCK_STREAM) as tcp:
            tcp.bind((host, 0))
            port = int(tcp.getsockname()[1])
            try:
                with socket.socket(family, socket.SOCK_DGRAM) as udp:
                    udp.bind((host, port))
            except OSError:
                continue
            return port
    raise NsdError(f"no free port found on {host}")


def zones_from_files(paths: Iterable[str | Path]) -> dict[str, Path]:
    """Return ``{origin: path}`` for zone files with an ``$ORIGIN`` line (or named ORIGIN.zone)."""
    zones: dict[str, Path] = {}
    for raw in paths:
        path = Path(raw).resolve()
        with path.open(encoding="utf-8") as handle:
            match = _ORIGIN.search(handle.read(4096))
        origin = match.group(1) if match else path.name.removesuffix(".zone")
        zones[origin.rstrip(".").lower()] = path
    return zones


class NsdServer:
    """One NSD process serving ``zones`` (``{origin: zone file}``) on ``host``:``port``.

    ``port=0`` picks a free port. ``workdir`` receives ``nsd.conf``, the log and NSD's state
    files. ``start()`` returns once NSD answers a SOA query for ``probe`` (default: the first
    zone) and raises ``NsdError`` when it exits or does not answer within ``startup_timeout``.
    """

    def __init__(
        self,
        zones: Mapping[str, str | Path],
        workdir: str | Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        server_count: int = 1,
        startup_timeout: float = 60.0,
        probe: str | None = None,
        binary: str | None = None,
    ) -> None:
        if not zones:
            raise ValueError("NSD needs at least one zone")
        self.zones = {o.rstrip(".").lower(): Path(p).resolve() for o, p in zones.items()}
        self.workdir = Path(workdir).resolve()
        self.host = host
        self.port = port
        self.server_count = server_count
        self.startup_timeout = startup_timeout
        self.probe = probe or next(iter(self.zones))
        self.binary = binary or nsd_binary() or NSD_BINARY
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def nameserver(self) -> str:
        """The server as ``host:port`` (``[v6]:port``), the form ``--nameserver`` takes."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        """NSD's log file."""
        return self.workdir / "nsd.log"

    def log(self) -> str:
        """Return NSD's log so far (empty when there is none)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def cpu_seconds(self) -> float | None:
        """Return the CPU time (user + system) NSD and its descendant processes used so far.

        Read from ``/proc`` (Linux); None when NSD is not running or ``/proc`` is unreadable.
        """
        if self.process is None or self.process.poll() is not None:
            return None
        try:
            table = [_proc_stat(entry) for entry in Path("/proc").iterdir() if entry.name.isdigit()]
        except OSError:
            return None
        children: dict[int, list[int]] = {}
        ticks: dict[int, int] = {}
        for pid, ppid, used in filter(None, table):
            children.setdefault(ppid, []).append(pid)
            ticks[pid] = used
        total, todo = 0, [self.process.pid]
        while todo:
            pid = todo.pop()
            total += ticks.get(pid, 0)
            todo += children.get(pid, [])
        return total / os.sysconf("SC_CLK_TCK")

    def start(self) -> NsdServer:
        """Start NSD and wait until it answers; return self. Raises ``NsdError``."""
        if not os.access(self.binary, os.X_OK):
            raise NsdError(f"nsd not installed: {self.binary} not found")
        self.workdir.mkdir(parents=True, exist_ok=True)
        attempts = 3 if self.port == 0 else 1
        for attempt in range(attempts):
            port = self.port or free_port(self.host)
            try:
                self._launch(port)
                self.port = port
                return self
            except NsdZoneError:
                self.stop()
                raise
            except NsdError:
                self.stop()
                if attempt == attempts - 1:
                    raise
        return self  # unreachable

    def stop(self) -> None:
        """Stop NSD (SIGTERM, then SIGKILL after 10 s) and wait for it."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def __enter__(self) -> NsdServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def write_config(self, port: int) -> Path:
        """Write ``nsd.conf`` for ``port`` into the work directory and return its path."""
        work = self.workdir
        lines = [
            "server:",
            f"  ip-address: {self.host}@{port}",
            f"  port: {port}",
            f"  do-ip4: {'no' if ':' in self.host else 'yes'}",
            f"  do-ip6: {'yes' if ':' in self.host else 'no'}",
            '  username: ""',
            '  chroot: ""',
            f'  zonesdir: "{work}"',
            '  database: ""',
            f'  pidfile: "{work}/nsd.pid"',
            f'  xfrdfile: "{work}/xfrd.state"',
            f'  xfrdir: "{work}"',
            f'  zonelistfile: "{work}/zone.list"',
            f'  logfile: "{self.log_path}"',
            f'  cookie-secret-file: "{work}/cookiesecrets.txt"',
            f"  server-count: {self.server_count}",
            f"  reuseport: {'yes' if self.server_count > 1 else 'no'}",
            "  verbosity: 0",
            "  rrl-ratelimit: 0",
            "  rrl-whitelist-ratelimit: 0",
            "  zonefiles-check: no",
            "  zonefiles-write: 0",
            "  tcp-count: 200",
            "remote-control:",
            "  control-enable: no",
        ]
        for origin, path in self.zones.items():
            lines += ["zone:", f"  name: {origin}", f'  zonefile: "{path}"']
        config = work / "nsd.conf"
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return config

    def _launch(self, port: int) -> None:
        config = self.write_config(port)
        self.log_path.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [self.binary, "-d", "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.workdir,
        )
        atexit.register(self.stop)  # no NSD left behind if the caller forgets or fails
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NsdError(f"nsd exited with {self.process.returncode}:\n{self._tail()}")
            started, errors = self._log_state()
            if errors:
                raise NsdZoneError("nsd could not load every zone:\n" + "\n".join(errors))
            if started and self._answers(port):
                return
            time.sleep(0.1)
        raise NsdError(f"nsd did not answer within {self.startup_timeout:g}s:\n{self._tail()}")

    def _answers(self, port: int) -> bool:
        query = dns.message.make_query(self.probe, "SOA")
        try:
            response = dns.query.udp(query, self.host, timeout=0.2, port=port)
        except (OSError, dns.exception.DNSException):
            return False
        return response.rcode() == dns.rcode.NOERROR and bool(response.answer)

    def _log_state(self) -> tuple[bool, list[str]]:
        """Return whether NSD says it started, and the error lines it logged."""
        text = self.log()
        return "nsd started" in text, [line for line in text.splitlines() if ": error: " in line]

    def _tail(self, lines: int = 20) -> str:
        return "\n".join(self.log().splitlines()[-lines:])


def _proc_stat(proc: Path) -> tuple[int, int, int] | None:
    """Return ``(pid, ppid, utime + stime in ticks)`` of one ``/proc/PID``, None if it is gone."""
    try:
        stat = (proc / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(proc.name), int(fields[1]), int(fields[11]) + int(fields[12])
