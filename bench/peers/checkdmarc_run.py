"""Run checkdmarc's bulk check on a domain list against one loopback nameserver.

Runs inside checkdmarc's own virtual environment (it is never a mailwarden dependency)::

    python checkdmarc_run.py DOMAINS_FILE 127.0.0.1:PORT > results.jsonl

Prints one JSON object per domain (checkdmarc's own result), checking one domain at a time
as checkdmarc's bulk mode does, and a last line ``{"_queries": N, "_seconds": S}``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loopback_guard

loopback_guard.install()

import checkdmarc  # noqa: E402
import dns.resolver  # noqa: E402


def main() -> None:
    """Check every domain in argv[1] with the nameserver argv[2] and print JSON lines."""
    domains = [d.strip() for d in Path(sys.argv[1]).read_text().splitlines() if d.strip()]
    host, _, port = sys.argv[2].rpartition(":")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    resolver.port = int(port)
    resolver.timeout = resolver.lifetime = 2.0
    queries = 0
    original = resolver.resolve

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal queries
        queries += 1
        return original(*args, **kwargs)  # type: ignore[arg-type]

    resolver.resolve = counting  # type: ignore[method-assign]
    started = time.perf_counter()
    for domain in domains:
        result = checkdmarc.check_domains([domain], resolver=resolver, skip_tls=True)
        if isinstance(result, list):
            result = result[0]
        print(json.dumps(result, default=str))
    print(json.dumps({"_queries": queries, "_seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
