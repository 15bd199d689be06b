"""What DKIM verification returns: one ``DkimResult`` per DKIM-Signature field."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["DkimResult", "DkimStatus"]


class DkimStatus(StrEnum):
    """The result words of RFC 8601 section 2.7.1 for DKIM.

    mailwarden's verifier gives ``pass``, ``fail`` (the signature does not verify or is
    not acceptable: SHA-1, a short key, several From fields), ``policy`` (expired or not yet
    valid by its ``x=`` / ``t=``), ``temperror`` (DNS failed) and ``permerror`` (the
    signature, the key record or the message cannot be used). ``neutral`` is kept for
    consumers that read results from elsewhere.
    """

    PASS = "pass"
    FAIL = "fail"
    NEUTRAL = "neutral"
    POLICY = "policy"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"


@dataclass(frozen=True, slots=True)
class DkimResult:
    """The outcome for one signature.

    ``reason`` is a stable code (``ok``, ``body-hash-mismatch``, ``key-revoked``, ...; see
    ``docs/dkim.md``) and ``detail`` a sentence for people. ``key_bits`` is the public key
    size when the key was fetched. ``body_length`` is the ``l=`` value, and
    ``unsigned_body_bytes`` how many canonical body bytes follow it (not covered by the
    signature). ``testing`` is True when the key record carries ``t=y``. ``header_b`` is the
    start of the ``b=`` value, for Authentication-Results ``header.b``.
    """

    result: DkimStatus
    domain: str
    selector: str
    algorithm: str
    reason: str
    detail: str = ""
    key_bits: int | None = None
    identity: str = ""
    canonicalization: str = ""
    signed_headers: tuple[str, ...] = ()
    body_length: int | None = None
    unsigned_body_bytes: int | None = None
    timestamp: int | None = None
    expiration: int | None = None
    testing: bool = False
    header_b: str = ""

    @property
    def passed(self) -> bool:
        """Return True when the result is ``pass``."""
        return self.result is DkimStatus.PASS
