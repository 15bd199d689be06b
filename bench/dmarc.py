"""DMARC record parsing, mailwarden against checkdmarc, on the same generated records.

Usage: python3 bench/dmarc.py [--records N] [--rounds R]

The benchmark generates N DMARC records (a seeded mix of every RFC 9989 tag, legacy RFC 7489
tags, unknown tags and invalid values; no rua / ruf, so that checkdmarc does no DNS lookups),
then times each tool parsing all of them with findings / warnings, in its own process,
alternating, R rounds, and prints the median records per second and the ratio. checkdmarc is
installed into bench/.venvs/checkdmarc on first use.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER_VENV = HERE / ".venvs" / "checkdmarc"
PEER_PACKAGES = ["checkdmarc==6.0.4"]
CHOICES = {
    "p": ["none", "quarantine", "reject", "rejekt"],
    "sp": ["none", "quarantine", "reject"],
    "np": ["none", "quarantine", "reject"],
    "adkim": ["r", "s"],
    "aspf": ["r", "s"],
    "fo": ["0", "1", "d", "1:d:s"],
    "t": ["y", "n"],
    "psd": ["y", "n", "u"],
    "pct": ["0", "50", "100"],
    "ri": ["86400"],
    "foo": ["bar"],
}


def main() -> int:
    """Run the benchmark; return 0, or 2 when it could not run."""
    args = _arguments()
    if args.worker:
        return _worker(args.worker, Path(args.input))
    peer = _peer_python()
    with tempfile.TemporaryDirectory(prefix="dmarc-bench-") as tmp:
        path = Path(tmp) / "records.json"
        path.write_text(json.dumps(_records(args.records)))
        ours, theirs = [], []
        for _ in range(args.rounds):
            ours.append(_run(Path(sys.executable), "mailwarden", path))
            theirs.append(_run(peer, "checkdmarc", path))
        mine, peer_rate = (
            args.records / statistics.median(ours),
            args.records / statistics.median(theirs),
        )
        print(f"{args.records} records, {args.rounds} rounds")
        print(f"{'operation':<16}{'mailwarden rec/s':>18}{'checkdmarc rec/s':>18}{'ratio':>8}")
        print(f"{'parse record':<16}{mine:>18.0f}{peer_rate:>18.0f}{mine / peer_rate:>7.1f}x")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000, help="records per run")
    parser.add_argument("--rounds", type=int, default=5, help="runs per tool")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    return parser.parse_args()


def _peer_python() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print(f"installing {' '.join(PEER_PACKAGES)} into {PEER_VENV}", file=sys.stderr)
        venv.create(PEER_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    return python


def _records(count: int) -> list[str]:
    rng = random.Random(9)
    out = []
    for _ in range(count):
        tags = ["v=DMARC1", f"p={rng.choice(CHOICES['p'])}"]
        for name in rng.sample(sorted(set(CHOICES) - {"p"}), rng.randint(1, 6)):
            tags.append(f"{name}={rng.choice(CHOICES[name])}")
        out.append("; ".join(tags))
    return out


def _run(python: Path, tool: str, path: Path) -> float:
    """Return the seconds ``tool`` took to parse every record (timed inside the worker)."""
    done = subprocess.run(
        [str(python), __file__, "--worker", tool, "--input", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(done.stdout.strip())


def _worker(tool: str, path: Path) -> int:
    records = json.loads(path.read_text())
    if tool == "mailwarden":
        from mailwarden.dmarc import parse_record

        def parse(text: str) -> object:
            return parse_record(text).findings
    else:
        from checkdmarc.dmarc import parse_dmarc_record  # type: ignore[import-not-found]

        def parse(text: str) -> object:
            try:
                return parse_dmarc_record(text, "example.com")
            except Exception as exc:  # checkdmarc raises for invalid values
                return exc

    start = time.perf_counter()
    for text in records:
        parse(text)
    print(time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
