"""SPF record terms as frozen dataclasses: mechanisms, modifiers and the parsed record."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from mailwarden.spf.macros import MacroString
from mailwarden.spf.result import SpfResultCode

__all__ = [
    "A",
    "All",
    "Exists",
    "Explanation",
    "Include",
    "Ip4",
    "Ip6",
    "Mechanism",
    "Modifier",
    "Mx",
    "Ptr",
    "Qualifier",
    "Redirect",
    "SpfRecord",
    "Term",
    "UnknownModifier",
]


class Qualifier(StrEnum):
    """The prefix of a directive; ``result`` is the SPF result it gives when it matches."""

    PASS = "+"
    FAIL = "-"
    SOFTFAIL = "~"
    NEUTRAL = "?"

    @property
    def result(self) -> SpfResultCode:
        """Return the result code this qualifier produces on a match."""
        return _QUALIFIER_RESULTS[self]


_QUALIFIER_RESULTS = {
    Qualifier.PASS: SpfResultCode.PASS,
    Qualifier.FAIL: SpfResultCode.FAIL,
    Qualifier.SOFTFAIL: SpfResultCode.SOFTFAIL,
    Qualifier.NEUTRAL: SpfResultCode.NEUTRAL,
}


@dataclass(frozen=True, slots=True)
class All:
    """``all``: always matches."""

    qualifier: Qualifier
    text: str = "all"
    position: int = 0
    queries_dns: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class Include:
    """``include:domain-spec``: matches when the included policy passes."""

    qualifier: Qualifier
    domain: MacroString
    text: str = ""
    position: int = 0
    queries_dns: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class A:
    """``a[:domain-spec][/cidr4][//cidr6]``: matches an address of the target name."""

    qualifier: Qualifier
    domain: MacroString | None
    cidr4: int = 32
    cidr6: int = 128
    text: str = "a"
    position: int = 0
    queries_dns: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class Mx:
    """``mx[:domain-spec][/cidr4][//cidr6]``: matches an address of one of the target's MX hosts."""

    qualifier: Qualifier
    domain: MacroString | None
    cidr4: int = 32
    cidr6: int = 128
    text: str = "mx"
    position: int = 0
    queries_dns: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class Ptr:
    """``ptr[:domain-spec]`` (deprecated): matches a validated reverse name under the target."""

    qualifier: Qualifier
    domain: MacroString | None
    text: str = "ptr"
    position: int = 0
    queries_dns: ClassVar[bool] = True


def _set_bounds(term: Ip4 | Ip6, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> None:
    """Set ``low`` and ``high`` of a frozen ip4/ip6 term from its network's first address and
    prefix length (not ``broadcast_address``, which builds two address objects)."""
    low = int(network.network_address)
    object.__setattr__(term, "low", low)
    object.__setattr__(term, "high", low | ((1 << (network.max_prefixlen - network.prefixlen)) - 1))


@dataclass(frozen=True, slots=True)
class Ip4:
    """``ip4:network[/cidr]``: matches IPv4 clients inside the network."""

    qualifier: Qualifier
    network: ipaddress.IPv4Network
    text: str = ""
    position: int = 0
    low: int = field(init=False, repr=False, compare=False, default=0)
    high: int = field(init=False, repr=False, compare=False, default=0)
    queries_dns: ClassVar[bool] = False

    def __post_init__(self) -> None:
        _set_bounds(self, self.network)


@dataclass(frozen=True, slots=True)
class Ip6:
    """``ip6:network[/cidr]``: matches IPv6 clients inside the network."""

    qualifier: Qualifier
    network: ipaddress.IPv6Network
    text: str = ""
    position: int = 0
    low: int = field(init=False, repr=False, compare=False, default=0)
    high: int = field(init=False, repr=False, compare=False, default=0)
    queries_dns: ClassVar[bool] = False

    def __post_init__(self) -> None:
        _set_bounds(self, self.network)


@dataclass(frozen=True, slots=True)
class Exists:
    """``exists:domain-spec``: matches when the target name has an A record."""

    qualifier: Qualifier
    domain: MacroString
    text: str = ""
    position: int = 0
    queries_dns: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class Redirect:
    """``redirect=domain-spec``: the policy of another domain, used when nothing matched."""

    domain: MacroString
    text: str = ""
    position: int = 0
    queries_dns: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class Explanation:
    """``exp=domain-spec``: where the explanation for a ``fail`` is published."""

    domain: MacroString
    text: str = ""
    position: int = 0
    queries_dns: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class UnknownModifier:
    """``name=macro-string`` for any other name: kept, checked for syntax, otherwise ignored."""

    name: str
    value: MacroString
    text: str = ""
    position: int = 0
    queries_dns: ClassVar[bool] = False


Mechanism = All | Include | A | Mx | Ptr | Ip4 | Ip6 | Exists
Modifier = Redirect | Explanation | UnknownModifier
Term = Mechanism | Modifier


@dataclass(frozen=True, slots=True)
class SpfRecord:
    """A parsed ``v=spf1`` record: its terms in order, with the two known modifiers apart."""

    text: str
    terms: tuple[Term, ...]
    mechanisms: tuple[Mechanism, ...]
    redirect: Redirect | None = None
    explanation: Explanation | None = None

    @property
    def all(self) -> All | None:
        """Return the first ``all`` mechanism, or ``None``."""
        for mechanism in self.mechanisms:
            if isinstance(mechanism, All):
                return mechanism
        return None

    @property
    def dns_terms(self) -> int:
        """Return how many terms of this record query DNS (include a mx ptr exists redirect)."""
        return sum(1 for term in self.terms if term.queries_dns)
