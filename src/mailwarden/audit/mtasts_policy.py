"""MTA-STS policy files (RFC 8461 section 3.2) and matching MX hosts against them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mailwarden.errors import ParseError

__all__ = ["MAX_POLICY_BYTES", "MtaStsMode", "MtaStsPolicy", "mx_matches", "parse_mta_sts_policy"]

MAX_POLICY_BYTES = 64 * 1024
MAX_AGE_LIMIT = 31_557_600


class MtaStsMode(StrEnum):
    """The policy mode."""

    ENFORCE = "enforce"
    TESTING = "testing"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class MtaStsPolicy:
    """A parsed policy: mode, MX patterns and max_age in seconds."""

    mode: MtaStsMode
    mx: tuple[str, ...]
    max_age: int


def parse_mta_sts_policy(text: str) -> MtaStsPolicy:
    """Return the policy in ``text`` (``key: value`` lines, CRLF or LF).

    Raises ``ParseError`` naming the line for a missing or wrong ``version``, an unknown
    ``mode``, a missing or out-of-range ``max_age``, or no ``mx`` line in a mode other than none.
    """
    fields: dict[str, str] = {}
    patterns: list[str] = []
    offset = 0
    for line in text.splitlines():
        here, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ParseError(f"policy line {line.strip()!r} has no ':'", text, here)
        key, value = key.strip().lower(), value.strip()
        if key == "mx":
            patterns.append(value.lower().rstrip("."))
        else:
            fields.setdefault(key, value)
    if fields.get("version") != "STSv1":
        raise ParseError("policy must have 'version: STSv1'", text, 0)
    try:
        mode = MtaStsMode(fields.get("mode", ""))
    except ValueError:
        raise ParseError(f"unknown mode {fields.get('mode')!r}", text, text.find("mode")) from None
    max_age_text = fields.get("max_age", "")
    if not max_age_text.isdigit() or int(max_age_text) > MAX_AGE_LIMIT:
        raise ParseError(f"max_age {max_age_text!r} must be 0 to {MAX_AGE_LIMIT}", text, None)
    if mode is not MtaStsMode.NONE and not patterns:
        raise ParseError("policy lists no mx", text, None)
    return MtaStsPolicy(mode, tuple(patterns), int(max_age_text))


def mx_matches(host: str, pattern: str) -> bool:
    """Return True when MX ``host`` matches policy ``pattern`` (``*.`` covers one label)."""
    name, want = host.lower().rstrip("."), pattern.lower().rstrip(".")
    if want.startswith("*."):
        head, _, rest = name.partition(".")
        return bool(head) and rest == want[2:]
    return name == want
