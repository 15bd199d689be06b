#!/usr/bin/env python3
"""The DNS lab's command line: generate, check, serve, load, stats.

    python3 bench/dnslab/dnslab.py generate --domains 1000 --seed 1 --out /tmp/lab
    python3 bench/dnslab/dnslab.py check /tmp/lab
    python3 bench/dnslab/dnslab.py serve /tmp/lab --port 5353
    python3 bench/dnslab/dnslab.py load /tmp/lab --queries 200000 --seconds 20
    python3 bench/dnslab/dnslab.py stats /tmp/lab

All traffic stays on loopback.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``bench.dnslab`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.dnslab.generate import Lab, generate, load_lab
from bench.dnslab.load import LoadResult, dnsperf_binary, lab_questions, run_dnsperf, run_load
from bench.dnslab.nsd import NsdError, NsdServer
from bench.dnslab.summary import summarize

CHECKZONE = "/usr/sbin/nsd-checkzone"


def cmd_generate(args: argparse.Namespace) -> int:
    """Generate a lab and say how long it took."""
    start = time.perf_counter()
    lab = generate(args.out, args.domains, seed=args.seed, tld=args.tld)
    elapsed = time.perf_counter() - start
    print(
        f"generated {len(lab.manifest)} domains ({len(lab.origins)} zones) "
        f"into {lab.root} in {elapsed:.2f}s"
    )
    return 0


def _checkzone(lab: Lab, origin: str) -> str | None:
    result = subprocess.run(
        [CHECKZONE, origin, str(lab.zone_file(origin))],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if result.returncode == 0 else (result.stderr or result.stdout).strip()


def cmd_check(args: argparse.Namespace) -> int:
    """Validate zone files with nsd-checkzone; exit 1 when any fails."""
    lab = load_lab(args.lab)
    origins = lab.origins[: args.limit] if args.limit else lab.origins
    start = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        problems = [p for p in pool.map(lambda o: _checkzone(lab, o), origins) if p]
    for problem in problems:
        print(problem, file=sys.stderr)
    elapsed = time.perf_counter() - start
    print(f"{len(origins) - len(problems)}/{len(origins)} zones valid ({elapsed:.1f}s)")
    return 1 if problems else 0


def _server(lab: Lab, args: argparse.Namespace, workdir: Path) -> NsdServer:
    return NsdServer(
        lab.zones(),
        workdir,
        host=args.host,
        port=args.port,
        server_count=args.servers,
        startup_timeout=args.startup_timeout,
    )


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve a lab from NSD until interrupted."""
    lab = load_lab(args.lab)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="dnslab-nsd-"))
    start = time.perf_counter()
    with _server(lab, args, workdir) as server:
        print(f"NSD serves {len(lab.origins)} zones on {server.nameserver} ", end="")
        print(f"(started in {time.perf_counter() - start:.1f}s; workdir {workdir})")
        example = lab.domains()[0] if lab.manifest else lab.origins[0]
        print(f"try: mailwarden dns query {example} TXT --nameserver {server.nameserver}")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while server.process is not None and server.process.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    """Measure answers per second from NSD serving the lab (started here unless --port)."""
    start = time.perf_counter()
    lab = load_lab(args.lab)
    questions = lab_questions(lab.manifest)
    print(f"read the lab ({len(questions)} questions) in {time.perf_counter() - start:.1f}s")
    if args.port:
        result = _load(args, args.port, questions)
        _print_load(result, args)
        return 0
    with tempfile.TemporaryDirectory(prefix="dnslab-nsd-") as workdir:
        server = _server(lab, args, Path(workdir))
        start = time.perf_counter()
        server.start()
        try:
            print(f"NSD started with {len(lab.origins)} zones in {_since(start)}")
            cpu_before = server.cpu_seconds()
            result = _load(args, server.port, questions)
            cpu_after = server.cpu_seconds()
            if cpu_before is not None and cpu_after is not None and cpu_after > cpu_before:
                cpu = cpu_after - cpu_before
                print(
                    f"NSD used {cpu:.2f} CPU seconds for {result.answered} answers: "
                    f"{result.answered / cpu:,.0f} answers per NSD CPU-second"
                )
        finally:
            start = time.perf_counter()
            server.stop()
            print(f"NSD stopped in {_since(start)}")
    _print_load(result, args)
    return 0


def _load(args: argparse.Namespace, port: int, questions: list[tuple[str, str]]) -> LoadResult:
    """Send the load with the tool asked for (dnsperf when installed, by default)."""
    tool = args.tool or ("dnsperf" if dnsperf_binary() else "python")
    args.tool = tool
    run = run_dnsperf if tool == "dnsperf" else run_load
    return run(
        args.host, port, questions, count=args.queries, seconds=args.seconds,
        window=args.window, clients=args.clients,
    )  # fmt: skip


def _since(start: float) -> str:
    return f"{time.perf_counter() - start:.1f}s"


def _print_load(result: LoadResult, args: argparse.Namespace) -> None:
    lost = result.sent - result.answered
    print(
        f"{result.answered}/{result.sent} answered ({lost} lost) in {result.elapsed:.2f}s: "
        f"{result.qps:,.0f} answers/s ({args.tool}, {args.clients} client(s), "
        f"window {args.window}, {args.servers} NSD server process(es)); "
        f"rcodes {dict(result.rcodes)}, truncated {result.truncated}"
    )


def cmd_stats(args: argparse.Namespace) -> int:
    """Print what a scan of the lab should count (see ``summary.summarize``), as JSON."""
    print(json.dumps(summarize(load_lab(args.lab).manifest), indent=2))
    return 0


def parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    top = argparse.ArgumentParser(prog="dnslab", description=__doc__.split("\n\n")[0])
    sub = top.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="generate N domains, zones and the manifest")
    gen.add_argument("--domains", type=int, required=True)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--out", required=True)
    gen.add_argument("--tld", default="test")
    gen.set_defaults(func=cmd_generate)
    check = sub.add_parser("check", help="validate the zone files with nsd-checkzone")
    check.add_argument("lab")
    check.add_argument("--limit", type=int, default=0, help="check only the first N zones")
    check.add_argument("--jobs", type=int, default=2)
    check.set_defaults(func=cmd_check)
    for name, func, text in (
        ("serve", cmd_serve, "serve the lab from NSD on loopback until interrupted"),
        ("load", cmd_load, "measure NSD's answers per second on the lab"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("lab")
        cmd.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
        cmd.add_argument("--port", type=int, default=0, help="port (default: a free one)")
        cmd.add_argument("--servers", type=int, default=1, help="NSD server processes")
        cmd.add_argument("--startup-timeout", type=float, default=600.0)
        cmd.set_defaults(func=func)
        if name == "serve":
            cmd.add_argument("--workdir", help="directory for nsd.conf and logs (default: temp)")
        else:
            cmd.add_argument("--queries", type=int, default=200_000)
            cmd.add_argument("--seconds", type=float, default=20.0)
            cmd.add_argument("--window", type=int, default=64)
            cmd.add_argument("--clients", type=int, default=1)
            cmd.add_argument(
                "--tool",
                choices=("dnsperf", "python"),
                help="load generator (default: dnsperf when installed, else the Python one)",
            )
    stats = sub.add_parser("stats", help="print what a scan of the lab should count")
    stats.add_argument("lab")
    stats.set_defaults(func=cmd_stats)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2 for unusable input, 3 when NSD fails)."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (FileNotFoundError, ValueError) as exc:
        print(f"dnslab: error: {exc}", file=sys.stderr)
        return 2
    except NsdError as exc:
        print(f"dnslab: error: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
