"""Header fields that record an SPF result: Received-SPF (RFC 7208 section 9.1) and the
``spf=`` clause of Authentication-Results (RFC 8601 section 2.7.2)."""

from __future__ import annotations

import re

from mailwarden.authres import spf_auth_result
from mailwarden.spf.result import SpfResult, SpfResultCode

__all__ = ["authres_spf_clause", "received_spf_header", "received_spf_value", "spf_comment"]

_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
R = SpfResultCode


def spf_comment(result: SpfResult, receiver: str) -> str:
    """Return the human part, ``receiver: domain of sender designates ip ...`` (no parens)."""
    who = f"domain of {result.sender}" if result.identity == "mailfrom" else f"{result.domain}"
    ip = result.ip
    text = {
        R.PASS: f"{who} designates {ip} as permitted sender",
        R.FAIL: f"{who} does not designate {ip} as permitted sender",
        R.SOFTFAIL: f"transitioning {who} does not designate {ip} as permitted sender",
        R.NEUTRAL: f"{ip} is neither permitted nor denied by {who}",
        R.NONE: f"{result.domain} does not designate permitted sender hosts",
        R.TEMPERROR: f"error in processing during lookup of {result.domain}: DNS error",
        R.PERMERROR: f"permanent error in processing the policy of {result.domain}",
    }[result.result]
    return _comment_safe(f"{receiver}: {text}")


def received_spf_value(result: SpfResult, *, receiver: str = "unknown") -> str:
    """Return the field body of Received-SPF: result, comment, then key=value pairs."""
    pairs: list[tuple[str, str]] = [("client-ip", result.ip)]
    if result.identity == "mailfrom":
        pairs.append(("envelope-from", result.sender))
    if result.helo:
        pairs.append(("helo", result.helo))
    if result.result in (R.PERMERROR, R.TEMPERROR) and result.reason:
        pairs.append(("problem", result.reason))
    pairs.append(("receiver", receiver))
    pairs.append(("identity", result.identity))
    if result.mechanism:
        pairs.append(("mechanism", result.mechanism))
    body = "; ".join(f"{key}={_kv_value(value)}" for key, value in pairs)
    return f"{result.result.value} ({spf_comment(result, receiver)}) {body};"


def received_spf_header(result: SpfResult, *, receiver: str = "unknown") -> str:
    """Return the whole ``Received-SPF:`` header line (unfolded, without CRLF)."""
    return f"Received-SPF: {received_spf_value(result, receiver=receiver)}"


def authres_spf_clause(result: SpfResult, *, receiver: str | None = None) -> str:
    """Return the ``spf=`` resinfo of Authentication-Results, e.g.
    ``spf=pass (mx.example.org: domain of a@example.com designates 192.0.2.1 as permitted
    sender) smtp.mailfrom=a@example.com`` (``smtp.helo=`` for the HELO identity)."""
    comment = spf_comment(result, receiver) if receiver else None
    if result.identity == "mailfrom":
        entry = spf_auth_result(result, mail_from=result.sender, comment=comment)
    else:
        entry = spf_auth_result(result, helo=result.helo or result.domain, comment=comment)
    return entry.to_text()


def _comment_safe(text: str) -> str:
    cleaned = "".join(ch if 0x20 <= ord(ch) < 0x7F else "?" for ch in text)
    return cleaned.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _quoted(value: str) -> str:
    cleaned = "".join(ch if 0x20 <= ord(ch) < 0x7F else "?" for ch in value)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _kv_value(value: str) -> str:
    return value if _DOT_ATOM.fullmatch(value) else _quoted(value)
