"""Authentication-Results (RFC 8601): build the header for SPF, DKIM and DMARC, parse existing
ones (comments, quoted values, versions), and strip forged ones that claim our authserv-id."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mailwarden.errors import ParseError
from mailwarden.lexing import comment_end, quoted_string

if TYPE_CHECKING:  # annotations only: the SPF header builder imports this module
    from mailwarden.dmarc.evaluate import DmarcResult
    from mailwarden.dmarc.types import DkimResultLike, SpfResultLike

__all__ = [
    "AuthResProperty",
    "AuthResult",
    "AuthenticationResults",
    "build_authentication_results",
    "claims_authserv_id",
    "parse_authentication_results",
    "quote_value",
    "spf_auth_result",
    "strip_forged",
]

HEADER_NAME = "Authentication-Results"
_TOKEN = re.compile(r"^[^\x00-\x20()<>@,;:\\\"/\[\]?=\x7f]+$")
_ADDRESS = re.compile(r"^(?:[^\x00-\x20()<>@,;:\\\"\[\]\x7f]*)@[A-Za-z0-9._-]+$")
_KEYWORD = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_MAX_LENGTH = 65_536


@dataclass(frozen=True, slots=True)
class AuthResProperty:
    """One property of a result: ``ptype.name=value`` (``smtp.mailfrom=example.com``)."""

    ptype: str
    name: str
    value: str

    def to_text(self) -> str:
        """Return ``ptype.name=value`` with the value quoted when it must be."""
        return f"{self.ptype}.{self.name}={quote_value(self.value)}"


@dataclass(frozen=True, slots=True)
class AuthResult:
    """One ``method=result`` entry with its optional version, reason, properties and comments."""

    method: str
    result: str
    version: int | None = None
    reason: str | None = None
    properties: tuple[AuthResProperty, ...] = ()
    comments: tuple[str, ...] = ()

    def prop(self, ptype: str, name: str) -> str | None:
        """Return the value of property ``ptype.name`` (case-insensitive), or None."""
        for p in self.properties:
            if p.ptype == ptype.lower() and p.name == name.lower():
                return p.value
        return None

    def to_text(self) -> str:
        """Return this entry in header form."""
        method = self.method if self.version is None else f"{self.method}/{self.version}"
        parts = [f"{method}={self.result}"]
        parts += [f"({c})" for c in self.comments]
        if self.reason is not None:
            parts.append(f"reason={quote_value(self.reason)}")
        parts += [p.to_text() for p in self.properties]
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class AuthenticationResults:
    """A parsed Authentication-Results header: who wrote it and what each method gave."""

    authserv_id: str
    results: tuple[AuthResult, ...]
    version: int | None = None
    comments: tuple[str, ...] = field(default=())

    def to_text(self) -> str:
        """Return the header value (without the field name)."""
        ident = quote_value(self.authserv_id)
        head = ident if self.version is None else f"{ident} {self.version}"
        if not self.results:
            return f"{head}; none"
        return "; ".join([head, *(r.to_text() for r in self.results)])

    def to_header(self) -> str:
        """Return the whole header field, ``Authentication-Results: ...``, on one line."""
        return f"{HEADER_NAME}: {self.to_text()}"


def quote_value(value: str) -> str:
    """Return ``value`` as an RFC 8601 pvalue: a token or address as is, else a quoted-string."""
    if value and (_TOKEN.match(value) or _ADDRESS.match(value)):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch >= " " or ch == "\t" else " " for ch in escaped)
    return f'"{escaped}"'


# -- building ------------------------------------------------------------------------------


def _word(result: object) -> str:
    return str(getattr(result, "value", result)).lower()


def build_authentication_results(
    authserv_id: str,
    *,
    spf: SpfResultLike | None = None,
    mail_from: str | None = None,
    helo: str | None = None,
    dkim: Iterable[DkimResultLike] = (),
    dmarc: DmarcResult | None = None,
) -> AuthenticationResults:
    """Return the Authentication-Results for the given SPF, DKIM and DMARC results.

    SPF gets ``smtp.mailfrom`` (the MAIL FROM address, absent for the null sender) and
    ``smtp.helo`` (the HELO name, or the SPF domain without either);
    each DKIM signature ``header.d``, ``header.s`` and, when the result carries it,
    ``header.b`` (RFC 6008); DMARC ``header.from`` and
    ``policy.dmarc`` (the disposition), with the selected policy in a comment. Raises
    ``ParseError`` when ``authserv_id`` is not a usable token.
    """
    if not authserv_id or not _TOKEN.match(authserv_id.replace("@", "")):
        raise ParseError("authserv-id must be a token such as mx.example.com", authserv_id, 0)
    results: list[AuthResult] = []
    if spf is not None:
        results.append(spf_auth_result(spf, mail_from=mail_from, helo=helo))
    for sig in dkim:
        props = [AuthResProperty("header", "d", sig.domain)]
        if sig.selector:
            props.append(AuthResProperty("header", "s", sig.selector))
        header_b = getattr(sig, "header_b", "")  # RFC 6008: tells signatures apart
        if isinstance(header_b, str) and header_b:
            props.append(AuthResProperty("header", "b", header_b[:8]))
        results.append(AuthResult("dkim", _word(sig.result), properties=tuple(props)))
    if dmarc is not None:
        results.append(_dmarc_entry(dmarc))
    return AuthenticationResults(authserv_id, tuple(results))


def spf_auth_result(
    spf: SpfResultLike,
    *,
    mail_from: str | None = None,
    helo: str | None = None,
    comment: str | None = None,
) -> AuthResult:
    """Return the ``spf=`` entry: ``smtp.mailfrom`` when the MAIL FROM address is known,
    ``smtp.helo`` for the HELO name (the SPF domain when neither is known), and ``comment``
    (already safe for a header comment) after the result. Raises nothing."""
    props = []
    if mail_from:
        props.append(AuthResProperty("smtp", "mailfrom", mail_from))
    if helo or not mail_from:
        props.append(AuthResProperty("smtp", "helo", helo or spf.domain))
    comments = (comment,) if comment else ()
    return AuthResult("spf", _word(spf.result), properties=tuple(props), comments=comments)


def _dmarc_entry(dmarc: DmarcResult) -> AuthResult:
    props = []
    if dmarc.author_domain:
        props.append(AuthResProperty("header", "from", dmarc.author_domain))
    comments: tuple[str, ...] = ()
    if dmarc.policy is not None:
        props.append(AuthResProperty("policy", "dmarc", dmarc.disposition.value))
        comments = (f"p={dmarc.policy.value} dis={dmarc.disposition.value}",)
    return AuthResult("dmarc", dmarc.result.value, properties=tuple(props), comments=comments)


# -- parsing -------------------------------------------------------------------------------


def parse_authentication_results(value: str) -> AuthenticationResults:
    """Return the parsed Authentication-Results header ``value`` (the part after the colon).

    Comments are collected, quoted values unquoted, names lower-cased. Raises ``ParseError``
    with a position for text that does not follow RFC 8601 section 2.2.
    """
    if len(value) > _MAX_LENGTH:
        raise ParseError("Authentication-Results header is too long", value[:80], _MAX_LENGTH)
    if "\x00" in value:
        raise ParseError("NUL byte in Authentication-Results", value, value.index("\x00"))
    pieces = _split_top(value)
    head_words, head_comments = _words(pieces[0][0], pieces[0][1])
    if not head_words or head_words[0][0] == "=":
        raise ParseError("missing authserv-id", value, 0)
    authserv_id = head_words[0][0].removeprefix("\x00q")
    version = _version(head_words[1:], value)
    if len(pieces) == 2 and [w for w, _ in _words(*pieces[1])[0]] == ["none"]:
        return AuthenticationResults(authserv_id, (), version, head_comments)
    results = tuple(_resinfo(text, offset, value) for text, offset in pieces[1:])
    return AuthenticationResults(authserv_id, results, version, head_comments)


def _version(words: list[tuple[str, int]], value: str) -> int | None:
    if not words:
        return None
    word, offset = words[0]
    if len(words) > 1 or not word.isdigit():
        raise ParseError("unexpected text after authserv-id", value, offset)
    return int(word)


def _split_top(value: str) -> list[tuple[str, int]]:
    """Split at ';' outside quotes and comments; return (piece, offset) pairs."""
    pieces, start, depth, quoted, i = [], 0, 0, False, 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and (quoted or depth):
            i += 2
            continue
        if quoted:
            quoted = ch != '"'
        elif ch == '"' and not depth:
            quoted = True
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif ch == ";" and not depth:
            pieces.append((value[start:i], start))
            start = i + 1
        i += 1
    if quoted or depth:
        raise ParseError("unterminated quoted string or comment", value, start)
    pieces.append((value[start:], start))
    if len(pieces) > 1 and not pieces[-1][0].strip() and not _has_comment(pieces[-1][0]):
        pieces.pop()
    return pieces


def _has_comment(text: str) -> bool:
    return "(" in text


def _words(text: str, offset: int) -> tuple[list[tuple[str, int]], tuple[str, ...]]:
    """Return the words of ``text`` (quoted strings unquoted, '=' as its own word) and the
    comments, dropping white space."""
    words: list[tuple[str, int]] = []
    comments: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif ch == "(":
            i = _comment(text, i, comments)
        elif ch == ")":
            raise ParseError("unbalanced ')'", text, offset + i)
        elif ch == '"':
            i = _quoted(text, i, offset, words)
        else:
            start = i
            while i < len(text) and text[i] not in ' \t\r\n()"':
                i += 1
            _split_run(text[start:i], offset + start, words)
    return words, tuple(comments)


def _split_run(run: str, offset: int, words: list[tuple[str, int]]) -> None:
    """Split a run at its first '=' only, so values may hold '=' (SRS addresses, base64)."""
    key, eq, rest = run.partition("=")
    if key:
        words.append((key, offset))
    if eq:
        words.append(("=", offset + len(key)))
    if rest:
        words.append((rest, offset + len(key) + 1))


def _comment(text: str, i: int, comments: list[str]) -> int:
    end = comment_end(text, i)
    end = len(text) if end < 0 else end  # _split_top has already refused unclosed ones
    comments.append(text[i + 1 : end - 1].strip())
    return end


def _quoted(text: str, i: int, offset: int, words: list[tuple[str, int]]) -> int:
    content, end = quoted_string(text, i)
    words.append(("\x00q" + content, offset + i))
    return len(text) if end < 0 else end


def _pairs(words: list[tuple[str, int]], value: str) -> list[tuple[str, str, int]]:
    """Group words into ``key = value`` pairs; raise ParseError on anything else."""
    pairs, i = [], 0
    while i < len(words):
        if i + 2 >= len(words):
            raise ParseError("expected name=value", value, words[i][1])
        key, eq, val = words[i], words[i + 1], words[i + 2]
        if eq[0] != "=" or key[0].startswith("\x00q") or val[0] == "=":
            raise ParseError("expected name=value", value, key[1])
        pairs.append((key[0].lower(), val[0].removeprefix("\x00q"), key[1]))
        i += 3
    return pairs


def _resinfo(text: str, offset: int, value: str) -> AuthResult:
    words, comments = _words(text, offset)
    if not words:
        raise ParseError("empty result between ';'", value, offset)
    pairs = _pairs(words, value)
    method_text, result, position = pairs[0]
    method, _, version_text = method_text.partition("/")
    if not _KEYWORD.match(method) or not _KEYWORD.match(result):
        raise ParseError("method and result must be keywords", value, position)
    if version_text and not version_text.isdigit():
        raise ParseError("method version must be a number", value, position)
    reason: str | None = None
    props: list[AuthResProperty] = []
    for key, val, pos in pairs[1:]:
        if key == "reason" and reason is None and not props:
            reason = val
            continue
        ptype, dot, name = key.partition(".")
        if not dot or not _KEYWORD.match(ptype) or not name:
            raise ParseError(f"expected ptype.property=value, got {key!r}", value, pos)
        props.append(AuthResProperty(ptype, name, val))
    return AuthResult(
        method,
        result.lower(),
        int(version_text) if version_text else None,
        reason,
        tuple(props),
        comments,
    )


# -- forged headers ------------------------------------------------------------------------

_LEADING_ID = re.compile(r'^[\s]*(?:\([^)]*\)\s*)*("(?:[^"\\]|\\.)*"|[^\s;(]+)')


def claims_authserv_id(value: str, authserv_id: str) -> bool:
    """Return True when Authentication-Results ``value`` names ``authserv_id`` (any case),
    judged from its first word so that headers too broken to parse are caught as well."""
    match = _LEADING_ID.match(value)
    if not match:
        return False
    found = match.group(1)
    if found.startswith('"'):
        found = found[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return found.lower() == authserv_id.lower()


def strip_forged(
    headers: Sequence[tuple[str, str]], authserv_id: str
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Return ``(kept, removed)``: Authentication-Results headers that claim ``authserv_id``
    are removed (RFC 8601 section 5), everything else is kept in order."""
    kept: list[tuple[str, str]] = []
    removed: list[tuple[str, str]] = []
    for name, value in headers:
        forged = name.strip().lower() == HEADER_NAME.lower() and claims_authserv_id(
            value, authserv_id
        )
        (removed if forged else kept).append((name, value))
    return kept, removed
