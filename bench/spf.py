#!/usr/bin/env python3
"""Benchmark mailwarden's SPF ``check_host`` against pyspf on the same in-memory zones.

Three cases: a one-address record, a record three include levels deep, and a macro-heavy
record. The zones and the list of checks are generated once and written to a JSON file;
each tool then runs in its own process (pyspf from its own virtual environment under
bench/.venvs/pyspf, with its DNS lookup function replaced by a dictionary over the same
zones), alternating, for several rounds. Both tools see every answer precomputed, so the
timing is of SPF evaluation, not of DNS. The results of both are compared on the first
pass; medians of checks per second and their ratio are printed. Rates are per CPU second
of the worker process, so that other jobs on a shared machine do not skew one tool's
rounds more than the other's; the wall-clock ratio is printed beside them.

    python3 bench/spf.py [--rounds 5] [--seconds 1.0] [--checks 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PEER_VENV = HERE / ".venvs" / "pyspf"
PEER_PACKAGES = ["pyspf==2.0.14", "dnspython"]
HELO = "mail.bench.test"


# -- input -------------------------------------------------------------------------------


def one_address_case(count: int) -> dict[str, Any]:
    """A record with one ip4 term; half the clients match."""
    zones = {"one.bench.test": {"TXT": "v=spf1 ip4:192.0.2.10 -all"}}
    checks = [
        ["192.0.2.10" if n % 2 == 0 else f"198.51.100.{n % 250}", f"user{n}@one.bench.test"]
        for n in range(count)
    ]
    return {"zones": zones, "checks": checks}


def include_case(count: int) -> dict[str, Any]:
    """A record whose passing clients are found three include levels down."""
    zones = {
        "inc.bench.test": {"TXT": "v=spf1 include:l1.bench.test -all"},
        "l1.bench.test": {"TXT": "v=spf1 ip4:203.0.113.0/28 include:l2.bench.test ~all"},
        "l2.bench.test": {"TXT": "v=spf1 ip4:203.0.113.64/28 include:l3.bench.test ~all"},
        "l3.bench.test": {"TXT": "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8::/32 -all"},
    }
    checks = [
        [f"198.51.100.{n % 250}" if n % 2 == 0 else f"192.0.2.{n % 250}", f"u{n}@inc.bench.test"]
        for n in range(count)
    ]
    return {"zones": zones, "checks": checks}


def macro_case(count: int) -> dict[str, Any]:
    """A record of macro-built exists / include targets (per-client and per-user names)."""
    record = (
        "v=spf1 exists:%{ir}.%{l1r-}._deny.%{d} include:%{d2}._inc.%{d2} "
        "exists:%{i}._allow.%{d} -all"
    )
    zones: dict[str, Any] = {
        "macro.bench.test": {"TXT": record},
        "bench.test._inc.bench.test": {"TXT": "v=spf1 exists:%{l}.%{o}._users.%{d2} -all"},
    }
    for n in range(0, 250, 2):
        zones[f"192.0.2.{n}._allow.macro.bench.test"] = {"A": "127.0.0.2"}
    checks = [[f"192.0.2.{n % 250}", f"first-last{n}@macro.bench.test"] for n in range(count)]
    return {"zones": zones, "checks": checks}


CASES = {"one-address": one_address_case, "include": include_case, "macro": macro_case}


# -- workers (run in their own process) ----------------------------------------------------


Rates = tuple[float, float]


class Clock:
    """Wall and process CPU time since creation; rates per CPU second and per wall second."""

    def __init__(self) -> None:
        self.start_wall = time.perf_counter()
        self.start_cpu = time.process_time()

    def wall(self) -> float:
        """Return the wall seconds elapsed."""
        return time.perf_counter() - self.start_wall

    def rates(self, done: int) -> Rates:
        """Return (checks per CPU second, checks per wall second)."""
        cpu = time.process_time() - self.start_cpu
        return done / max(cpu, 1e-9), done / self.wall()


def run_mailwarden(case: dict[str, Any], seconds: float) -> tuple[Rates, list[str]]:
    """Return (checks per second, first-pass results) for mailwarden."""
    import asyncio

    from mailwarden.dns import Answer
    from mailwarden.spf import check_mail_from
    from mailwarden.testing import ZoneResolver

    zone = ZoneResolver.from_dict(case["zones"])

    class Memory:
        """Every answer computed once from the zones, then served from a dictionary."""

        def __init__(self) -> None:
            self.answers: dict[tuple[str, str], Answer] = {}

        async def resolve(self, name: str, rdtype: str) -> Answer:
            key = (name.lower(), rdtype)
            answer = self.answers.get(key)
            if answer is None:
                answer = self.answers[key] = zone.lookup(name, rdtype)
            return answer

    resolver = Memory()
    checks = case["checks"]

    async def one_pass() -> list[str]:
        out = []
        for ip, sender in checks:
            result = await check_mail_from(ip, sender, HELO, resolver=resolver)
            out.append(result.result.value)
        return out

    async def timed() -> tuple[Rates, list[str]]:
        first = await one_pass()
        clock = Clock()
        done = 0
        while True:
            await one_pass()
            done += len(checks)
            if clock.wall() >= seconds:
                return clock.rates(done), first

    return asyncio.run(timed())


def run_pyspf(case: dict[str, Any], seconds: float) -> tuple[Rates, list[str]]:
    """Return (checks per second, first-pass results) for pyspf."""
    # this script is bench/spf.py: keep its folder off the path so "spf" is pyspf
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    import spf  # type: ignore[import-not-found]

    table: dict[tuple[str, str], list[Any]] = {}
    for name, types in case["zones"].items():
        for rdtype, value in types.items():
            key = (name.lower(), rdtype)
            if rdtype == "TXT":
                data: Any = (value.encode(),)
            elif rdtype == "MX":
                pref, host = value.split(" ", 1)
                data = (int(pref), host)
            else:
                data = value
            table.setdefault(key, []).append(((name, rdtype), data))

    def lookup(name: str, qtype: str, *args: Any, **kwargs: Any) -> list[Any]:
        return table.get((name.lower().rstrip("."), qtype), [])

    spf.DNSLookup = lookup
    checks = case["checks"]

    def one_pass() -> list[str]:
        return [spf.query(i=ip, s=sender, h=HELO).check()[0] for ip, sender in checks]

    first = one_pass()
    clock = Clock()
    done = 0
    while True:
        one_pass()
        done += len(checks)
        if clock.wall() >= seconds:
            return clock.rates(done), first


def worker(tool: str, data: Path, case_name: str, seconds: float) -> None:
    """Run one tool on one case and print ``{"rate": ..., "wall_rate": ..., "results": ...}``."""
    case = json.loads(data.read_text())[case_name]
    run = run_mailwarden if tool == "mailwarden" else run_pyspf
    (rate, wall_rate), results = run(case, seconds)
    print(json.dumps({"rate": rate, "wall_rate": wall_rate, "results": results}))


# -- driver --------------------------------------------------------------------------------


def ensure_peer() -> Path:
    """Return the peer's Python, creating its virtual environment with pip when missing."""
    python = PEER_VENV / "bin" / "python"
    probe = [str(python), "-c", "import spf, dns"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"installing {' '.join(PEER_PACKAGES)} into {PEER_VENV} ...", file=sys.stderr)
    venv.create(PEER_VENV, with_pip=True)
    pip = [str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES]
    subprocess.run(pip, check=True)
    return python


