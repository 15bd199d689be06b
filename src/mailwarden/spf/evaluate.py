"""The ``check_host()`` function of RFC 7208, async, over the injected resolver.

Protocol problems never raise: they end in ``permerror`` (the policy is broken) or
``temperror`` (DNS failed) with a reason. Internally an ``_Abort`` carries such an ending
up through nested include / redirect levels.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from functools import lru_cache

from mailwarden.dns import Answer, Record, Resolver, Status, TXTRecord
from mailwarden.dns.names import is_subdomain, to_ascii
from mailwarden.errors import InputError, ParseError
from mailwarden.spf.macros import (
    ExpansionError,
    MacroContext,
    MacroString,
    expand,
    parse_macro_string,
    target_name,
)
from mailwarden.spf.parser import parse_record, quoted
from mailwarden.spf.result import SpfLimits, SpfResult, SpfResultCode, TraceStep
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
    SpfRecord,
)

__all__ = ["check_helo", "check_host", "check_mail_from", "client_address", "split_sender"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
R = SpfResultCode
_LABEL_RE = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_LABEL = re.compile(_LABEL_RE)
_DOMAIN = re.compile(rf"(?:{_LABEL_RE}\.)+{_LABEL_RE}")
_DEFAULT_LIMITS = SpfLimits()
_ERRORS = frozenset({Status.SERVFAIL, Status.TIMEOUT})
_PENDING = TraceStep(0, "", "", "")
MAX_DEPTH = 50
"""Hard ceiling on include / redirect nesting whatever ``SpfLimits.depth`` says: each level
holds a few coroutine frames, and this keeps them far from Python's recursion limit."""


class _Abort(Exception):
    """Ends the whole check with ``result`` (permerror or temperror) and ``reason``."""

    def __init__(self, result: SpfResultCode, reason: str) -> None:
        super().__init__(reason)
        self.result = result
        self.reason = reason
        self.origin: str | None = None


@dataclass(slots=True)
class _Outcome:
    """The result of evaluating one policy, before explanation (internal, so not frozen:
    it is created once per policy level and frozen dataclasses are slower to build)."""

    result: SpfResultCode
    mechanism: str | None
    reason: str | None
    exp: tuple[Explanation, str] | None = None


def client_address(ip: str | IPAddress) -> IPAddress:
    """Return ``ip`` as an address, an IPv4-mapped IPv6 address as plain IPv4.

    Raises ``InputError`` for text that is not an IP address.
    """
    if isinstance(ip, str):
        text = ip.strip().strip("[]")
        try:
            packed = socket.inet_pton(socket.AF_INET6 if ":" in text else socket.AF_INET, text)
        except OSError:
            raise InputError(f"{text!r} is not an IP address") from None
        if len(packed) == 4:
            return ipaddress.IPv4Address(packed)
        ip = ipaddress.IPv6Address(packed)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def split_sender(mail_from: str, helo: str | None) -> tuple[str, str]:
    """Return ``(domain, sender)`` for the MAIL FROM identity (RFC 7208 sections 2.4, 4.3).

    An empty reverse-path becomes ``postmaster@<helo>``; an empty local-part becomes
    ``postmaster``; angle brackets are removed.
    """
    address = mail_from.strip().removeprefix("<").removesuffix(">")
    if not address:
        name = (helo or "").strip()
        return name, f"postmaster@{name}"
    local, at, domain = address.rpartition("@")
    if not at:
        return address, f"postmaster@{address}"
    return domain, f"{local or 'postmaster'}@{domain}"


async def check_mail_from(
    ip: str | IPAddress,
    mail_from: str,
    helo: str | None = None,
    *,
    resolver: Resolver,
    limits: SpfLimits = _DEFAULT_LIMITS,
    receiver: str = "unknown",
    now: dt.datetime | None = None,
) -> SpfResult:
    """Return the SPF result for the MAIL FROM identity ``mail_from`` (HELO when it is empty).

    Raises ``InputError`` only for an ``ip`` that is not an IP address.
    """
    domain, sender = split_sender(mail_from, helo)
    identity = "mailfrom" if mail_from.strip("<> ") else "helo"
    return await check_host(
        ip, domain, sender, helo=helo, resolver=resolver, limits=limits,
        receiver=receiver, now=now, identity=identity,
    )  # fmt: skip


