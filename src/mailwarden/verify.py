"""Whole-message verification: SPF, DKIM and DMARC together, and the Authentication-Results
header a receiver adds. SPF and DKIM are computed by their own packages; this module only
composes them (the checks are injectable so that each part can be tested alone)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mailwarden.authres import build_authentication_results, strip_forged
from mailwarden.dmarc import (
    AuthorDomains,
    DkimResultLike,
    DmarcResult,
    Mode,
    SpfResultLike,
    author_domains,
    evaluate_dmarc,
    parse_header_block,
)
from mailwarden.dns import Resolver

__all__ = ["DkimCheck", "SpfCheck", "VerifyResult", "verify_json", "verify_message"]

SpfCheck = Callable[[str, str, str, Resolver], Awaitable[SpfResultLike]]
"""``(ip, mail_from, helo, resolver) -> SPF result`` for the MAIL FROM identity."""

DkimCheck = Callable[[bytes, Resolver], Awaitable[Sequence[DkimResultLike]]]
"""``(message, resolver) -> one DKIM result per signature``."""


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The verdict on one message.

    ``authentication_results`` is the whole header field this receiver adds;
    ``forged_headers`` counts Authentication-Results headers in the message that claimed our
    authserv-id (a receiver removes them before delivery).
    """

    spf: SpfResultLike
    dkim: tuple[DkimResultLike, ...]
    dmarc: DmarcResult
    author: AuthorDomains
    authentication_results: str
    authserv_id: str
    forged_headers: int = 0

    @property
    def passed(self) -> bool:
        """Return True when DMARC passed."""
        return self.dmarc.result == "pass"


async def verify_message(
    message: bytes,
    *,
    ip: str,
    helo: str,
    mail_from: str,
    resolver: Resolver,
    spf_check: SpfCheck,
    dkim_check: DkimCheck,
    authserv_id: str = "localhost",
    mode: Mode | str = Mode.RFC9989,
) -> VerifyResult:
    """Return SPF, DKIM and DMARC results for ``message`` received from ``ip`` / ``helo``
    with envelope sender ``mail_from``, and the Authentication-Results header for them.

    Raises ``InputError`` from ``spf_check`` for an ``ip`` that is not an IP address, and
    ``ParseError`` for an ``authserv_id`` that is not a token; protocol problems are results.
    """
    headers = parse_header_block(message)
    _, forged = strip_forged(headers, authserv_id)
    spf = await spf_check(ip, mail_from, helo, resolver)
    dkim = tuple(await dkim_check(message, resolver))
    author = author_domains(headers)
    dmarc = await evaluate_dmarc(author, spf=spf, dkim=dkim, resolver=resolver, mode=mode)
    header = build_authentication_results(
        authserv_id,
        spf=spf,
        mail_from=mail_from.strip().strip("<>") or None,
        helo=helo,
        dkim=dkim,
        dmarc=dmarc,
    )
    return VerifyResult(
        spf, dkim, dmarc, author, header.to_header(), authserv_id, forged_headers=len(forged)
    )


def _word(value: Any) -> Any:
    return None if value is None else str(getattr(value, "value", value))


def verify_json(result: VerifyResult) -> dict[str, Any]:
    """Return the JSON object of ``mailwarden verify --json``: exactly the keys ``spf``,
    ``dkim``, ``dmarc`` and ``authentication_results``."""
    dmarc = result.dmarc
    return {
        "spf": {"result": _word(result.spf.result), "domain": result.spf.domain},
        "dkim": [
            {"domain": d.domain, "selector": d.selector, "result": _word(d.result)}
            for d in result.dkim
        ],
        "dmarc": {
            "result": _word(dmarc.result),
            "policy": _word(dmarc.policy),
            "disposition": _word(dmarc.disposition),
            "author_domain": dmarc.author_domain,
            "org_domain": dmarc.org_domain,
        },
        "authentication_results": result.authentication_results,
    }
