"""DKIM verification (RFC 6376 section 6, RFC 8301, RFC 8463): one result per signature."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mailwarden.dkim.canon import BodyHasher, Canon
from mailwarden.dkim.crypto import HeaderIndex, header_digest, verify_digest
from mailwarden.dkim.keys import KeyRecord, KeyRecordError, parse_key_record
from mailwarden.dkim.message import Header, parse_header_section, parse_message
from mailwarden.dkim.results import DkimResult, DkimStatus
from mailwarden.dkim.signature import Signature, SignatureError, parse_signature, strip_b_value
from mailwarden.dns import Resolver, Status
from mailwarden.errors import ParseError

__all__ = ["MAX_SIGNATURES", "DkimVerifier", "verify"]

MAX_SIGNATURES = 16
CLOCK_SKEW = 300
_CHUNK = 1 << 16
_LOOSE_TAG = re.compile(rb"(?:^|;)[ \t\r\n]*([ds])[ \t\r\n]*=[ \t\r\n]*([A-Za-z0-9._-]{1,253})")
_SIGNATURE_LINE = re.compile(rb"(?im)^dkim-signature[ \t]*:")

BodyKey = tuple[Canon, str, int | None]


@dataclass(frozen=True, slots=True)
class _Problem:
    status: DkimStatus
    reason: str
    detail: str


async def verify(
    message: bytes,
    *,
    resolver: Resolver,
    now: dt.datetime | None = None,
    allow_sha1: bool = False,
    min_key_bits: int = 1024,
) -> list[DkimResult]:
    """Return one ``DkimResult`` per DKIM-Signature field of ``message``, top first.

    ``resolver`` answers the key lookups (``selector._domainkey.domain`` TXT); ``now``
    (default: the current time) judges ``t=`` and ``x=``. ``rsa-sha1`` fails unless
    ``allow_sha1``; RSA keys under ``min_key_bits`` fail. Never raises for message,
    signature or DNS problems: they become ``permerror`` / ``temperror`` results. Only the
    first ``MAX_SIGNATURES`` fields are verified; further ones are ``permerror``.
    """
    try:
        parsed = parse_message(message)
    except ParseError as exc:
        return _unparseable(message, exc)
    if not any(h.name == "dkim-signature" for h in parsed.headers):
        return []
    verifier = DkimVerifier(
        parsed.headers, now=now, allow_sha1=allow_sha1, min_key_bits=min_key_bits
    )
    body = parsed.body
    for start in range(0, len(body), _CHUNK):
        verifier.update(body[start : start + _CHUNK])
    return await verifier.finish(resolver)


class DkimVerifier:
    """Verify a message that arrives in pieces, as a milter sees it.

    Give the header fields (or :meth:`from_header_bytes` the header section), feed the body
    with :meth:`update` in chunks of any size, then await :meth:`finish`. Signatures are
    checked and body hashers set up at construction, so the body is read once, as it comes,
    for all signatures.
    """

    __slots__ = ("_hashers", "_index", "_min_key_bits", "_prepared")

    def __init__(
        self,
        headers: Sequence[Header],
        *,
        now: dt.datetime | None = None,
        allow_sha1: bool = False,
        min_key_bits: int = 1024,
    ) -> None:
        now_ts = int(now.timestamp()) if now is not None else int(time.time())
        self._index = HeaderIndex(headers)
        self._min_key_bits = min_key_bits
        fields = [h for h in headers if h.name == "dkim-signature"]
        self._prepared = [
            _prepare(f, self._index, now_ts, allow_sha1) if n < MAX_SIGNATURES else _too_many(f)
            for n, f in enumerate(fields)
        ]
        keys = {_body_key(item[0]) for item in self._prepared if isinstance(item, tuple)}
        self._hashers = {key: BodyHasher(key[0], key[1], key[2]) for key in keys}

    @classmethod
    def from_header_bytes(cls, header: bytes, **options: Any) -> DkimVerifier:
        """Return a verifier for the header section ``header`` (CRLF or LF lines).

        ``options`` are those of the constructor. Raises ``ParseError`` when ``header`` is
        not a header section.
        """
        return cls(parse_header_section(header), **options)

    def update(self, chunk: bytes) -> None:
        """Feed the next ``chunk`` of the body (CRLF line ends)."""
        for hasher in self._hashers.values():
            hasher.update(chunk)

    async def finish(self, resolver: Resolver) -> list[DkimResult]:
        """Return one result per signature, top first, looking keys up through ``resolver``.

        Never raises for signature or DNS problems.
        """
        pending = [item for item in self._prepared if isinstance(item, tuple)]
        keys = await _fetch_keys(resolver, {(sig.selector, sig.domain) for sig, _ in pending})
        bodies = {key: (h.digest(), h.length) for key, h in self._hashers.items()}
        return [
            item
            if isinstance(item, DkimResult)
            else _finish(
                item[0],
                item[1],
                keys[item[0].selector, item[0].domain],
                bodies,
                self._index,
                self._min_key_bits,
            )
            for item in self._prepared
        ]


def _prepare(
    field: Header, index: HeaderIndex, now: int, allow_sha1: bool
) -> DkimResult | tuple[Signature, Header]:
    """Return the parsed signature, or the result when it fails before any lookup."""
    try:
        sig = parse_signature(field.value)
    except SignatureError as exc:
        return _loose_result(field.value, DkimStatus.PERMERROR, exc.reason, str(exc))
    froms = index.count("from")
    if froms != 1:
        reason = "from-missing" if froms == 0 else "from-repeated"
        return _result(sig, DkimStatus.FAIL, reason, f"the message has {froms} From fields")
    if sig.hash_name == "sha1" and not allow_sha1:
        return _result(sig, DkimStatus.FAIL, "sha1-rejected", "rsa-sha1 is not accepted (RFC 8301)")
    if sig.timestamp is not None and sig.timestamp > now + CLOCK_SKEW:
        return _result(sig, DkimStatus.POLICY, "signature-in-future", f"t={sig.timestamp} is ahead")
    if sig.expiration is not None and sig.expiration < now:
        return _result(sig, DkimStatus.POLICY, "signature-expired", f"x={sig.expiration} is past")
    return sig, field


def _finish(
    sig: Signature,
    field: Header,
    key: KeyRecord | _Problem,
    bodies: dict[BodyKey, tuple[bytes, int]],
    index: HeaderIndex,
    min_key_bits: int,
) -> DkimResult:
    """Return the result of a signature whose key lookup is done."""
    if isinstance(key, _Problem):
        return _result(sig, key.status, key.reason, key.detail)
    problem = _key_problem(sig, key, min_key_bits)
    if problem is not None:
        return _result(sig, problem.status, problem.reason, problem.detail, key)
    body_hash, length = bodies[_body_key(sig)]
    extra = None
    if sig.body_length is not None:
        extra = length - sig.body_length
        if extra < 0:
            detail = f"l={sig.body_length} exceeds the {length} canonical body bytes"
            return _result(sig, DkimStatus.PERMERROR, "bad-body-length", detail, key)
    if body_hash != sig.body_hash:
        return _result(sig, DkimStatus.FAIL, "body-hash-mismatch", "body hash differs", key, extra)
    digest = header_digest(
        index, sig.signed_headers, sig.header_canon, strip_b_value(field.raw), sig.hash_name
    )
    assert key.public_key is not None  # revoked keys are a key problem
    if not verify_digest(key.public_key, sig.signature, digest, sig.hash_name):
        return _result(
            sig, DkimStatus.FAIL, "signature-mismatch", "signature does not verify", key, extra
        )
    return _result(sig, DkimStatus.PASS, "ok", "signature verified", key, extra)


def _key_problem(sig: Signature, key: KeyRecord, min_key_bits: int) -> _Problem | None:
    """Return why ``key`` cannot verify ``sig``, or ``None`` when it can."""
    perm = DkimStatus.PERMERROR
    if key.revoked:
        return _Problem(perm, "key-revoked", "the key record has an empty p= (revoked)")
    if key.key_type != sig.key_type:
        return _Problem(perm, "key-type-mismatch", f"k={key.key_type} but a={sig.algorithm}")
    if key.hash_algorithms is not None and sig.hash_name not in key.hash_algorithms:
        return _Problem(perm, "key-hash-mismatch", f"key h= does not allow {sig.hash_name}")
    if not {"*", "email"} & set(key.services):
        return _Problem(perm, "key-service-mismatch", "key s= does not include email")
    if "s" in key.flags and sig.identity.partition("@")[2] != sig.domain:
        return _Problem(perm, "key-strict-identity", "t=s forbids an i= subdomain of d=")
    if key.key_type == "rsa" and (key.key_bits or 0) < min_key_bits:
        detail = f"{key.key_bits}-bit RSA key, under {min_key_bits}"
        return _Problem(DkimStatus.FAIL, "key-too-short", detail)
    return None


async def _fetch_keys(
    resolver: Resolver, names: set[tuple[str, str]]
) -> dict[tuple[str, str], KeyRecord | _Problem]:
    """Return the key record (or the problem) of every ``(selector, domain)``, concurrently."""
    ordered = sorted(names)
    if len(ordered) == 1:  # the common case: no tasks to schedule
        return {ordered[0]: await _fetch_key(resolver, *ordered[0])}
    found = await asyncio.gather(*(_fetch_key(resolver, s, d) for s, d in ordered))
    return dict(zip(ordered, found, strict=True))


async def _fetch_key(resolver: Resolver, selector: str, domain: str) -> KeyRecord | _Problem:
    name = f"{selector}._domainkey.{domain}"
    answer = await resolver.resolve(name, "TXT")
    if answer.is_error:
        detail = f"{name}: {answer.status.value} {answer.detail}".strip()
        return _Problem(DkimStatus.TEMPERROR, "dns-error", detail)
    texts = [b"".join(strings) for strings in answer.txt_strings()]
    if answer.status is not Status.NOERROR or not texts:
        return _Problem(DkimStatus.PERMERROR, "no-key", f"{name}: {answer.status.value}")
    first: KeyRecordError | None = None
    for text in texts:
        try:
            return parse_key_record(text.decode("ascii", "replace"))
        except KeyRecordError as exc:
            first = first or exc
    assert first is not None
    return _Problem(DkimStatus.PERMERROR, first.reason, str(first))


def _body_key(sig: Signature) -> BodyKey:
    return sig.body_canon, sig.hash_name, sig.body_length


def _result(
    sig: Signature,
    status: DkimStatus,
    reason: str,
    detail: str,
    key: KeyRecord | None = None,
    unsigned: int | None = None,
) -> DkimResult:
    return DkimResult(
        result=status,
        domain=sig.domain,
        selector=sig.selector,
        algorithm=sig.algorithm,
        reason=reason,
        detail=detail,
        key_bits=key.key_bits if key is not None else None,
        identity=sig.identity,
        canonicalization=f"{sig.header_canon}/{sig.body_canon}",
        signed_headers=sig.signed_headers,
        body_length=sig.body_length,
        unsigned_body_bytes=unsigned,
        timestamp=sig.timestamp,
        expiration=sig.expiration,
        testing=key.testing if key is not None else False,
        header_b=sig.b_text[:12],
    )


def _loose_result(value: bytes, status: DkimStatus, reason: str, detail: str) -> DkimResult:
    """Return a result for an unusable signature, naming its d= and s= when they can be read."""
    tags = {m.group(1): m.group(2).decode("ascii") for m in _LOOSE_TAG.finditer(value[:4096])}
    domain, selector = tags.get(b"d", "").lower(), tags.get(b"s", "").lower()
    return DkimResult(status, domain, selector, "", reason, detail)


def _too_many(field: Header) -> DkimResult:
    detail = f"only the first {MAX_SIGNATURES} signatures are verified"
    return _loose_result(field.value, DkimStatus.PERMERROR, "too-many-signatures", detail)


def _unparseable(message: bytes, error: ParseError) -> list[DkimResult]:
    """Return one ``permerror`` per DKIM-Signature line of a message that cannot be parsed."""
    count = min(len(_SIGNATURE_LINE.findall(message)), MAX_SIGNATURES)
    return [
        DkimResult(DkimStatus.PERMERROR, "", "", "", "malformed-message", str(error))
        for _ in range(count)
    ]
