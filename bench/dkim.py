"""DKIM signing and verification, mailwarden against dkimpy, on the same messages and keys.

Usage: python3 bench/dkim.py [--messages N] [--body-bytes B] [--rounds R]

The benchmark generates N messages and an RSA-2048 and an Ed25519 key, signs the messages
once (for the verification runs), then times each tool in its own process, alternating,
R rounds per operation, and prints the median messages per second and the ratio. dkimpy
(with PyNaCl for Ed25519) is installed into bench/.venvs/dkimpy on first use.
Both verifiers get the public key from memory: no DNS is involved.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER_VENV = HERE / ".venvs" / "dkimpy"
PEER_PACKAGES = ["dkimpy==1.1.8", "PyNaCl"]
SELECTOR, DOMAIN = "bench", "example.com"
DATE = "Sat, 28 Nov 2026 10:00:00 +0000"
WORDS = ["mail", "domain", "key", "record", "policy", "report", "sender", "receiver", "body"]


def main() -> int:
    """Run the benchmark; return 0, or 2 when it could not run."""
    args = _arguments()
    peer = _peer_python()
    with tempfile.TemporaryDirectory(prefix="dkim-bench-") as tmp:
        work = Path(tmp)
        _prepare(work, args.messages, args.body_bytes)
        print(f"{args.messages} messages, body {args.body_bytes} bytes, {args.rounds} rounds")
        print(f"{'operation':<22}{'mailwarden msg/s':>18}{'dkimpy msg/s':>15}{'ratio':>8}")
        for op in ("sign", "verify"):
            for alg in ("rsa", "ed25519"):
                ours, theirs = _compare(work, peer, op, alg, args.rounds)
                ratio = ours / theirs if theirs else float("inf")
                print(f"{op + ' ' + alg:<22}{ours:>18.0f}{theirs:>15.0f}{ratio:>7.1f}x")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300, help="messages per run")
    parser.add_argument("--body-bytes", type=int, default=4000, help="approximate body size")
    parser.add_argument("--rounds", type=int, default=5, help="runs per tool and operation")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args()


def _peer_python() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print(f"installing {' '.join(PEER_PACKAGES)} into {PEER_VENV}", file=sys.stderr)
        venv.create(PEER_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    return python


def _prepare(work: Path, count: int, body_bytes: int) -> None:
    """Write keys, records, plain messages and messages signed by mailwarden into ``work``."""
    from cryptography.hazmat.primitives import serialization

    from mailwarden.dkim import generate_key, sign
    from mailwarden.dkim.keys import load_private_key

    rng = random.Random(4)
    messages = [_message(rng, n, body_bytes) for n in range(count)]
    (work / "messages.json").write_text(json.dumps([m.decode() for m in messages]))
    for alg in ("rsa", "ed25519"):
        key = generate_key(alg, 2048)
        (work / f"{alg}.pem").write_bytes(key.private_pem)
        (work / f"{alg}.record").write_text(key.record)
        peer_key = key.private_pem
        if alg == "ed25519":  # dkimpy takes an Ed25519 key as a base64 seed
            raw = load_private_key(key.private_pem).private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            peer_key = base64.b64encode(raw)
        (work / f"{alg}.peerkey").write_bytes(peer_key)
        signed = [
            sign(m, domain=DOMAIN, selector=SELECTOR, private_key=key.private_pem) + m
            for m in messages
        ]
        (work / f"{alg}.signed.json").write_text(json.dumps([m.decode() for m in signed]))


def _message(rng: random.Random, number: int, body_bytes: int) -> bytes:
    lines, size = [], 0
    while size < body_bytes:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))
        lines.append(line)
        size += len(line) + 2
    header = (
        f"Received: from mx{number}.example.net by mx.example.com; {DATE}\r\n"
        f"From: Sender {number} <sender{number}@example.com>\r\n"
        f"To: receiver@example.org\r\nSubject: Report {number}\r\n"
        f"Date: {DATE}\r\nMessage-ID: <{number}@example.com>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
    )
    return (header + "\r\n".join(lines) + "\r\n").encode()


def _compare(work: Path, peer: Path, op: str, alg: str, rounds: int) -> tuple[float, float]:
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(_run(Path(sys.executable), work, "mailwarden", op, alg))
        theirs.append(_run(peer, work, "dkimpy", op, alg))
    return statistics.median(ours), statistics.median(theirs)


def _run(python: Path, work: Path, tool: str, op: str, alg: str) -> float:
    spec = json.dumps({"tool": tool, "op": op, "alg": alg, "dir": str(work)})
    done = subprocess.run([str(python), __file__, "--worker", spec],
                          capture_output=True, text=True, check=True)  # fmt: skip
    result = json.loads(done.stdout)
    if result["ok"] != result["count"]:
        raise SystemExit(f"{tool} {op} {alg}: only {result['ok']} of {result['count']} correct")
    return float(result["count"] / result["seconds"])


# -- workers: run in a separate process, mailwarden's or the peer's interpreter ------------


def _worker(spec: dict[str, str]) -> None:
    # this file is called dkim.py: keep its folder off the path so ``import dkim`` is dkimpy
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    work, alg = Path(spec["dir"]), spec["alg"]
    name = "messages.json" if spec["op"] == "sign" else f"{alg}.signed.json"
    messages = [m.encode() for m in json.loads((work / name).read_text())]
    record = (work / f"{alg}.record").read_text()
    make = {
        ("mailwarden", "sign"): _mailwarden_sign,
        ("mailwarden", "verify"): _mailwarden_verify,
        ("dkimpy", "sign"): _dkimpy_sign,
        ("dkimpy", "verify"): _dkimpy_verify,
    }[spec["tool"], spec["op"]]
    run = make(work, alg, record)  # imports and setup, not timed
    start = time.perf_counter()
    ok = run(messages)
    seconds = time.perf_counter() - start
    print(json.dumps({"count": len(messages), "ok": ok, "seconds": seconds}))


Runner = Callable[[list[bytes]], int]


def _mailwarden_sign(work: Path, alg: str, record: str) -> Runner:
    from mailwarden.dkim import sign

    key = (work / f"{alg}.pem").read_bytes()

    def run(messages: list[bytes]) -> int:
        return sum(
            bool(sign(m, domain=DOMAIN, selector=SELECTOR, private_key=key)) for m in messages
        )

    return run


def _mailwarden_verify(work: Path, alg: str, record: str) -> Runner:
    import asyncio

    from mailwarden.dkim import verify
    from mailwarden.dns import Answer, Status, TXTRecord

    answer = Answer(f"{SELECTOR}._domainkey.{DOMAIN}", "TXT", Status.NOERROR,
                    (TXTRecord((record.encode(),)),), 300)  # fmt: skip

    class Memory:
        async def resolve(self, name: str, rdtype: str) -> Answer:
            return answer

    async def verify_all(messages: list[bytes]) -> int:
        resolver = Memory()
        results = [await verify(m, resolver=resolver) for m in messages]
        return sum(r[0].passed for r in results)

    return lambda messages: asyncio.run(verify_all(messages))


def _dkimpy_sign(work: Path, alg: str, record: str) -> Runner:
    import dkim

    key = (work / f"{alg}.peerkey").read_bytes()
    algorithm = f"{alg}-sha256".encode()

    def run(messages: list[bytes]) -> int:
        return sum(
            bool(dkim.sign(m, SELECTOR.encode(), DOMAIN.encode(), key,
                           canonicalize=(b"relaxed", b"relaxed"), signature_algorithm=algorithm))
            for m in messages
        )  # fmt: skip

    return run


def _dkimpy_verify(work: Path, alg: str, record: str) -> Runner:
    import dkim

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes:
        return record.encode()

    return lambda messages: sum(bool(dkim.verify(m, dnsfunc=dnsfunc)) for m in messages)


if __name__ == "__main__":
    if "--worker" in sys.argv:
        _worker(json.loads(sys.argv[sys.argv.index("--worker") + 1]))
    else:
        sys.exit(main())
