"""The author domain from the RFC 5322 From header, parsed strictly so that no spoof passes.

Every way a From header can be ambiguous (several From headers, a From with no address or one
that does not parse, a source route, a group, an encoded word where an address belongs, control
characters, a domain that is not a host name) gives a ``problem`` code instead of a guess; the
evaluator turns that into ``permerror`` with disposition ``reject``. Several mailboxes in one
From are returned as several domains, each evaluated. docs/dmarc.md lists each case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from mailwarden.dns.names import validate_domain
from mailwarden.errors import InputError
from mailwarden.findings import Finding, Severity
from mailwarden.lexing import comment_end, quoted_string

__all__ = ["MAX_AUTHOR_DOMAINS", "AuthorDomains", "author_domains", "parse_header_block"]

MAX_AUTHOR_DOMAINS = 4
_MAX_MAILBOXES = 32
_SPECIALS = "<>,:;@.[]"


@dataclass(frozen=True, slots=True)
class AuthorDomains:
    """The author domains of a message (A-labels, lower case, in order, without repeats).

    ``addresses`` are the mailboxes found; ``problem`` is a stable finding code when the From
    header cannot be trusted (then ``domains`` may be empty), ``None`` otherwise.
    """

    domains: tuple[str, ...]
    addresses: tuple[str, ...]
    problem: str | None = None
    findings: tuple[Finding, ...] = field(default=())


class _FromError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_header_block(message: bytes | str) -> list[tuple[str, str]]:
    """Return the header fields of ``message`` as ``(name, unfolded value)`` pairs, in order.

    The header block ends at the first empty line. A line that starts with white space
    continues the previous field (or, as the very first line, is a field of its own so that
    ``" From: x"`` is still seen); a line without a colon is skipped. Bytes are decoded as
    UTF-8 with ``surrogateescape`` so that invalid bytes stay detectable. Never raises.
    """
    text = message.decode("utf-8", "surrogateescape") if isinstance(message, bytes) else message
    fields: list[tuple[str, str]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line == "":
            break
        if line[0] in " \t" and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + "\r\n" + line)
            continue
        name, sep, value = line.partition(":")
        if sep:
            fields.append((name, value))
    return fields


def author_domains(headers: Sequence[tuple[str, str]]) -> AuthorDomains:
    """Return the author domains named by the From header among ``headers``.

    ``headers`` are ``(name, value)`` pairs as :func:`parse_header_block` returns. Field names
    are compared case-insensitively after removing white space, so ``"From "`` counts as From.
    Never raises: problems are reported through ``problem`` and ``findings``.
    """
    values = [value for name, value in headers if name.strip(" \t\r\n").lower() == "from"]
    try:
        if not values:
            raise _FromError("dmarc.from-missing", "The message has no From header.")
        if len(values) > 1:
            raise _FromError(
                "dmarc.from-multiple",
                f"The message has {len(values)} From headers; RFC 5322 allows exactly one.",
            )
        addresses = _mailboxes(values[0])
        domains = _domains(addresses)
    except _FromError as exc:
        finding = Finding(
            exc.code, Severity.ERROR, exc.message, "The author cannot be authenticated; reject."
        )
        return AuthorDomains((), (), exc.code, (finding,))
    findings = _display_name_findings(values[0])
    if len(domains) > MAX_AUTHOR_DOMAINS:
        finding = Finding(
            "dmarc.from-too-many-domains",
            Severity.ERROR,
            f"From names {len(domains)} domains, more than {MAX_AUTHOR_DOMAINS} are checked.",
            "The author cannot be authenticated; reject.",
        )
        return AuthorDomains(domains, addresses, finding.code, (finding,))
    if len(addresses) > 1:
        findings += (
            Finding(
                "dmarc.from-several-mailboxes",
                Severity.WARNING,
                f"From lists {len(addresses)} mailboxes; each author domain is checked.",
                "Legitimate mail names one author.",
            ),
        )
    return AuthorDomains(domains, addresses, None, findings)


def _display_name_findings(value: str) -> tuple[Finding, ...]:
    """Warn when a display name itself looks like an address (out of DMARC's scope)."""
    tokens = _tokens(value)
    if ("s", "<") not in tokens:
        return ()
    phrase = tokens[: tokens.index(("s", "<"))]
    if not any(kind == "q" and "@" in text for kind, text in phrase):
        return ()
    return (
        Finding(
            "dmarc.from-display-name-address",
            Severity.WARNING,
            "From's display name contains an address that is not the author's.",
            "DMARC checks only the address; show the real address to the reader.",
        ),
    )


def _domains(addresses: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for address in addresses:
        raw = address.rsplit("@", 1)[1]
        try:
            domain = validate_domain(raw)
        except InputError as exc:
            raise _FromError("dmarc.from-bad-domain", f"From domain {raw!r}: {exc}") from None
        if domain not in out:
            out.append(domain)
    return tuple(out)


# -- tokenizing an address list ---------------------------------------------------------------


def _tokens(value: str) -> list[tuple[str, str]]:
    """Return tokens ``(kind, text)``: ``a`` atom, ``q`` quoted string, ``s`` special, ``l``
    domain literal. Comments and white space are dropped. Raises ``_FromError``."""
    for ch in value:
        if (ord(ch) < 0x20 and ch not in "\t\r\n") or ord(ch) == 0x7F or "\udc80" <= ch <= "\udcff":
            raise _FromError(
                "dmarc.from-bad-characters",
                "From contains control characters, NUL bytes or bytes that are not UTF-8.",
            )
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch in " \t\r\n":
            i += 1
        elif ch == "(":
            i = _skip_comment(value, i)
        elif ch == ")":
            raise _FromError("dmarc.from-unparseable", "From has an unbalanced ')'.")
        elif ch == '"':
            i = _quoted(value, i, tokens)
        elif ch == "[":
            end = value.find("]", i)
            if end < 0:
                raise _FromError("dmarc.from-unparseable", "From has an unclosed '['.")
            tokens.append(("l", value[i : end + 1]))
            i = end + 1
        elif ch in _SPECIALS:
            tokens.append(("s", ch))
            i += 1
        else:
            start = i
            while i < len(value) and value[i] not in _SPECIALS + ' \t\r\n()"':
                i += 1
            tokens.append(("a", value[start:i]))
    return tokens


def _skip_comment(value: str, i: int) -> int:
    end = comment_end(value, i)
    if end < 0:
        raise _FromError("dmarc.from-unparseable", "From has an unclosed comment.")
    return end


def _quoted(value: str, i: int, tokens: list[tuple[str, str]]) -> int:
    text, end = quoted_string(value, i)
    if end < 0:
        raise _FromError("dmarc.from-unparseable", "From has an unclosed quoted string.")
    tokens.append(("q", text))
    return end


# -- mailbox-list ------------------------------------------------------------------------------


def _mailboxes(value: str) -> tuple[str, ...]:
    tokens = _tokens(value)
    if ("s", ":") in tokens or ("s", ";") in tokens:
        raise _FromError(
            "dmarc.from-route-or-group",
            "From uses a group or a source route, which hide the real author.",
        )
    elements: list[list[tuple[str, str]]] = [[]]
    for token in tokens:
        if token == ("s", ","):
            elements.append([])
        else:
            elements[-1].append(token)
    mailboxes = [_mailbox(element) for element in elements if element]
    if not mailboxes:
        raise _FromError("dmarc.from-no-address", "From names no address.")
    if len(mailboxes) > _MAX_MAILBOXES:
        raise _FromError("dmarc.from-too-many-domains", f"From lists {len(mailboxes)} mailboxes.")
    return tuple(mailboxes)


def _mailbox(tokens: list[tuple[str, str]]) -> str:
    if ("s", "<") in tokens:
        start = tokens.index(("s", "<"))
        if tokens[-1] != ("s", ">") or ("s", "<") in tokens[start + 1 :]:
            raise _FromError("dmarc.from-unparseable", "From has text after its <address>.")
        phrase = tokens[:start]
        if any(kind in ("s", "l") and text != "." for kind, text in phrase):
            raise _FromError(
                "dmarc.from-unparseable", "From's display name has unquoted special characters."
            )
        return _addr_spec(tokens[start + 1 : -1])
    return _addr_spec(tokens)


def _addr_spec(tokens: list[tuple[str, str]]) -> str:
    ats = [i for i, token in enumerate(tokens) if token == ("s", "@")]
    if not tokens:
        raise _FromError("dmarc.from-no-address", "From has an empty address <>.")
    if any(kind == "a" and "=?" in text for kind, text in tokens):
        raise _FromError(
            "dmarc.from-encoded-word", "From has an encoded word where an address belongs."
        )
    if not ats:
        raise _FromError("dmarc.from-no-address", "From names no address.")
    if len(ats) != 1:
        raise _FromError("dmarc.from-unparseable", "From's address does not have one '@'.")
    local, domain = tokens[: ats[0]], tokens[ats[0] + 1 :]
    if not local or not domain:
        raise _FromError("dmarc.from-unparseable", "From's address lacks a local part or domain.")
    if any(kind == "l" for kind, _ in domain):
        raise _FromError("dmarc.from-bad-domain", "From's domain is an address literal.")
    if any(kind not in ("a", "s") or (kind == "s" and text != ".") for kind, text in domain):
        raise _FromError("dmarc.from-unparseable", "From's domain has unexpected characters.")
    domain_text = "".join(text for _, text in domain)
    if any(kind == "q" and "@" in text for kind, text in local):
        raise _FromError(
            "dmarc.from-ambiguous-local-part",
            "From's quoted local part contains '@', which mail readers may show as the domain.",
        )
    local_text = "".join(f'"{t}"' if kind == "q" else t for kind, t in local)
    if any(kind in ("s", "l") and text != "." for kind, text in local):
        raise _FromError("dmarc.from-unparseable", "From's local part has special characters.")
    return f"{local_text}@{domain_text}"