def measure(python: str, tool: str, data: Path, case: str, seconds: float) -> dict[str, Any]:
    """Run one worker process and return its JSON report."""
    command = [python, str(Path(__file__).resolve()), "--worker", tool, "--data", str(data)]
    command += ["--case", case, "--seconds", str(seconds)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{tool} worker failed on {case}:\n{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def main() -> None:
    """Parse options; run a worker, or the whole benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per case")
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("--checks", type=int, default=200, help="checks in each case's list")
    parser.add_argument("--case", choices=sorted(CASES), action="append", help="only these")
    parser.add_argument("--worker", choices=["mailwarden", "pyspf"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.data, args.case[0], args.seconds)
        return
    peer = str(ensure_peer())
    names = args.case or list(CASES)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "cases.json"
        data.write_text(json.dumps({name: CASES[name](args.checks) for name in names}))
        print(f"{args.checks} checks per pass, {args.rounds} rounds of {args.seconds:g} s each")
        print("checks per CPU second of each worker process (median); wall-clock ratio last")
        print(f"{'case':<12} {'mailwarden/s':>13} {'pyspf/s':>10} {'ratio':>7} {'wall ratio':>11}")
        for name in names:
            run_case(name, data, peer, args)


def run_case(name: str, data: Path, peer: str, args: argparse.Namespace) -> None:
    """Measure one case alternately and print its medians and ratio."""
    ours: list[float] = []
    theirs: list[float] = []
    walls: dict[str, list[float]] = {"mailwarden": [], "pyspf": []}
    for round_no in range(args.rounds):
        order = ["mailwarden", "pyspf"] if round_no % 2 == 0 else ["pyspf", "mailwarden"]
        for tool in order:
            python = sys.executable if tool == "mailwarden" else peer
            report = measure(python, tool, data, name, args.seconds)
            (ours if tool == "mailwarden" else theirs).append(report["rate"])
            walls[tool].append(report["wall_rate"])
            if round_no == 0:
                results = report["results"]
                if tool == order[0]:
                    expected = results
                elif results != expected:
                    diff = sum(1 for a, b in zip(results, expected, strict=True) if a != b)
                    print(f"  warning: {name}: results differ on {diff} checks", file=sys.stderr)
    mine, peer_rate = statistics.median(ours), statistics.median(theirs)
    wall = statistics.median(walls["mailwarden"]) / statistics.median(walls["pyspf"])
    print(f"{name:<12} {mine:>13,.0f} {peer_rate:>10,.0f} {mine / peer_rate:>6.2f}x {wall:>10.2f}x")


if __name__ == "__main__":
    main()
