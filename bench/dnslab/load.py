"""A simple, bounded UDP load generator for a loopback nameserver (queries per second).

It keeps ``window`` queries in flight on one socket per client process, stops after ``count``
queries or ``seconds``, and counts answers by rcode. It measures the server only as far as the
client keeps up: with one Python client the client is usually the bottleneck.
"""

from __future__ import annotations

import multiprocessing
import random
import re
import select
import shutil
import socket
import struct
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import dns.message
import dns.rcode

__all__ = ["LoadResult", "blast", "dnsperf_binary", "lab_questions", "run_dnsperf", "run_load"]

LOOPBACK_V4 = "127."
MAX_DISTINCT = 50_000  # distinct queries built (45 us each); the load cycles through them


@dataclass
class LoadResult:
    """What one load run did: queries sent and answered, time taken, answers by rcode."""

    sent: int = 0
    answered: int = 0
    truncated: int = 0
    elapsed: float = 0.0
    rcodes: Counter[str] = field(default_factory=Counter)

    @property
    def qps(self) -> float:
        """Answers per second."""
        return self.answered / self.elapsed if self.elapsed else 0.0

    def merge(self, other: LoadResult) -> None:
        """Add ``other`` (run in parallel) to this result; elapsed is the longer one."""
        self.sent += other.sent
        self.answered += other.answered
        self.truncated += other.truncated
        self.elapsed = max(self.elapsed, other.elapsed)
        self.rcodes.update(other.rcodes)


def lab_questions(manifest: Sequence[dict[str, Any]], seed: int = 1) -> list[tuple[str, str]]:
    """Return the questions a scan asks about each lab domain, shuffled with ``seed``."""
    questions: list[tuple[str, str]] = []
    for entry in manifest:
        domain = entry["domain"]
        questions += [(domain, "TXT"), (f"_dmarc.{domain}", "TXT"), (domain, "MX")]
        questions += [(key["name"], "TXT") for key in entry["dkim"]["selectors"]]
        questions.append((f"_mta-sts.{domain}", "TXT"))
    random.Random(seed).shuffle(questions)
    return questions


def _check_loopback(host: str) -> None:
    if not (host.startswith(LOOPBACK_V4) or host == "::1"):
        raise ValueError(f"load is only sent to loopback addresses, not {host}")


def blast(
    host: str,
    port: int,
    questions: Sequence[tuple[str, str]],
    *,
    count: int,
    seconds: float,
    window: int = 64,
) -> LoadResult:
    """Send up to ``count`` queries (cycling through ``questions``) for at most ``seconds``.

    Raises ``ValueError`` for a host outside loopback or no questions.
    """
    _check_loopback(host)
    if not questions:
        raise ValueError("no questions to send")
    wires = [
        dns.message.make_query(name, rdtype, use_edns=0, payload=1232).to_wire()
        for name, rdtype in questions[: min(count, MAX_DISTINCT)]
    ]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    result = LoadResult()
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.connect((host, port))
        sock.setblocking(False)
        start = time.perf_counter()
        deadline = start + seconds
        in_flight = 0
        while result.sent < count and time.perf_counter() < deadline:
            while in_flight < window and result.sent < count:
                wire = wires[result.sent % len(wires)]
                sock.send(struct.pack("!H", result.sent & 0xFFFF) + wire[2:])
                result.sent += 1
                in_flight += 1
            got = _drain(sock, result, 0.5)
            # nothing came back within the wait: whatever is outstanding is lost
            in_flight = max(0, in_flight - got) if got else 0
        while in_flight > 0:
            got = _drain(sock, result, 0.5)
            in_flight = max(0, in_flight - got) if got else 0
        result.elapsed = time.perf_counter() - start
    return result


def _drain(sock: socket.socket, result: LoadResult, wait: float) -> int:
    """Read every answer waiting (after up to ``wait`` seconds for the first); return how many."""
    ready, _, _ = select.select([sock], [], [], wait)
    if not ready:
        return 0
    got = 0
    while True:
        try:
            data = sock.recv(65535)
        except (BlockingIOError, InterruptedError):
            return got
        except ConnectionRefusedError:
            return got
        got += 1
        result.answered += 1
        if len(data) >= 4:
            result.rcodes[dns.rcode.to_text(data[3] & 0x0F)] += 1
            result.truncated += bool(data[2] & 0x02)


def _blast_worker(args: tuple[str, int, list[tuple[str, str]], int, float, int]) -> LoadResult:
    host, port, questions, count, seconds, window = args
    return blast(host, port, questions, count=count, seconds=seconds, window=window)


def run_load(
    host: str,
    port: int,
    questions: Sequence[tuple[str, str]],
    *,
    count: int,
    seconds: float,
    window: int = 64,
    clients: int = 1,
) -> LoadResult:
    """Run ``clients`` blasting processes in parallel, splitting ``count``; return the sum."""
    if clients <= 1:
        return blast(host, port, questions, count=count, seconds=seconds, window=window)
    share = max(1, count // clients)
    jobs = [
        (host, port, list(questions[i::clients]), share, seconds, window) for i in range(clients)
    ]
    total = LoadResult()
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        for part in pool.map(_blast_worker, jobs):
            total.merge(part)
    return total


def dnsperf_binary() -> str | None:
    """Return the path of ``dnsperf`` (Debian package dnsperf), or None when not installed."""
    return shutil.which("dnsperf")


def run_dnsperf(
    host: str,
    port: int,
    questions: Sequence[tuple[str, str]],
    *,
    count: int,
    seconds: float,
    window: int = 100,
    clients: int = 1,
) -> LoadResult:
    """Run dnsperf against ``host``:``port`` through ``questions``; return what it reports.

    Stops after ``seconds`` or once ``count`` questions were sent. Raises ``ValueError`` for a
    host outside loopback and ``RuntimeError`` when dnsperf is missing or fails.
    """
    _check_loopback(host)
    if not questions:
        raise ValueError("no questions to send")
    binary = dnsperf_binary()
    if binary is None:
        raise RuntimeError("dnsperf not installed (Debian package dnsperf)")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="ascii") as data:
        lines = [f"{name} {rdtype}\n" for name, rdtype in questions[:count]]
        for start in range(0, count, len(lines)):  # exactly ``count`` lines, cycling
            data.write("".join(lines[: count - start]))
        data.flush()
        command = [binary, "-s", host, "-p", str(port), "-d", data.name, "-l", f"{seconds:g}"]
        command += ["-n", "1", "-c", str(clients), "-T", str(clients), "-q", str(window)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dnsperf failed: {done.stderr.strip() or done.stdout.strip()}")
    return _parse_dnsperf(done.stdout)


def _parse_dnsperf(text: str) -> LoadResult:
    def number(label: str) -> float:
        match = re.search(rf"{label}:\s+([\d.]+)", text)
        return float(match.group(1)) if match else 0.0

    result = LoadResult(
        sent=int(number("Queries sent")),
        answered=int(number("Queries completed")),
        elapsed=number(r"Run time \(s\)"),
    )
    codes = re.search(r"Response codes:\s+(.*)", text)
    for code, amount in re.findall(r"([A-Z]+) (\d+)", codes.group(1) if codes else ""):
        result.rcodes[code] = int(amount)
    return result
