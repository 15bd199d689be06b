"""Parse an SPF record (RFC 7208 section 4.6 and 12) into terms, with positions on errors."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from mailwarden.errors import ParseError
from mailwarden.spf.macros import MacroString, parse_macro_string
from mailwarden.spf.terms import (
    A,
    All,
    Exists,
    Explanation,
    Include,
    Ip4,
    Ip6,
    Mechanism,
    Mx,
    Ptr,
    Qualifier,
    Redirect,
    SpfRecord,
    Term,
    UnknownModifier,
)

__all__ = ["is_spf_record", "parse_domain_spec", "parse_record", "quoted"]

_VERSION = "v=spf1"
_BAD_CHAR = re.compile(r"[^\x20-\x7e]")
_MODIFIER = re.compile(r"([A-Za-z][A-Za-z0-9_.\-]*)=")
_MECHANISM = re.compile(r"([+\-~?]?)([A-Za-z][A-Za-z0-9]*)")
_DUAL_CIDR = re.compile(r"(?:/([0-9]+))?(?://([0-9]+))?")
_SPEC_AND_CIDR = re.compile(r"(.*?)((?:/[0-9]+)?(?://[0-9]+)?)", re.S)
_QNUM = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_IP4 = re.compile(rf"{_QNUM}\.{_QNUM}\.{_QNUM}\.{_QNUM}")
_IP6_CHARS = re.compile(r"[0-9A-Fa-f:.]+")
_TOPLABEL = r"(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9\-]*[A-Za-z0-9])"
_TOPLABEL_RE = re.compile(_TOPLABEL)
_NUMERIC_END = re.compile(r".*\.[0-9]+\.?", re.S)
_MECHANISM_NAMES = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")


def quoted(text: str, limit: int = 60) -> str:
    """Return ``text`` quoted for a message, cut to ``limit`` characters."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} chars)"


def is_spf_record(text: str) -> bool:
    """Return True when ``text`` starts with ``v=spf1`` (any case) then a space or its end."""
    return text[:6].lower() == _VERSION and (len(text) == 6 or text[6] == " ")


def parse_record(text: str) -> SpfRecord:
    """Return the parsed record ``text`` (the TXT strings already joined).

    Raises ``ParseError`` with the 0-based position of the first problem: a missing
    version, a character outside printable ASCII, an unknown mechanism, a malformed
    domain-spec, network or CIDR length, or a repeated ``redirect`` / ``exp``. Records of
    up to 2,048 characters are cached (real ones are far shorter; hostile giants are not
    kept).
    """
    if len(text) <= _CACHED_LENGTH:
        return _parse_cached(text)
    return _parse(text)


_CACHED_LENGTH = 2048


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> SpfRecord:
    return _parse(text)


def _parse(text: str) -> SpfRecord:
    if not is_spf_record(text):
        raise ParseError("an SPF record starts with 'v=spf1' followed by a space", text, 0)
    bad = _BAD_CHAR.search(text)
    if bad is not None:
        raise ParseError(_bad_char_message(bad.group()), text, bad.start())
    terms: list[Term] = []
    position = len(_VERSION)
    for chunk in text[position:].split(" "):
        if chunk:
            terms.append(_parse_term(chunk, text, position))
        position += len(chunk) + 1
    return _assemble(text, terms)


def _bad_char_message(char: str) -> str:
    if char in "\t\r\n\v\f":
        return f"control character {char!r}: terms are separated by spaces only"
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"control character {char!r} is not allowed in an SPF record"
    return f"non-ASCII character {char!r} (U+{ord(char):04X}): SPF records are 7-bit ASCII"


def _assemble(text: str, terms: list[Term]) -> SpfRecord:
    redirect: Redirect | None = None
    explanation: Explanation | None = None
    mechanisms: list[Mechanism] = []
    for term in terms:
        if isinstance(term, Redirect):
            if redirect is not None:
                raise ParseError("'redirect' appears twice", text, term.position)
            redirect = term
        elif isinstance(term, Explanation):
            if explanation is not None:
                raise ParseError("'exp' appears twice", text, term.position)
            explanation = term
        elif not isinstance(term, UnknownModifier):
            mechanisms.append(term)
    return SpfRecord(text, tuple(terms), tuple(mechanisms), redirect, explanation)


