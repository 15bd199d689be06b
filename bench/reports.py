"""Benchmark: mailwarden's report parser against parsedmarc (offline mode), in one run.

Inputs: the shared sample reports (every file, all three kinds) and generated aggregate
reports, one with ``--records`` records (default 1,000,000) and one with ``--peer-records``
records (default 50,000) that both tools parse. Each measurement runs in its own child
process; its wall time is measured inside the child around the parse, its peak memory is
the child's ``ru_maxrss`` from ``os.wait4``. Rounds alternate between the tools and the
medians are printed with their ratio. Exits non-zero only when it could not run.

    python3 bench/reports.py                # full run
    python3 bench/reports.py --records 100000 --peer-records 10000 --rounds 1   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SAMPLES = REPO.parent / "shared" / "samples" / "reports"
PEER_VENV = HERE / ".venvs" / "parsedmarc"
PEER_VERSION = "11.1.0"

MAILWARDEN_DRIVER = """
import sys, time, json
from mailwarden.reports import AggregateStream, InvalidReport, open_reports
records = reports = errors = 0
start, cpu = time.perf_counter(), time.process_time()
for path in sys.argv[1:]:
    try:
        for item in open_reports(path):
            reports += 1
            if isinstance(item, AggregateStream):
                for _ in item.records():
                    records += 1
    except InvalidReport:
        errors += 1
print(json.dumps({"seconds": time.perf_counter() - start, "records": records,
                  "cpu_seconds": time.process_time() - cpu,
                  "reports": reports, "errors": errors}))
"""

PARSEDMARC_DRIVER = """
import sys, time, json, logging
logging.disable(logging.CRITICAL)
import parsedmarc
records = reports = errors = 0
start, cpu = time.perf_counter(), time.process_time()
for path in sys.argv[1:]:
    try:
        result = parsedmarc.parse_report_file(path, offline=True, always_use_local_files=True)
    except Exception:
        errors += 1
        continue
    reports += 1
    if result.get("report_type") == "aggregate":
        records += len(result["report"]["records"])
print(json.dumps({"seconds": time.perf_counter() - start, "records": records,
                  "cpu_seconds": time.process_time() - cpu,
                  "reports": reports, "errors": errors}))
"""


def ensure_peer() -> Path:
    """Install parsedmarc into its own virtual environment (once); return its python."""
    python = PEER_VENV / "bin" / "python"
    check = [str(python), "-c", "import importlib.metadata as m; print(m.version('parsedmarc'))"]
    if python.exists():
        done = subprocess.run(check, capture_output=True, text=True, check=False)
        if done.stdout.strip() == PEER_VERSION:
            return python
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", f"parsedmarc=={PEER_VERSION}"]
    subprocess.run(pip, check=True)
    return python


RECORD = """ <record>
  <row>
   <source_ip>{ip}</source_ip>
   <count>{count}</count>
   <policy_evaluated>
    <disposition>{disposition}</disposition>
    <dkim>{dkim}</dkim>
    <spf>{spf}</spf>
   </policy_evaluated>
  </row>
  <identifiers>
   <envelope_from>{envelope}</envelope_from>
   <header_from>example.com</header_from>
  </identifiers>
  <auth_results>
   <dkim>
    <domain>example.com</domain>
    <selector>s{selector}</selector>
    <result>{dkim_result}</result>
   </dkim>
   <spf>
    <domain>{envelope}</domain>
    <result>{spf_result}</result>
   </spf>
  </auth_results>
 </record>
"""

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
 <version>1.0</version>
 <report_metadata>
  <org_name>bench.example</org_name>
  <email>noreply-dmarc@bench.example</email>
  <report_id>bench-{n}</report_id>
  <date_range>
   <begin>1711897200</begin>
   <end>1711983599</end>
  </date_range>
 </report_metadata>
 <policy_published>
  <domain>example.com</domain>
  <adkim>r</adkim>
  <aspf>r</aspf>
  <p>quarantine</p>
  <sp>none</sp>
  <pct>100</pct>
 </policy_published>
"""


def generate(path: Path, n: int, seed: int = 7) -> None:
    """Write an RFC 7489 aggregate report with ``n`` varied records to ``path``."""
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD.format(n=n))
        for i in range(n):
            dkim = rnd.choice(("pass", "pass", "fail"))
            spf = rnd.choice(("pass", "fail"))
            out.write(
                RECORD.format(
                    ip=f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
                    count=rnd.randint(1, 500),
                    disposition="none" if "pass" in (dkim, spf) else "quarantine",
                    dkim=dkim,
                    spf=spf,
                    envelope=rnd.choice(("example.com", "bounce.example.com", "esp.example")),
                    selector=rnd.randint(1, 4),
                    dkim_result=dkim,
                    spf_result=rnd.choice(("pass", "softfail", "fail", "none")),
                )
            )
        out.write("</feedback>\n")