async def check_helo(
    ip: str | IPAddress,
    helo: str,
    *,
    resolver: Resolver,
    limits: SpfLimits = _DEFAULT_LIMITS,
    receiver: str = "unknown",
    now: dt.datetime | None = None,
) -> SpfResult:
    """Return the SPF result for the HELO identity (sender ``postmaster@<helo>``).

    Raises ``InputError`` only for an ``ip`` that is not an IP address.
    """
    return await check_host(
        ip, helo, f"postmaster@{helo}", helo=helo, resolver=resolver, limits=limits,
        receiver=receiver, now=now, identity="helo",
    )  # fmt: skip


async def check_host(
    ip: str | IPAddress,
    domain: str,
    sender: str,
    *,
    helo: str | None = None,
    resolver: Resolver,
    limits: SpfLimits = _DEFAULT_LIMITS,
    receiver: str = "unknown",
    now: dt.datetime | None = None,
    identity: str = "mailfrom",
) -> SpfResult:
    """Return the result of RFC 7208 ``check_host(ip, domain, sender)``.

    ``helo`` feeds the ``h`` macro, ``receiver`` the ``r`` macro and ``now`` the ``t``
    macro; ``limits`` holds the processing limits. The result is ``none`` for a domain
    that is not a valid host name or publishes no record. Raises ``InputError`` only for
    an ``ip`` that is not an IP address.
    """
    address = client_address(ip)
    name = domain[:-1] if domain.endswith(".") else domain
    if not name.isascii():
        name = _a_labels(name)
    if "@" not in sender:
        sender = f"postmaster@{sender or name}"
    local, _, sender_domain = sender.rpartition("@")
    context = MacroContext(
        sender, local or "postmaster", sender_domain, address, helo or "unknown", receiver, now
    )
    check = _Check(address, context, resolver, limits)
    problem = _initial_problem(name)
    if problem is not None:
        outcome = _Outcome(R.NONE, None, problem)
    else:
        outcome = await check.run_top(name)
    explanation = None
    if outcome.result is R.FAIL and outcome.exp is not None:
        explanation = await check.explain(*outcome.exp)
    reason = outcome.reason or _match_reason(outcome, name, check.ip_text)
    return SpfResult(
        outcome.result, name, check.ip_text, sender, helo, identity, outcome.mechanism,
        explanation, reason, check.lookups, check.voids, tuple(check.trace),
    )  # fmt: skip


def _a_labels(domain: str) -> str:
    """Return an internationalized ``domain`` in A-labels (SMTPUTF8 senders), or it unchanged
    when it is not valid IDNA (``_initial_problem`` then reports it)."""
    try:
        return to_ascii(domain)
    except InputError:
        return domain


def _initial_problem(domain: str) -> str | None:
    """Return why ``domain`` cannot have a policy (RFC 7208 section 4.3), or ``None``."""
    if _DOMAIN.fullmatch(domain) is not None and len(domain) <= 253:
        return None
    if not domain or domain.startswith("["):
        return f"{domain!r} is not a domain name, so it has no SPF policy"
    if not domain.isascii():
        return f"{domain!r} is not an ASCII domain name, so it has no SPF policy"
    labels = domain.split(".")
    if len(labels) < 2:
        return f"{domain!r} is not a fully qualified domain name, so it has no SPF policy"
    if len(domain) > 253:
        return f"{domain[:40]!r}... is {len(domain)} octets, over 253: no SPF policy"
    for label in labels:
        if _LABEL.fullmatch(label) is None:
            why = "empty" if not label else f"invalid ({len(label)} octets)"
            return f"{domain!r} has an {why} label, so it has no SPF policy"
    return None