def _parse_term(chunk: str, text: str, position: int) -> Term:
    if chunk.startswith("="):
        raise ParseError("modifier with an empty name", text, position)
    modifier = _MODIFIER.match(chunk)
    if modifier is not None:
        return _parse_modifier(modifier.group(1), chunk, text, position)
    return _parse_mechanism(chunk, text, position)


def _parse_modifier(name: str, chunk: str, text: str, position: int) -> Term:
    value_at = position + len(name) + 1
    value = chunk[len(name) + 1 :]
    lowered = name.lower()
    if lowered == "redirect":
        return Redirect(_domain_spec(value, text, value_at, name), chunk, position)
    if lowered == "exp":
        return Explanation(_domain_spec(value, text, value_at, name), chunk, position)
    macro = parse_macro_string(value, explanation=True, offset=value_at, source=text)
    return UnknownModifier(name, macro, chunk, position)


def _parse_mechanism(chunk: str, text: str, position: int) -> Mechanism:
    match = _MECHANISM.match(chunk)
    if match is None:
        raise ParseError(f"{quoted(chunk)} is neither a mechanism nor a modifier", text, position)
    prefix, name = match.groups()
    qualifier = Qualifier(prefix) if prefix else Qualifier.PASS
    rest = chunk[match.end() :]
    rest_at = position + match.end()
    lowered = name.lower()
    if lowered not in _MECHANISM_NAMES:
        raise ParseError(_unknown_mechanism(name), text, position + len(prefix))
    if lowered == "all":
        if rest:
            raise ParseError(f"'all' takes no argument, found {quoted(rest)}", text, rest_at)
        return All(qualifier, chunk, position)
    if lowered in ("ip4", "ip6"):
        return _parse_ip(lowered, qualifier, rest, chunk, text, position, rest_at)
    if lowered in ("a", "mx"):
        return _parse_a_mx(lowered, qualifier, rest, chunk, text, position, rest_at)
    domain = _optional_spec(lowered, rest, text, rest_at)
    if lowered == "ptr":
        return Ptr(qualifier, domain, chunk, position)
    if domain is None:
        raise ParseError(f"'{lowered}' needs ':' and a domain", text, rest_at)
    if lowered == "include":
        return Include(qualifier, domain, chunk, position)
    return Exists(qualifier, domain, chunk, position)


def _unknown_mechanism(name: str) -> str:
    if name.lower() in ("redirect", "exp"):
        return f"{quoted(name)} is a modifier: write {name.lower()}=domain"
    return f"unknown mechanism {quoted(name)}"


def _optional_spec(name: str, rest: str, text: str, at: int) -> MacroString | None:
    if not rest:
        return None
    if not rest.startswith(":"):
        raise ParseError(f"unexpected {quoted(rest)} after '{name}'", text, at)
    return _domain_spec(rest[1:], text, at + 1, name)


def _parse_a_mx(
    name: str, qualifier: Qualifier, rest: str, chunk: str, text: str, position: int, at: int
) -> Mechanism:
    domain: MacroString | None = None
    cidr_text, cidr_at = rest, at
    if rest.startswith(":"):
        split = _SPEC_AND_CIDR.fullmatch(rest[1:])
        assert split is not None
        spec, cidr_text = split.groups()
        domain = _domain_spec(spec, text, at + 1, name)
        cidr_at = at + 1 + len(spec)
    elif rest and not rest.startswith("/"):
        raise ParseError(f"unexpected {quoted(rest)} after '{name}'", text, at)
    cidr4, cidr6 = _dual_cidr(cidr_text, text, cidr_at)
    cls = A if name == "a" else Mx
    return cls(qualifier, domain, cidr4, cidr6, chunk, position)


