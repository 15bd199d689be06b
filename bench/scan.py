"""Bulk scan: mailwarden scan against checkdmarc's bulk mode on one dnslab set served by NSD.

    python3 bench/scan.py [--domains 10000] [--peer-domains 300] [--seed 1] [--rounds 3]
                          [--big 100000]

Generates a dnslab set, serves it from NSD on loopback, then in one run:
- ``mailwarden scan`` with the checks checkdmarc makes (spf,dmarc,mx,mta_sts,tls_rpt,bimi);
- ``mailwarden scan`` with every check, the DKIM selector probe included;
- checkdmarc 6.0.4 (its own virtual environment, a loopback-only socket guard) on the first
  ``--peer-domains`` domains of the same set, one domain at a time as its bulk mode does;
and prints, for each, domains per second, DNS queries per second, CPU seconds and peak memory,
and the ratio on domains per second. ``--rounds N`` runs every tool N times, checkdmarc and
mailwarden alternating, and reports each row's median run and the ratio of each round (the
host's speed drifts by a third over minutes, so one round's ratio is noisy). ``--big N`` also
scans an N-domain set for peak memory.
Wall-clock figures include each process's start-up (imports, one to two seconds).
Each tool runs in its own process, started by a small launcher; CPU and peak memory come from
that process's rusage (with its worker processes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.dnslab import NsdServer, generate  # noqa: E402

PEER_VENV = REPO / "bench" / ".venvs" / "checkdmarc"
CHECKDMARC = "checkdmarc==6.0.4"
PEER_CHECKS = "spf,dmarc,mx,mta_sts,tls_rpt,bimi"


# Runs the command and writes its own CPU seconds and peak RSS to the file named first. The
# measured process is started by this small launcher, not by the benchmark: a process started
# by a large parent inherits the parent's peak RSS in its rusage (Linux counts the memory image
# replaced at exec), which made a 100,000-domain scan look like 800 MB.
LAUNCHER = """
import json, os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as handle:
    json.dump({"cpu": usage.ru_utime + usage.ru_stime, "peak_kb": usage.ru_maxrss}, handle)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(command: list[str], stdout: Any = subprocess.DEVNULL) -> dict[str, Any]:
    """Run ``command``; return wall and CPU seconds, peak RSS in MB and its stderr."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        started = time.perf_counter()
        process = subprocess.run(
            [sys.executable, "-c", LAUNCHER, report.name, *command],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
        )
        wall = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(
                f"{command[:4]} failed ({process.returncode}):\n{process.stderr[-2000:]}"
            )
        usage = json.loads(Path(report.name).read_text())
    return {
        "wall": wall,
        "cpu": usage["cpu"],
        "peak_mb": usage["peak_kb"] / 1024,
        "stderr": process.stderr,
    }


def mailwarden_scan(
    listing: Path, nameserver: str, checks: str | None, out: Path, workers: int = 1
) -> dict[str, Any]:
    """Scan ``listing`` with mailwarden; return the measurement and the counts it printed."""
    command = [sys.executable, "-m", "mailwarden.cli", "scan", str(listing), "--out", str(out),
               "--overwrite", "--nameserver", nameserver, "--concurrency", "100",
               "--timeout", "2", "--workers", str(workers)]  # fmt: skip
    if checks:
        command += ["--checks", checks]
    result = run_measured(command)
    lines = out.read_text().splitlines()
    summary = result["stderr"].strip().splitlines()[-1]
    queries = 0
    if " DNS queries" in summary:
        queries = int(summary.split(" DNS queries")[0].rsplit(" ", 1)[-1].replace(",", ""))
    errors = sum(1 for line in lines if json.loads(line)["error_class"])
    return {**result, "domains": len(lines), "queries": queries, "errors": errors}


def checkdmarc_python() -> Path:
    """Return checkdmarc's interpreter, installing it into its own venv on first use."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        venv.create(PEER_VENV, with_pip=True)
    if subprocess.run([python, "-c", "import checkdmarc"], capture_output=True).returncode:
        subprocess.run([python, "-m", "pip", "install", "-q", CHECKDMARC], check=True)
    return python


def checkdmarc_scan(listing: Path, nameserver: str, out: Path) -> dict[str, Any]:
    """Run checkdmarc's bulk check through the loopback-guarded runner."""
    runner = REPO / "bench" / "peers" / "checkdmarc_run.py"
    with out.open("w") as handle:
        result = run_measured(
            [str(checkdmarc_python()), str(runner), str(listing), nameserver], handle
        )
    lines = out.read_text().splitlines()
    tail = json.loads(lines[-1])
    return {**result, "domains": len(lines) - 1, "queries": int(tail["_queries"]), "errors": 0}