class _Check:
    """The state of one ``check_host()`` call: counters, trace, recursion stack, deadline."""

    __slots__ = (
        "address_type",
        "context",
        "current",
        "deadline",
        "ip",
        "ip_int",
        "ip_text",
        "limits",
        "lookups",
        "max_depth",
        "ptr_cache",
        "resolver",
        "stack",
        "trace",
        "voids",
    )

    def __init__(
        self, ip: IPAddress, context: MacroContext, resolver: Resolver, limits: SpfLimits
    ) -> None:
        self.ip = ip
        self.ip_int = int(ip)
        self.ip_text = socket.inet_ntoa(ip.packed) if ip.version == 4 else str(ip)
        self.address_type = "A" if ip.version == 4 else "AAAA"
        self.context = context
        self.resolver = resolver
        self.limits = limits
        self.max_depth = min(limits.depth, MAX_DEPTH)
        self.lookups = 0
        self.voids = 0
        self.current = ("", "")
        self.trace: list[TraceStep] = []
        self.stack: list[str] = []
        self.ptr_cache: dict[str, str] = {}
        timeout = limits.timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout

    # -- the top level ------------------------------------------------------------------

    async def run_top(self, domain: str) -> _Outcome:
        """Evaluate the policy of ``domain``, turning aborts into outcomes."""
        try:
            return await self.policy(domain, 0)
        except _Abort as abort:
            return _Outcome(abort.result, None, abort.reason)

    async def explain(self, exp: Explanation, domain: str) -> str | None:
        """Return the ``exp=`` text for policy ``domain``, or ``None`` when it cannot be had.

        RFC 7208 section 6.2: any DNS problem, no or several TXT records, or a syntax error
        in the text means no explanation. This lookup counts against no limit.
        """
        try:
            name = await self.target(exp.domain, domain)
            answer = await self.resolve(name, "TXT")
        except _Abort:
            return None
        texts = answer.texts() if answer.status is Status.NOERROR else []
        if len(texts) != 1:
            self.note(0, domain, exp.text, f"no usable explanation at {name}")
            return None
        try:
            string = parse_macro_string(texts[0], explanation=True)
            await self.fill_p(string, domain)
            return expand(string, self.context, domain, limit=self.limits.expansion)
        except (ParseError, ExpansionError, _Abort) as error:
            self.note(0, domain, exp.text, f"explanation ignored: {error}")
            return None

    # -- one policy ---------------------------------------------------------------------

    async def policy(self, domain: str, depth: int) -> _Outcome:
        """Return the outcome of the policy of ``domain`` at nesting ``depth``."""
        if depth > self.max_depth:
            raise _Abort(R.PERMERROR, f"include / redirect nested deeper than {self.max_depth}")
        key = domain.lower()
        if key in self.stack:
            chain = " -> ".join([*self.stack[self.stack.index(key) :], key])
            raise _Abort(R.PERMERROR, f"include / redirect loop: {chain}")
        record = await self.fetch(domain, depth)
        if record is None:
            return _Outcome(R.NONE, None, f"{domain} publishes no SPF record")
        # one step per policy, written when its outcome is known but placed before the
        # steps of the policies it includes
        index = len(self.trace)
        self.trace.append(_PENDING)
        self.stack.append(key)
        try:
            outcome = await self.evaluate(record, domain, depth)
        except _Abort as abort:
            if abort.origin is None:
                abort.origin = domain
                why = f": {abort.reason}"
            else:
                why = f" (from the policy of {abort.origin})"
            note = f"{record.text}  =>  {abort.result.value}{why}"
            self.trace[index] = TraceStep(depth, domain, "", note)
            raise
        finally:
            self.stack.pop()
        term = outcome.mechanism or ""
        decided = f" ({term})" if term else ""
        note = f"{record.text}  =>  {outcome.result.value}{decided}"
        self.trace[index] = TraceStep(depth, domain, term, note)
        return outcome

    async def fetch(self, domain: str, depth: int) -> SpfRecord | None:
        """Return the parsed record of ``domain``, ``None`` when it has none; aborts on errors."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise _Abort(R.TEMPERROR, f"the check took longer than {self.limits.timeout:g} s")
        answer = await self.resolver.resolve(domain, "TXT")
        if answer.status in _ERRORS:
            raise _dns_error(answer, f"the SPF record of {domain}")
        found = _spf_texts(answer.records)
        if not found:
            self.note(depth, domain, "", "no SPF record")
            return None
        if len(found) > 1:
            raise _Abort(R.PERMERROR, f"{domain} publishes {len(found)} SPF records; one allowed")
        try:
            record = parse_record(found[0])
        except ParseError as error:
            reason = f"syntax error in the SPF record of {domain}: {error}"
            raise _Abort(R.PERMERROR, reason) from None
        if len(record.terms) > self.limits.terms:
            raise _Abort(R.PERMERROR, f"the SPF record of {domain} has {len(record.terms)} "
                         f"terms, over the limit of {self.limits.terms}")  # fmt: skip
        return record

    async def evaluate(self, record: SpfRecord, domain: str, depth: int) -> _Outcome:
        """Run the mechanisms of ``record`` in order, then its redirect, then the default."""
        v4 = self.ip.version == 4
        for mechanism in record.mechanisms:
            kind = type(mechanism)
            if kind is Ip4:
                matched = v4 and mechanism.low <= self.ip_int <= mechanism.high  # type: ignore[union-attr]
            elif kind is Ip6:
                matched = not v4 and mechanism.low <= self.ip_int <= mechanism.high  # type: ignore[union-attr]
            elif kind is All:
                matched = True
            else:
                matched = await self.matches(mechanism, domain, depth)
            if matched:
                exp = (record.explanation, domain) if record.explanation else None
                return _Outcome(mechanism.qualifier.result, mechanism.text, None, exp)
        redirect = record.redirect
        if redirect is not None:
            self.count(redirect.text, domain)
            target = await self.target(redirect.domain, domain)
            self.note(depth, domain, redirect.text, f"redirect to {target}")
            outcome = await self.policy(target, depth + 1)
            if outcome.result is R.NONE:
                raise _Abort(R.PERMERROR, f"redirect target {target} has no SPF record")
            return outcome
        reason = f"no mechanism of the SPF record of {domain} matched {self.ip_text}: neutral"
        return _Outcome(R.NEUTRAL, None, reason)

    # -- mechanisms that query DNS ------------------------------------------------------

    async def matches(self, mechanism: Mechanism, domain: str, depth: int) -> bool:
        """Return True when a DNS-querying ``mechanism`` matches; aborts on errors and limits."""
        self.count(mechanism.text, domain)
        self.current = (mechanism.text, domain)
        if isinstance(mechanism, Include):
            return await self.include(mechanism, domain, depth)
        assert isinstance(mechanism, A | Mx | Exists | Ptr)
        name = await self.target(mechanism.domain, domain)
        if isinstance(mechanism, A):
            matched = await self.address_match(name, mechanism.cidr4, mechanism.cidr6, "a")
            why = f"no address of {name} is {self.ip_text}{_range(mechanism)}"
        elif isinstance(mechanism, Mx):
            matched = await self.mx(mechanism, name)
            why = f"no MX host of {name} has the address {self.ip_text}{_range(mechanism)}"
        elif isinstance(mechanism, Exists):
            matched = bool((await self.lookup(name, "A")).records)
            why = f"{name} has no A record"
        else:
            matched = await self.ptr(name)
            why = f"no validated reverse name of {self.ip_text} lies under {name}"
        if not matched:
            self.note(depth, domain, mechanism.text, f"no match: {why}")
        return matched

    async def include(self, mechanism: Include, domain: str, depth: int) -> bool:
        """Return True when the included policy passes (RFC 7208 section 5.2)."""
        spec = mechanism.domain
        if spec.is_static:
            target = self.static_target(spec, domain)
        else:
            target = await self.target(spec, domain)
        outcome = await self.policy(target, depth + 1)
        result = outcome.result
        if result is R.PASS:
            return True
        if result is R.TEMPERROR or result is R.PERMERROR:
            raise _Abort(result, outcome.reason or result.value)
        if result is R.NONE:
            raise _Abort(R.PERMERROR, f"included domain {target} has no SPF record")
        self.note(depth, domain, mechanism.text, f"no match: the included policy gave {result}")
        return False

    async def mx(self, mechanism: Mx, name: str) -> bool:
        """Return True when an address of one of the MX hosts of ``name`` matches."""
        answer = await self.lookup(name, "MX")
        hosts = [record.exchange for record in answer.mx() if record.exchange]
        if len(hosts) > self.limits.mx_names:
            raise _Abort(R.PERMERROR, f"{mechanism.text}: {name} has {len(hosts)} MX hosts, "
                         f"over the limit of {self.limits.mx_names}")  # fmt: skip
        for host in hosts:
            if await self.address_match(host, mechanism.cidr4, mechanism.cidr6, "mx"):
                return True
        return False

    async def ptr(self, target: str) -> bool:
        """Return True when a validated reverse name of the client lies under ``target``."""
        for name in await self.reverse_names():
            if is_subdomain(name, target) and await self.validates(name):
                return True
        return False

    # -- DNS helpers --------------------------------------------------------------------

    def count(self, term: str, domain: str) -> None:
        """Count one DNS-querying term; abort past the limit."""
        self.lookups += 1
        if self.lookups > self.limits.dns_terms:
            raise _Abort(R.PERMERROR, f"more than {self.limits.dns_terms} DNS-querying terms "
                         f"(include a mx ptr exists redirect); the limit was reached at "
                         f"{term!r} in the policy of {domain}")  # fmt: skip

    def count_void(self, name: str, rdtype: str) -> None:
        """Count one void lookup; abort past the limit."""
        self.voids += 1
        if self.voids > self.limits.void_lookups:
            term, domain = self.current
            raise _Abort(R.PERMERROR, f"more than {self.limits.void_lookups} void lookups "
                         f"(names that do not exist or hold no records); the last was {name} "
                         f"{rdtype} for {term!r} in the policy of {domain}")  # fmt: skip

    async def resolve(self, name: str, rdtype: str) -> Answer:
        """Return the resolver's answer; abort with temperror once the deadline has passed."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise _Abort(R.TEMPERROR, f"the check took longer than {self.limits.timeout:g} s")
        return await self.resolver.resolve(name, rdtype)

    async def lookup(self, name: str, rdtype: str) -> Answer:
        """Return the answer; abort with temperror on DNS errors; count void answers."""
        answer = await self.resolve(name, rdtype)
        if answer.status in _ERRORS:
            raise _dns_error(answer, f"{name} {rdtype}")
        if answer.status is not Status.NOERROR or not answer.records:
            self.count_void(name, rdtype)
        return answer

    async def address_match(self, name: str, cidr4: int, cidr6: int, kind: str) -> bool:
        """Return True when an address of ``name`` of the client's family is in its CIDR range."""
        rdtype = self.address_type
        answer = await self.resolve(name, rdtype)
        if answer.status in _ERRORS:
            raise _dns_error(answer, f"{name} {rdtype} for {kind}")
        if answer.status is Status.NXDOMAIN or (
            not answer.records and self.limits.void_nodata_address
        ):
            self.count_void(name, rdtype)
        prefix = cidr4 if self.ip.version == 4 else cidr6
        return any(_in_prefix(self.ip, text, prefix) for text in answer.addresses())

    async def reverse_names(self) -> list[str]:
        """Return up to ``ptr_names`` PTR names of the client; DNS errors give none."""
        answer = await self.resolve(self.ip.reverse_pointer, "PTR")
        return answer.targets()[: self.limits.ptr_names] if answer.status not in _ERRORS else []

    async def validates(self, name: str) -> bool:
        """Return True when ``name`` has an address equal to the client (errors: skip it)."""
        answer = await self.resolve(name, self.address_type)
        prefix = 32 if self.ip.version == 4 else 128
        return any(_in_prefix(self.ip, text, prefix) for text in answer.addresses())

    async def target(self, spec: MacroString | None, domain: str) -> str:
        """Return the name ``spec`` designates for policy ``domain`` (``domain`` when None)."""
        if spec is None:
            return domain
        if spec.is_static:
            return self.static_target(spec, domain)
        try:
            if "p" in spec.letters:
                await self.fill_p(spec, domain)
            expanded = expand(spec, self.context, domain, limit=self.limits.expansion)
            return target_name(expanded)
        except ExpansionError as error:
            reason = f"{quoted(spec.text)} in the policy of {domain}: {error}"
            raise _Abort(R.PERMERROR, reason) from None

    def static_target(self, spec: MacroString, domain: str) -> str:
        """Return the name a macro-free ``spec`` designates; aborts when it is not a name."""
        try:
            return _static_name(spec.literal())
        except ExpansionError as error:
            reason = f"{quoted(spec.text)} in the policy of {domain}: {error}"
            raise _Abort(R.PERMERROR, reason) from None

    async def fill_p(self, spec: MacroString, domain: str) -> None:
        """Set the ``p`` macro value for ``domain`` when ``spec`` uses it (one counted lookup)."""
        if "p" not in spec.letters:
            return
        cached = self.ptr_cache.get(domain)
        if cached is None:
            if not self.ptr_cache:
                self.count("%{p}", domain)
            cached = await self.validated_name(domain)
            self.ptr_cache[domain] = cached
        self.context.p = cached

    async def validated_name(self, domain: str) -> str:
        """Return the client's validated name, preferring ``domain`` and its subdomains."""
        valid = [name for name in await self.reverse_names() if await self.validates(name)]
        for name in valid:
            if name.lower() == domain.lower():
                return name
        for name in valid:
            if is_subdomain(name, domain):
                return name
        return valid[0] if valid else "unknown"

    def note(self, depth: int, domain: str, term: str, note: str) -> None:
        """Append one step to the trace."""
        self.trace.append(TraceStep(depth, domain, term, note))


