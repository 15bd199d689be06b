"""SPF macros (RFC 7208 section 7): parsing macro-strings and expanding them.

A macro-string is kept as a tuple of parts: literal text (with ``%%``, ``%_`` and ``%-``
already turned into ``%``, a space and ``%20``) and :class:`Macro` items. Expansion needs the
values of one check (:class:`MacroContext`); the ``p`` letter needs DNS, so the evaluator
fills ``MacroContext.p`` before expanding a string that uses it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import socket
from dataclasses import dataclass, field
from urllib.parse import quote

from mailwarden.errors import ParseError

__all__ = [
    "DOMAIN_LETTERS",
    "EXPLANATION_LETTERS",
    "ExpansionError",
    "Macro",
    "MacroContext",
    "MacroString",
    "expand",
    "parse_macro_string",
    "target_name",
]

DOMAIN_LETTERS = frozenset("slodiphv")
EXPLANATION_LETTERS = DOMAIN_LETTERS | frozenset("crt")
_DELIMITERS = ".-+,/_="
_BODY = re.compile(r"([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)")
_SPLIT_CACHE: dict[str, re.Pattern[str]] = {}
MAX_NAME = 253
MAX_LABEL = 63
_NAME = re.compile(r"(?:[^.]{1,63}\.)*[^.]{1,63}", re.S)


class ExpansionError(Exception):
    """A macro expansion or its result cannot be used (too long, not a domain name)."""


@dataclass(frozen=True, slots=True)
class Macro:
    """``%{letter digits r delimiters}``; an upper-case letter asks for URL escaping."""

    letter: str
    digits: int | None = None
    reverse: bool = False
    delimiters: str = ""
    escape: bool = False

    def __str__(self) -> str:
        letter = self.letter.upper() if self.escape else self.letter
        digits = "" if self.digits is None else str(self.digits)
        return f"%{{{letter}{digits}{'r' if self.reverse else ''}{self.delimiters}}}"


@dataclass(frozen=True, slots=True)
class MacroString:
    """A parsed macro-string: ``text`` as written, its ``parts``, and ``tail``, the text after
    the last macro (all of ``text`` when there is none, empty when it ends in one);
    ``letters`` the macro letters it uses and ``is_static`` True when it uses none."""

    text: str
    parts: tuple[str | Macro, ...]
    tail: str = ""
    letters: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())
    is_static: bool = field(init=False, repr=False, compare=False, default=True)
    _literal: str = field(init=False, repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        letters = frozenset(p.letter for p in self.parts if isinstance(p, Macro))
        object.__setattr__(self, "letters", letters)
        object.__setattr__(self, "is_static", not letters)
        literal = "".join(p for p in self.parts if isinstance(p, str))
        object.__setattr__(self, "_literal", literal)

    def literal(self) -> str:
        """Return the literal parts joined (the expansion when ``is_static``)."""
        return self._literal


@dataclass(slots=True)
class MacroContext:
    """The values macro letters expand to during one check (``d`` is passed per policy)."""

    sender: str
    local: str
    sender_domain: str
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    helo: str
    receiver: str = "unknown"
    now: dt.datetime | None = None
    p: str | None = None
    dotted: str | None = None

    def value(self, letter: str, domain: str) -> str:
        """Return the unexpanded value of ``letter`` (lower case) for policy ``domain``."""
        if letter == "d":
            return domain
        if letter == "i":
            if self.dotted is None:
                self.dotted = _dotted_ip(self.ip)
            return self.dotted
        if letter == "s":
            return self.sender
        if letter == "l":
            return self.local
        if letter == "o":
            return self.sender_domain
        if letter == "v":
            return "in-addr" if self.ip.version == 4 else "ip6"
        if letter == "h":
            return self.helo
        if letter == "c":
            return str(self.ip)
        if letter == "r":
            return self.receiver
        if letter == "t":
            return str(int((self.now or dt.datetime.now(dt.UTC)).timestamp()))
        return self.p if self.p is not None else "unknown"


def parse_macro_string(
    text: str, *, explanation: bool = False, offset: int = 0, source: str | None = None
) -> MacroString:
    """Return ``text`` parsed as a macro-string.

    With ``explanation`` the letters ``c r t`` and spaces are allowed (explain-string);
    otherwise only ``s l o d i p h v``. Raises ``ParseError`` whose position is ``offset``
    plus the index of the problem in ``text`` (in ``source`` when given, else ``text``).
    """
    where = text if source is None else source
    allowed = EXPLANATION_LETTERS if explanation else DOMAIN_LETTERS
    parts: list[str | Macro] = []
    literal: list[str] = []
    index, tail_start = 0, 0
    while index < len(text):
        char = text[index]
        if char != "%":
            if not ("!" <= char <= "~" or (explanation and char == " ")):
                raise ParseError(f"character {char!r} is not allowed here", where, offset + index)
            literal.append(char)
            index += 1
            continue
        index, item = _parse_percent(text, index, allowed, offset, where)
        tail_start = index
        if isinstance(item, str):
            literal.append(item)
            continue
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(item)
    if literal:
        parts.append("".join(literal))
    return MacroString(text, tuple(parts), text[tail_start:])


def _parse_percent(
    text: str, index: int, allowed: frozenset[str], offset: int, where: str
) -> tuple[int, str | Macro]:
    following = text[index + 1 : index + 2]
    if following in ("%", "_", "-"):
        return index + 2, {"%": "%", "_": " ", "-": "%20"}[following]
    if following != "{":
        shown = repr(following) if following else "the end"
        raise ParseError(
            f"'%' must be followed by '{{', '%', '_' or '-', not {shown} (write '%%' for a "
            "literal percent sign)",
            where,
            offset + index,
        )
    end = text.find("}", index + 2)
    if end < 0:
        raise ParseError("macro '%{' is not closed by '}'", where, offset + index)
    body = text[index + 2 : end]
    match = _BODY.fullmatch(body)
    if match is None:
        raise ParseError(f"malformed macro '%{{{body[:40]}}}'", where, offset + index)
    letter, digits, reverse, delimiters = match.groups()
    if letter.lower() not in allowed:
        raise ParseError(_letter_message(letter, allowed), where, offset + index + 2)
    count: int | None = None
    if digits:
        count = int(digits) if len(digits) <= 4 else 9999
        if count == 0:
            raise ParseError("macro transformer 0 is not allowed", where, offset + index + 3)
    macro = Macro(letter.lower(), count, bool(reverse), delimiters, letter.isupper())
    return end + 1, macro


def _letter_message(letter: str, allowed: frozenset[str]) -> str:
    if letter.lower() in EXPLANATION_LETTERS:
        return f"macro letter {letter!r} is allowed only in explanation text (exp=)"
    return f"unknown macro letter {letter!r} (allowed: {', '.join(sorted(allowed))})"


def expand(
    string: MacroString, context: MacroContext | None, domain: str, *, limit: int = 8192
) -> str:
    """Return ``string`` expanded for policy ``domain``.

    Raises ``ExpansionError`` when the result grows over ``limit`` characters. A static
    string needs no ``context``.
    """
    if context is None or string.is_static:
        return string.literal()
    out: list[str] = []
    size = 0
    for part in string.parts:
        piece = part if isinstance(part, str) else _expand_macro(part, context, domain)
        size += len(piece)
        if size > limit:
            shown = string.text if len(string.text) <= 60 else string.text[:60] + "..."
            message = f"macro expansion of {shown!r} grows over {limit} characters"
            raise ExpansionError(message)
        out.append(piece)
    return "".join(out)


def _expand_macro(macro: Macro, context: MacroContext, domain: str) -> str:
    value = context.value(macro.letter, domain)
    if macro.digits is not None or macro.reverse or macro.delimiters not in ("", "."):
        labels = _splitter(macro.delimiters or ".").split(value)
        if macro.reverse:
            labels.reverse()
        if macro.digits is not None and macro.digits < len(labels):
            labels = labels[-macro.digits :]
        value = ".".join(labels)
    if macro.escape:
        value = quote(value, safe="")
    return value


def _splitter(delimiters: str) -> re.Pattern[str]:
    pattern = _SPLIT_CACHE.get(delimiters)
    if pattern is None:
        chars = "".join(sorted(set(delimiters)))  # at most 2**7 distinct sets: cache bounded
        pattern = _SPLIT_CACHE.get(chars) or re.compile("[" + re.escape(chars) + "]")
        _SPLIT_CACHE[chars] = pattern
    return pattern


def _dotted_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if ip.version == 4:
        return socket.inet_ntoa(ip.packed)
    return ".".join(ip.packed.hex())


def target_name(expanded: str, *, truncate: bool = True) -> str:
    """Return ``expanded`` as a name to query: trailing dot removed, over-long names cut.

    A name over 253 octets loses labels from the left until it fits (RFC 7208 section
    7.3) when ``truncate``; raises ``ExpansionError`` otherwise, and for an empty name,
    an empty label or a label over 63 octets.
    """
    name = expanded[:-1] if expanded.endswith(".") else expanded
    if len(name) > MAX_NAME:
        if not truncate:
            raise ExpansionError(f"name {name[:40]!r}... is {len(name)} octets, over {MAX_NAME}")
        while len(name) > MAX_NAME and "." in name:
            name = name.split(".", 1)[1]
    if _NAME.fullmatch(name) is not None:
        return name
    if not name:
        raise ExpansionError("empty domain name")
    for label in name.split("."):
        if not label:
            raise ExpansionError(f"name {name!r} has an empty label")
        if len(label) > MAX_LABEL:
            raise ExpansionError(
                f"label {label[:20]!r}... of {name[:60]!r} is {len(label)} octets, over {MAX_LABEL}"
            )
    return name
