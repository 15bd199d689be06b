"""Fast path for the ``<record>`` elements of an aggregate report in their usual form.

Most reports write every record the same way: ``row`` (source IP, count, the evaluated
policy), ``identifiers`` and ``auth_results``, each value plain printable ASCII. Such a record
is read here with one regular expression instead of forty expat callbacks (blanks between
its tags, as a pretty-printed report has them, are allowed). Anything else
(entities, comments, another order, extra elements, an empty or unknown value, a value that
would be warned about) is not matched: :func:`fast_record` returns ``None`` and the record
goes through expat as before, so the result is the same either way, only faster.
"""

from __future__ import annotations

import ipaddress
import re

from mailwarden.reports.model import (
    AggregateRecord,
    AuthResult,
    Disposition,
    DkimResult,
    DmarcResult,
    SpfResult,
)

__all__ = ["RECORD_END", "RECORD_START", "fast_record"]

RECORD_START = b"<record>"
RECORD_END = b"</record>"

# A value: printable ASCII without the characters that start markup or end a CDATA section.
_V = rb"[\x20-\x25\x27-\x3b\x3d-\x5c\x5e-\x7e]*"
# Blanks between two tags (a pretty-printed report indents every element).
_W = rb"[ \t\r\n]*"
_RECORD = re.compile(
    rb"<record>"
    + _W
    + rb"<row>"
    + _W
    + rb"<source_ip>("
    + _V
    + rb")</source_ip>"
    + _W
    + rb"<count>([0-9]{1,15})</count>"
    + _W
    + rb"<policy_evaluated>"
    + _W
    + rb"<disposition>([a-z]+)</disposition>"
    + _W
    + rb"<dkim>([a-z]+)</dkim>"
    + _W
    + rb"<spf>([a-z]+)</spf>"
    + _W
    + rb"</policy_evaluated>"
    + _W
    + rb"</row>"
    + _W
    + rb"<identifiers>"
    + _W
    + rb"(?:<envelope_to>("
    + _V
    + rb")</envelope_to>"
    + _W
    + rb")?"
    + rb"(?:<envelope_from>("
    + _V
    + rb")</envelope_from>"
    + _W
    + rb")?"
    + rb"<header_from>("
    + _V
    + rb")</header_from>"
    + _W
    + rb"</identifiers>"
    + _W
    + rb"(?:<auth_results>"
    + _W
    + rb"((?:<dkim>(?:"
    + _W
    + rb"<[a-z_]+>"
    + _V
    + rb"</[a-z_]+>)+"
    + _W
    + rb"</dkim>"
    + _W
    + rb")*)"
    + rb"((?:<spf>(?:"
    + _W
    + rb"<[a-z_]+>"
    + _V
    + rb"</[a-z_]+>)+"
    + _W
    + rb"</spf>"
    + _W
    + rb")*)"
    + rb"</auth_results>"
    + _W
    + rb")?</record>"
)
_ENTRY = re.compile(rb"<(dkim|spf)>(.*?)</\1>", re.DOTALL)
_FIELD = re.compile(rb"<([a-z_]+)>(" + _V + rb")</\1>")
_OCTET = rb"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(_OCTET.decode() + r"(?:\." + _OCTET.decode() + r"){3}")

_DISPOSITIONS = {m.value: m for m in Disposition}
_DMARC = {m.value: m for m in DmarcResult}
_DKIM = {m.value: m for m in DkimResult}
_SPF = {m.value: m for m in SpfResult}
_SCOPES = {"mfrom": "mfrom", "helo": "helo"}
_DKIM_FIELDS = frozenset((b"domain", b"selector", b"result", b"human_result"))
_SPF_FIELDS = frozenset((b"domain", b"scope", b"result", b"human_result"))


def fast_record(span: bytes) -> AggregateRecord | None:
    """Return the record in ``span`` (``<record>...</record>``, blanks between tags allowed).

    Returns ``None`` when the record is not in the usual form or holds anything the full
    parser would warn about; then it must be parsed by the full parser. Never raises.
    """
    match = _RECORD.fullmatch(span)
    if match is None:
        return None
    ip, count, disposition, dkim, spf, env_to, env_from, header_from, dkims, spfs = match.groups()
    source_ip = _source_ip(ip)
    header = header_from.decode().strip()
    words = (
        _DISPOSITIONS.get(disposition.decode()),
        _DMARC.get(dkim.decode()),
        _DMARC.get(spf.decode()),
    )
    auth = _cached_auth_results(dkims + spfs) if dkims or spfs else ()
    if source_ip is None or not header or None in words or auth is None:
        return None
    return AggregateRecord(
        source_ip=source_ip,
        count=int(count),
        disposition=words[0],  # type: ignore[arg-type]
        dkim=words[1],  # type: ignore[arg-type]
        spf=words[2],  # type: ignore[arg-type]
        header_from=header,
        envelope_from=_text(env_from),
        envelope_to=_text(env_to),
        auth_results=auth,
    )


def _source_ip(raw: bytes) -> str | None:
    text = raw.decode().strip()
    if _IPV4.fullmatch(text):
        return text
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _text(value: bytes | None) -> str | None:
    return (value.decode().strip() or None) if value else None


#: Auth results by their XML: a report repeats the same few (its domains, their selectors).
_AUTH_CACHE: dict[bytes, tuple[AuthResult, ...] | None] = {}
_AUTH_CACHE_SIZE = 4096


def _cached_auth_results(block: bytes) -> tuple[AuthResult, ...] | None:
    """Return :func:`_auth_results` of ``block``, remembered (the results are immutable)."""
    try:
        return _AUTH_CACHE[block]
    except KeyError:
        pass
    if len(_AUTH_CACHE) >= _AUTH_CACHE_SIZE:
        _AUTH_CACHE.clear()
    found = _AUTH_CACHE[block] = _auth_results(block)
    return found


def _auth_results(block: bytes) -> tuple[AuthResult, ...] | None:
    """Return the auth results in ``block``; ``None`` when one would be warned about."""
    results: list[AuthResult] = []
    for kind, body in _ENTRY.findall(block):
        pairs = _FIELD.findall(body)
        fields = dict(pairs)
        if len(fields) != len(pairs) or len(pairs) != body.count(b"</"):
            return None  # a repeated element, or one whose end tag does not match
        dkim = kind == b"dkim"
        if not fields.keys() <= (_DKIM_FIELDS if dkim else _SPF_FIELDS):
            return None
        result = (_DKIM if dkim else _SPF).get(fields.get(b"result", b"").strip().decode())
        selector = _text(fields.get(b"selector"))
        scope = _text(fields.get(b"scope"))
        if result is None or (dkim and selector is None):
            return None
        if scope is not None:
            scope = _SCOPES.get(scope)
            if scope is None:
                return None
        results.append(
            AuthResult(
                "dkim" if dkim else "spf",
                _text(fields.get(b"domain")) or "",
                result,
                selector=selector,
                scope=scope,
                human_result=_text(fields.get(b"human_result")),
            )
        )
    return tuple(results)
