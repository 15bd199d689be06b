"""Enums of DMARC words and the small protocols DMARC takes its SPF and DKIM inputs through."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

__all__ = [
    "AlignmentMode",
    "DkimResultLike",
    "DmarcResultCode",
    "Mode",
    "Policy",
    "PsdFlag",
    "SpfResultLike",
]


class Policy(StrEnum):
    """A Domain Owner Assessment Policy (values of ``p``, ``sp``, ``np``)."""

    NONE = "none"
    QUARANTINE = "quarantine"
    REJECT = "reject"

    def lowered(self) -> Policy:
        """Return the policy one step below this one (``t=y``): reject→quarantine→none."""
        if self is Policy.REJECT:
            return Policy.QUARANTINE
        return Policy.NONE


class AlignmentMode(StrEnum):
    """Identifier alignment mode of ``adkim`` / ``aspf``."""

    RELAXED = "r"
    STRICT = "s"


class PsdFlag(StrEnum):
    """The ``psd`` tag: y (a public suffix domain), n (an organizational domain), u (unknown)."""

    YES = "y"
    NO = "n"
    UNKNOWN = "u"


class DmarcResultCode(StrEnum):
    """The DMARC result words of RFC 8601 / RFC 9989."""

    PASS = "pass"
    FAIL = "fail"
    NONE = "none"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"


class Mode(StrEnum):
    """Which specification drives discovery: RFC 9989 (tree walk) or RFC 7489 (PSL, pct)."""

    RFC9989 = "rfc9989"
    RFC7489 = "rfc7489"


class SpfResultLike(Protocol):
    """What DMARC needs of an SPF check: the result word and the domain checked.

    ``result`` is a string or a ``StrEnum`` whose value is one of ``pass fail softfail neutral
    none temperror permerror``; ``domain`` is the MAIL FROM (or HELO) domain SPF evaluated.
    """

    @property
    def result(self) -> str: ...

    @property
    def domain(self) -> str: ...


class DkimResultLike(Protocol):
    """What DMARC needs of one DKIM signature check: the result word, ``d=`` and ``s=``.

    ``result`` is one of ``pass fail neutral policy temperror permerror``.
    """

    @property
    def result(self) -> str: ...

    @property
    def domain(self) -> str: ...

    @property
    def selector(self) -> str: ...