def _dual_cidr(cidr: str, text: str, at: int) -> tuple[int, int]:
    match = _DUAL_CIDR.fullmatch(cidr)
    if match is None:
        raise ParseError(
            f"malformed CIDR length {quoted(cidr)} (write /N for IPv4, //N for IPv6)", text, at
        )
    four, six = match.groups()
    cidr4 = 32 if four is None else _cidr_value(four, 32, text, at)
    six_at = at + (0 if four is None else len(four) + 1)
    cidr6 = 128 if six is None else _cidr_value(six, 128, text, six_at)
    return cidr4, cidr6


def _cidr_value(digits: str, maximum: int, text: str, at: int) -> int:
    if len(digits) > 1 and digits.startswith("0"):
        raise ParseError(f"CIDR length /{digits} has a leading zero", text, at)
    value = int(digits) if len(digits) <= 3 else maximum + 1
    if value > maximum:
        raise ParseError(f"CIDR length /{digits} is over {maximum}", text, at)
    return value


def _ip4_value(address: str) -> int:
    """Return the integer value of a dotted quad that ``_IP4`` matched (every octet already
    checked: 0-255, no leading zero), without ``ipaddress``'s slower string parsing."""
    a, b, c, d = address.split(".")
    return (int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d)


def _parse_ip(
    name: str, qualifier: Qualifier, rest: str, chunk: str, text: str, position: int, at: int
) -> Mechanism:
    if not rest.startswith(":") or len(rest) == 1:
        raise ParseError(f"'{name}' needs ':' and a network", text, at)
    address, slash, cidr = rest[1:].partition("/")
    cidr_at = at + 1 + len(address)
    if name == "ip4":
        if _IP4.fullmatch(address) is None:
            raise ParseError(f"{quoted(address)} is not an IPv4 address (a.b.c.d)", text, at + 1)
        if slash and not cidr.isdigit():
            raise ParseError(f"malformed IPv4 CIDR length {quoted('/' + cidr)}", text, cidr_at)
        length = _cidr_value(cidr, 32, text, cidr_at) if slash else 32
        net4 = ipaddress.IPv4Network((_ip4_value(address), length), strict=False)
        return Ip4(qualifier, net4, chunk, position)
    if _IP6_CHARS.fullmatch(address) is None or not _is_ip6(address):
        raise ParseError(f"{quoted(address)} is not an IPv6 address", text, at + 1)
    if slash and (not cidr or not cidr.isdigit()):
        raise ParseError(f"malformed IPv6 CIDR length {quoted('/' + cidr)}", text, cidr_at)
    length = _cidr_value(cidr, 128, text, cidr_at) if slash else 128
    net6 = ipaddress.IPv6Network((address, length), strict=False)
    return Ip6(qualifier, net6, chunk, position)


def _is_ip6(address: str) -> bool:
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        return False
    return True


def parse_domain_spec(spec: str, *, name: str = "domain") -> MacroString:
    """Return ``spec`` parsed as a domain-spec (macro-string ending in a top label or macro).

    Raises ``ParseError`` (positions relative to ``spec``).
    """
    return _domain_spec(spec, spec, 0, name)


def _domain_spec(spec: str, text: str, at: int, name: str) -> MacroString:
    if not spec:
        raise ParseError(f"'{name}' needs a domain after its separator", text, at)
    macro = parse_macro_string(spec, offset=at, source=text)
    if macro.tail and not _ends_in_toplabel(macro.tail):
        raise ParseError(_domain_end_message(spec), text, at)
    return macro


def _ends_in_toplabel(tail: str) -> bool:
    """Return True when ``tail`` ends in "." toplabel, with an optional final dot."""
    body = tail[:-1] if tail.endswith(".") else tail
    _, dot, last = body.rpartition(".")
    return bool(dot) and _TOPLABEL_RE.fullmatch(last) is not None


def _domain_end_message(spec: str) -> str:
    if _NUMERIC_END.fullmatch(spec):
        return (
            f"{quoted(spec)} ends in an all-numeric label; to authorize an address write "
            f"ip4:{spec.rstrip('.')} instead"
            if _IP4.fullmatch(spec.rstrip("."))
            else f"{quoted(spec)} ends in an all-numeric label, which is not a domain"
        )
    if "." not in spec.rstrip("."):
        return f"{quoted(spec)} is not a domain name: it needs at least two labels"
    return f"{quoted(spec)} does not end in a valid top-level label"
