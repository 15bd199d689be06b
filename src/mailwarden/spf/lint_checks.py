"""The linter's checks on one record, one TXT answer and the ``all`` term; each returns findings."""

from __future__ import annotations

from mailwarden.dns import Answer, TXTRecord
from mailwarden.errors import ParseError
from mailwarden.findings import Finding, Severity
from mailwarden.spf.result import SpfLimits
from mailwarden.spf.terms import Ip4, Ip6, Ptr, SpfRecord

__all__ = [
    "all_findings",
    "record_findings",
    "split_strings",
    "string_findings",
    "syntax_finding",
    "udp_size_finding",
]

E, W = Severity.ERROR, Severity.WARNING
MAX_STRING = 255
UDP_SIZE = 512
# (warning below this prefix length, error below this one) per address family
_WIDE = {4: (16, 8), 6: (32, 16)}


def syntax_finding(domain: str, record: str, error: ParseError) -> Finding:
    """Return the ``spf.syntax-error`` finding for ``error`` in ``record``, naming the position."""
    position = error.position or 0
    start = max(0, position - 20)
    near = record[start : position + 20]
    pointer = " " * (position - start) + "^"
    return Finding(
        "spf.syntax-error", E,
        f"syntax error in the SPF record of {domain} at position {position}: {error.message}",
        f"near: {near}\n      {pointer}",
    )  # fmt: skip


def record_findings(domain: str, record: SpfRecord, limits: SpfLimits) -> list[Finding]:
    """Return findings about the terms of one parsed record (ptr, wide ranges, size)."""
    found: list[Finding] = []
    if len(record.terms) > limits.terms:
        found.append(Finding(
            "spf.too-many-terms", E,
            f"the SPF record of {domain} has {len(record.terms)} terms, over {limits.terms}",
            "split the addresses over a few included records",
        ))  # fmt: skip
    for term in record.terms:
        if isinstance(term, Ptr):
            found.append(Finding(
                "spf.ptr-deprecated", W,
                f"{term.text} in the policy of {domain}: ptr is slow, unreliable and "
                "deprecated (RFC 7208 section 5.5); many receivers ignore it",
                "list the sending hosts with ip4:/ip6: or a: instead",
            ))  # fmt: skip
        elif isinstance(term, Ip4 | Ip6):
            wide = _range_finding(domain, term)
            if wide is not None:
                found.append(wide)
    if record.redirect is not None and record.all is not None:
        found.append(Finding(
            "spf.redirect-with-all", W,
            f"the SPF record of {domain} has both {record.redirect.text} and "
            f"{record.all.text}: the redirect is never used",
            f"remove {record.all.text} to use the redirect, or remove the redirect",
        ))  # fmt: skip
    return found


def _range_finding(domain: str, term: Ip4 | Ip6) -> Finding | None:
    network = term.network
    warn_below, error_below = _WIDE[network.version]
    if network.prefixlen >= warn_below:
        return None
    size = f"{network.num_addresses:,} addresses"
    if network.prefixlen < error_below:
        return Finding(
            "spf.ip-range-too-wide", E,
            f"{term.text} in the policy of {domain} authorizes {size} (wider than "
            f"/{error_below}): almost anyone may send as {domain}",
            "list only the addresses of your own mail servers",
        )  # fmt: skip
    return Finding(
        "spf.ip-range-wide", W,
        f"{term.text} in the policy of {domain} authorizes {size} (wider than /{warn_below})",
        "narrow it to the addresses of your mail servers",
    )  # fmt: skip


def string_findings(domain: str, record: TXTRecord) -> list[Finding]:
    """Return ``spf.string-too-long`` when a character-string of the record is over 255 octets."""
    if all(len(part) <= MAX_STRING for part in record.strings):
        return []
    longest = max(len(part) for part in record.strings)
    return [Finding(
        "spf.string-too-long", E,
        f"the SPF record of {domain} has a string of {longest} octets; one DNS string holds at "
        f"most {MAX_STRING}, so the record cannot be published as is",
        "publish it as several quoted strings (joined without spaces): "
        + (split_strings(record.text) if len(record.text) <= 2048 else "255 octets each"),
    )]  # fmt: skip


def split_strings(text: str, size: int = MAX_STRING) -> str:
    """Return ``text`` as zone-file quoted strings of at most ``size`` octets each."""
    data = text.encode("utf-8")
    parts = [data[i : i + size].decode("utf-8", "replace") for i in range(0, len(data), size)]
    return " ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts)


def udp_size_finding(domain: str, answer: Answer) -> Finding | None:
    """Return ``spf.txt-too-large`` when the TXT answer of ``domain`` exceeds 512 octets."""
    size = answer_size(domain, answer)
    if size <= UDP_SIZE:
        return None
    return Finding(
        "spf.txt-too-large", W,
        f"the TXT answer of {domain} is about {size} octets, over {UDP_SIZE}: resolvers "
        "without EDNS must retry over TCP, and some fail (temperror or none)",
        "remove TXT records you no longer need at this name, or move addresses into an "
        "included record",
    )  # fmt: skip


def answer_size(domain: str, answer: Answer) -> int:
    """Return the size in octets of a DNS response holding every TXT record of ``answer``."""
    question = len(domain.rstrip(".")) + 2 + 4
    size = 12 + question
    for record in answer.records:
        if isinstance(record, TXTRecord):
            size += 2 + 10 + sum(1 + len(part) for part in record.strings)
    return size


def all_findings(domain: str, record: str, effective: str | None, redirect: bool) -> list[Finding]:
    """Return findings about the ``all`` that ends the policy (``+all``, ``?all``, none)."""
    base = " ".join(t for t in record.split(" ")[1:] if t and t.lstrip("+-~?").lower() != "all")
    suggestion = f'"v=spf1 {base} -all"'.replace("v=spf1  -all", "v=spf1 -all")
    if effective == "+all":
        return [Finding(
            "spf.all-pass", E,
            f"the policy of {domain} ends in +all: every host on the internet may send as {domain}",
            f"publish {suggestion}",
        )]  # fmt: skip
    if effective == "?all":
        return [Finding(
            "spf.all-neutral", W,
            f"the policy of {domain} ends in ?all: it says nothing about other hosts, so it "
            "protects nothing",
            f"publish {suggestion} (or ~all while you check your senders)",
        )]  # fmt: skip
    if effective is None and not redirect:
        return [Finding(
            "spf.no-all", W,
            f"the policy of {domain} has no all term: other hosts get neutral",
            f"publish {suggestion}",
        )]  # fmt: skip
    return []
