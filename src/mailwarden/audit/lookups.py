"""Small DNS helpers shared by the audit areas."""

from __future__ import annotations

from mailwarden.dns import Answer, Resolver
from mailwarden.findings import Finding, Severity

__all__ = ["dns_failure", "txt_with_prefix"]


async def txt_with_prefix(resolver: Resolver, name: str, prefix: str) -> tuple[list[str], Answer]:
    """Return the TXT records at ``name`` that start with ``prefix`` (and the raw answer).

    A record matches when it equals ``prefix`` or continues with ``;`` or white space after it;
    the comparison is case-insensitive as the record formats read in audits allow.
    """
    answer = await resolver.resolve(name, "TXT")
    wanted = prefix.lower()
    found = []
    for text in answer.texts():
        head = text[: len(prefix)].lower()
        rest = text[len(prefix) : len(prefix) + 1]
        if head == wanted and rest in ("", ";", " ", "\t"):
            found.append(text)
    return found, answer


def dns_failure(area: str, answer: Answer) -> Finding:
    """Return the finding for a lookup that failed temporarily (SERVFAIL or TIMEOUT)."""
    return Finding(
        f"{area}.dns-error",
        Severity.WARNING,
        f"Looking up {answer.name} {answer.rdtype} failed ({answer.status.value}"
        f"{': ' + answer.detail if answer.detail else ''}), so this area could not be checked.",
        "Check that the domain's nameservers answer, then run the check again.",
    )