def run_child(python: str, driver: str, files: list[str]) -> dict[str, float]:
    """Run one measurement in a child process; return its result with peak RSS in MB."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    proc = subprocess.Popen(
        [python, "-c", driver, *files], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed ({proc.returncode}): {err.decode()[-2000:]}")
    result: dict[str, float] = json.loads(out)
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def measure(name: str, tools: dict[str, tuple[str, str]], files: list[str], rounds: int) -> dict:
    """Alternate the tools over ``rounds`` rounds on ``files``; return medians per tool."""
    runs: dict[str, list[dict[str, float]]] = {tool: [] for tool in tools}
    for _ in range(rounds):
        for tool, (python, driver) in tools.items():
            runs[tool].append(run_child(python, driver, files))
    summary = {}
    for tool, results in runs.items():
        seconds = statistics.median(r["seconds"] for r in results)
        cpu = statistics.median(r["cpu_seconds"] for r in results)
        records = results[0]["records"]
        summary[tool] = {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "records": records,
            "reports": results[0]["reports"],
            "errors": results[0]["errors"],
            "records_per_s": records / seconds if seconds else 0.0,
            "records_per_cpu_s": records / cpu if cpu else 0.0,
            "peak_mb": max(r["peak_mb"] for r in results),
        }
        s = summary[tool]
        print(
            f"{name:<28} {tool:<11} {s['seconds']:8.2f} s wall {cpu:8.2f} s cpu "
            f"{int(records):>8} records {s['records_per_s']:>7.0f} rec/s wall "
            f"{s['records_per_cpu_s']:>7.0f} rec/cpu-s  {int(s['reports'])} reports "
            f"{int(s['errors'])} errors  peak {s['peak_mb']:.0f} MB",
            flush=True,
        )
    return summary


def main() -> None:
    """Run the benchmark and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--peer-records", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    peer = str(ensure_peer())
    tools = {
        "mailwarden": (sys.executable, MAILWARDEN_DRIVER),
        "parsedmarc": (peer, PARSEDMARC_DRIVER),
    }
    print(f"python {sys.version.split()[0]}, parsedmarc {PEER_VERSION}, {time.strftime('%F')}")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        samples = sorted(str(p) for p in SAMPLES.glob("*/*"))
        if not samples:
            raise SystemExit(f"no samples found under {SAMPLES}")
        results = {"samples": measure("shared samples", tools, samples, args.rounds)}

        small = Path(tmp) / f"generated-{args.peer_records}.xml"
        generate(small, args.peer_records)
        label = f"generated {args.peer_records:,} records"
        results["small"] = measure(label, tools, [str(small)], args.rounds)

        big = Path(tmp) / f"generated-{args.records}.xml"
        generate(big, args.records)
        print(f"generated {args.records:,} records: {big.stat().st_size / 1e6:.0f} MB of XML")
        only_us = {"mailwarden": tools["mailwarden"]}
        results["big"] = measure(f"generated {args.records:,} records", only_us, [str(big)], 1)

    print()
    for key in ("samples", "small"):
        ours, theirs = results[key]["mailwarden"], results[key]["parsedmarc"]
        print(
            f"{key}: mailwarden/parsedmarc records per second = "
            f"{_ratio(ours, theirs, 'records_per_s'):.1f}x wall, "
            f"{_ratio(ours, theirs, 'records_per_cpu_s'):.1f}x cpu"
        )
    big, peer_small = results["big"]["mailwarden"], results["small"]["parsedmarc"]
    print(
        f"big: mailwarden {big['records_per_s']:.0f} rec/s wall, "
        f"{big['records_per_cpu_s']:.0f} rec/cpu-s on {args.records:,} records vs parsedmarc "
        f"{peer_small['records_per_s']:.0f} rec/s wall, {peer_small['records_per_cpu_s']:.0f} "
        f"rec/cpu-s on {args.peer_records:,}: {_ratio(big, peer_small, 'records_per_s'):.1f}x "
        f"wall, {_ratio(big, peer_small, 'records_per_cpu_s'):.1f}x cpu; "
        f"peak memory {big['peak_mb']:.0f} MB (target < 150 MB)"
    )


def _ratio(ours: dict, theirs: dict, key: str) -> float:
    return ours[key] / theirs[key] if theirs[key] else 0.0


if __name__ == "__main__":
    main()