def describe(name: str, m: dict[str, Any]) -> str:
    """Return one table row for measurement ``m``."""
    rate = m["domains"] / m["wall"]
    qps = f"{m['queries'] / m['wall']:,.0f}" if m["queries"] else "n/a"
    per_domain = f"{m['queries'] / max(m['domains'], 1):.1f}" if m["queries"] else "n/a"
    return (
        f"| {name} | {m['domains']:,} | {m['wall']:.1f} | {rate:,.0f} | {qps} | {per_domain} | "
        f"{m['cpu']:.1f} | {m['cpu'] * 1000 / max(m['domains'], 1):.2f} | {m['peak_mb']:.0f} | "
        f"{m['errors']} |"
    )


ROW_NAMES = (
    "checkdmarc bulk, its checks",
    "mailwarden, checkdmarc's checks (same subset)",
    "mailwarden, checkdmarc's checks",
    "mailwarden, checkdmarc's checks, --workers 2",
    "mailwarden, all checks incl. DKIM probe",
    "mailwarden, all checks incl. DKIM probe, --workers 2",
)


def one_round(listing: Path, peer_listing: Path, ns: str, root: Path) -> dict[str, Any]:
    """Run every tool once on the served set; return the measurements by row name.

    checkdmarc runs first and mailwarden's two-worker scan with checkdmarc's checks right
    after it, so that the pair whose ratio is the target sees the same host speed.
    """
    got: dict[str, Any] = {}
    got[ROW_NAMES[0]] = checkdmarc_scan(peer_listing, ns, root / "peer.jsonl")
    got[ROW_NAMES[3]] = mailwarden_scan(listing, ns, PEER_CHECKS, root / "a2.jsonl", workers=2)
    got[ROW_NAMES[1]] = mailwarden_scan(peer_listing, ns, PEER_CHECKS, root / "s.jsonl")
    got[ROW_NAMES[2]] = mailwarden_scan(listing, ns, PEER_CHECKS, root / "a.jsonl")
    got[ROW_NAMES[5]] = mailwarden_scan(listing, ns, None, root / "b2.jsonl", workers=2)
    got[ROW_NAMES[4]] = mailwarden_scan(listing, ns, None, root / "b.jsonl")
    return got


def rate(m: dict[str, Any]) -> float:
    """Return the domains per second of measurement ``m``."""
    return float(m["domains"] / m["wall"])


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the run with the median domains per second (the lower middle one for an even
    count)."""
    return sorted(runs, key=rate)[(len(runs) - 1) // 2]


def main() -> None:
    """Generate, serve, scan with each tool (``--rounds`` times, alternating), print the table
    of median runs and the ratios of each round's pair."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=10_000)
    parser.add_argument("--peer-domains", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1, help="run every tool N times")
    parser.add_argument("--big", type=int, default=0, help="also scan an N-domain set for memory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mailwarden-scan-bench-") as folder:
        root = Path(folder)
        lab = generate(root / "lab", domains=args.domains, seed=args.seed)
        listing = root / "domains.txt"
        listing.write_text("\n".join(lab.domains()) + "\n")
        peer_listing = root / "peer.txt"
        peer_listing.write_text("\n".join(lab.domains()[: args.peer_domains]) + "\n")
        with NsdServer(lab.zones(), root / "nsd") as server:
            ns = server.nameserver
            print(f"{args.domains:,} domains served by NSD at {ns}; load {os.getloadavg()[0]:.1f}")
            rounds = [one_round(listing, peer_listing, ns, root) for _ in range(args.rounds)]
        rows = [(name, median_run([r[name] for r in rounds])) for name in ROW_NAMES]
        if args.big:
            big = generate(root / "big", domains=args.big, seed=args.seed)
            big_listing = root / "big.txt"
            big_listing.write_text("\n".join(big.domains()) + "\n")
            with NsdServer(big.zones(), root / "nsd-big", startup_timeout=300) as server:
                rows.append(
                    (
                        f"mailwarden, all checks, {args.big:,} domains",
                        mailwarden_scan(big_listing, server.nameserver, None, root / "c.jsonl"),
                    )
                )
    if args.rounds > 1:
        print(f"median run of {args.rounds} rounds for each row")
    print(
        "| tool | domains | seconds | domains/s | queries/s | queries/domain | CPU s "
        "| CPU ms/domain | peak MB | not checked |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, measurement in rows:
        print(describe(name, measurement))
    for name, _ in rows[1 : len(ROW_NAMES)]:
        ratios = sorted(rate(r[name]) / rate(r[ROW_NAMES[0]]) for r in rounds)
        middle = ratios[(len(ratios) - 1) // 2]
        spread = f" (rounds: {', '.join(f'{x:.1f}x' for x in ratios)})" if len(ratios) > 1 else ""
        print(f"{name}: {middle:.1f}x checkdmarc's domains per second{spread}")
    if args.big:
        big_name, big_run = rows[-1]
        print(
            f"{big_name}: {rate(big_run) / rate(rows[0][1]):.1f}x checkdmarc's domains per second"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
