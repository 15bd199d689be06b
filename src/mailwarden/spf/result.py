"""What an SPF evaluation returns: the RFC 7208 result word and how it was reached."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["SpfLimits", "SpfResult", "SpfResultCode", "TraceStep"]


class SpfResultCode(StrEnum):
    """The seven results of RFC 7208 section 2.6."""

    PASS = "pass"
    FAIL = "fail"
    SOFTFAIL = "softfail"
    NEUTRAL = "neutral"
    NONE = "none"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"


@dataclass(frozen=True, slots=True)
class SpfLimits:
    """Processing limits; the defaults are those of RFC 7208 section 4.6.4 and beyond it.

    - ``dns_terms``: terms that query DNS (include a mx ptr exists redirect, and the first
      use of the ``p`` macro) per check.
    - ``void_lookups``: lookups answering NXDOMAIN or no data.
    - ``mx_names`` / ``ptr_names``: names of one MX / PTR answer looked at (over
      ``mx_names`` is a permerror, past ``ptr_names`` the rest is ignored).
    - ``depth``: nested include / redirect levels (at most 50 whatever is asked).
    - ``terms``: terms in one record (a TXT record cannot hold more than a few thousand).
    - ``expansion``: characters one macro expansion may produce before truncation.
    - ``void_nodata_address``: when True, an address lookup of ``a`` or of an MX host that
      answers no data (the name exists, without an address of the client's family) counts
      as a void lookup too; by default only NXDOMAIN does (see docs/spf.md).
    - ``timeout``: seconds a whole check may take, then temperror (None: no limit).
    """

    dns_terms: int = 10
    void_lookups: int = 2
    mx_names: int = 10
    ptr_names: int = 10
    depth: int = 10
    terms: int = 1000
    expansion: int = 8192
    void_nodata_address: bool = False
    timeout: float | None = 20.0


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One evaluation step: at ``depth``, in the policy of ``domain``, ``term`` gave ``note``."""

    depth: int
    domain: str
    term: str
    note: str


@dataclass(frozen=True, slots=True)
class SpfResult:
    """The outcome of ``check_host()``.

    ``result`` is the RFC word; ``domain`` the domain whose policy was checked (the
    MAIL FROM or HELO domain); ``mechanism`` the term of that policy that decided (``None``
    for the default result or an error); ``explanation`` the ``exp=`` text for a ``fail``
    (``None`` when the policy gives none); ``reason`` one sentence saying why;
    ``lookups`` / ``void_lookups`` the counters of RFC 7208 section 4.6.4; ``trace`` every
    step taken.
    """

    result: SpfResultCode
    domain: str
    ip: str
    sender: str
    helo: str | None = None
    identity: str = "mailfrom"
    mechanism: str | None = None
    explanation: str | None = None
    reason: str = ""
    lookups: int = 0
    void_lookups: int = 0
    trace: tuple[TraceStep, ...] = ()
