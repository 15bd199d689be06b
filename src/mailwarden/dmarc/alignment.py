"""Identifier alignment (RFC 9989 section 3.2): SPF and DKIM results against the author domain."""

from __future__ import annotations

from dataclasses import dataclass

from mailwarden.dmarc.discovery import RecordFetcher, find_org_domain
from mailwarden.dmarc.types import AlignmentMode, DkimResultLike, Mode, SpfResultLike
from mailwarden.dns.names import validate_domain
from mailwarden.errors import InputError

__all__ = ["Alignment", "align_dkim", "align_spf", "domains_align"]


@dataclass(frozen=True, slots=True)
class Alignment:
    """How one authenticated identifier compares with the author domain.

    ``method`` is ``spf`` or ``dkim``; ``result`` the underlying result word; ``aligned`` is
    True only for a ``pass`` whose domain aligns under ``mode``; ``org_domain`` is the
    identifier's organizational domain when relaxed alignment needed it.
    """

    method: str
    domain: str
    result: str
    aligned: bool
    mode: AlignmentMode
    selector: str | None = None
    org_domain: str | None = None
    temperror: bool = False


def _clean(domain: str) -> str:
    """Return the identifier as an A-label host name, or "" when it is not one.

    A name with a NUL byte, a comment or another character outside a host name never aligns:
    another component (a C library, a DNS API) might read it differently ("Composition Kills").
    """
    try:
        return validate_domain(domain.strip())
    except InputError:
        return ""


def _word(result: object) -> str:
    return str(getattr(result, "value", result)).lower()


async def domains_align(
    author: str,
    author_org: str,
    identifier: str,
    mode: AlignmentMode,
    fetcher: RecordFetcher,
    spec: Mode,
) -> tuple[bool, str | None, bool]:
    """Return (aligned, identifier's org domain or None, temperror) for one identifier.

    Strict: the two names are equal. Relaxed: they have the same organizational domain
    (RFC 9989 tree walk, or the PSL in RFC 7489 mode).
    """
    ident = _clean(identifier)
    if not ident:
        return False, None, False
    if ident == author:
        return True, author_org if mode is AlignmentMode.RELAXED else None, False
    if mode is AlignmentMode.STRICT:
        return False, None, False
    org = await find_org_domain(ident, fetcher, mode=spec)
    return org.org_domain == author_org, org.org_domain, org.error


async def align_spf(
    spf: SpfResultLike | None,
    author: str,
    author_org: str,
    mode: AlignmentMode,
    fetcher: RecordFetcher,
    spec: Mode,
) -> Alignment | None:
    """Return the SPF alignment, or None when no SPF result was given."""
    if spf is None:
        return None
    word = _word(spf.result)
    domain = _clean(spf.domain or "") or (spf.domain or "")
    if word != "pass":
        return Alignment("spf", domain, word, False, mode)
    aligned, org, err = await domains_align(author, author_org, domain, mode, fetcher, spec)
    return Alignment("spf", domain, word, aligned, mode, org_domain=org, temperror=err)


async def align_dkim(
    results: tuple[DkimResultLike, ...],
    author: str,
    author_org: str,
    mode: AlignmentMode,
    fetcher: RecordFetcher,
    spec: Mode,
) -> tuple[Alignment, ...]:
    """Return one alignment per DKIM result, in order."""
    out = []
    for dkim in results:
        word = _word(dkim.result)
        domain = _clean(dkim.domain or "") or (dkim.domain or "")
        selector = dkim.selector
        if word != "pass":
            out.append(Alignment("dkim", domain, word, False, mode, selector))
            continue
        aligned, org, err = await domains_align(author, author_org, domain, mode, fetcher, spec)
        out.append(Alignment("dkim", domain, word, aligned, mode, selector, org, err))
    return tuple(out)