def _range(mechanism: A | Mx) -> str:
    """Return the CIDR ranges of ``a`` / ``mx`` as words when they are not the defaults."""
    if mechanism.cidr4 == 32 and mechanism.cidr6 == 128:
        return ""
    return f" (or in its /{mechanism.cidr4} or //{mechanism.cidr6} range)"


def _dns_error(answer: Answer, what: str) -> _Abort:
    """Return the temperror ending for a failed lookup of ``what``."""
    detail = f"{answer.status.value} {answer.detail}".rstrip()
    return _Abort(R.TEMPERROR, f"DNS error looking up {what}: {detail}")


@lru_cache(maxsize=4096)
def _static_name(text: str) -> str:
    """Return the name a macro-free domain-spec designates; raises ``ExpansionError``."""
    return target_name(text, truncate=False)


@lru_cache(maxsize=256)
def _spf_texts(records: tuple[Record, ...]) -> tuple[str, ...]:
    """Return the joined texts of the TXT records that start with ``v=spf1`` (cached, small:
    a caching resolver hands out the same records for every message)."""
    found = []
    for record in records:
        if isinstance(record, TXTRecord):
            data = b"".join(record.strings)
            if data[:6].lower() == b"v=spf1" and (len(data) == 6 or data[6:7] == b" "):
                found.append(data.decode("utf-8", "replace"))
    return tuple(found)


def _in_prefix(ip: IPAddress, text: str, prefix: int) -> bool:
    """Return True when address ``text`` (of the client's family) shares its first
    ``prefix`` bits with ``ip``; text that is not such an address never matches."""
    family, bits = (socket.AF_INET, 32) if ip.version == 4 else (socket.AF_INET6, 128)
    try:
        other = int.from_bytes(socket.inet_pton(family, text), "big")
    except OSError:
        return False
    shift = bits - prefix
    return (int(ip) >> shift) == (other >> shift)


def _match_reason(outcome: _Outcome, domain: str, ip: str) -> str:
    result, term = outcome.result, outcome.mechanism
    if result is R.PASS:
        return f"{domain} designates {ip} as permitted sender ({term!r} matched)"
    if result is R.FAIL:
        return f"{domain} does not designate {ip} as permitted sender ({term!r} matched)"
    if result is R.SOFTFAIL:
        return f"{domain} does not designate {ip} as permitted sender, softly ({term!r} matched)"
    return f"{domain} makes no statement about {ip} ({term!r} matched)"
