"""Shared "provider" zones the lab domains point at: mail hosts, SPF include chains, report sinks.

Every name a lab domain refers to lies in a zone the lab serves, so that an authoritative
server answers NXDOMAIN (not REFUSED) for the dangling ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.dnslab.zonefile import ZoneBuilder

__all__ = ["CHAIN_DEPTH", "Providers"]

#: ``n{k}._spf.bulkmail.<tld>`` includes ``n{k-1}`` down to ``n0``: including ``n{k}`` costs
#: ``k + 1`` DNS lookups.
CHAIN_DEPTH = 15
MAILHOSTS = 3


@dataclass
class Providers:
    """The provider zones of one lab under ``tld``; ``rua-sink`` grows per authorized domain."""

    tld: str
    zones: dict[str, ZoneBuilder] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The TLD itself, holding nothing: a name that is not delegated then answers NXDOMAIN,
        # as at a real TLD (DMARC tree walks and PSL lookups ask for _dmarc.<tld>).
        self._zone(self.tld)
        # Every lab address is in 127.0.0.0/8; its reverse zone holds no PTR, so reverse
        # lookups answer NXDOMAIN instead of REFUSED.
        self._zone("127.in-addr.arpa")
        for index in range(MAILHOSTS):
            self._mailhost(index)
        self._bulkmail()
        wildcard = self._zone(self.report_wildcard)
        wildcard.add_txt("*._report._dmarc", ["v=DMARC1"])
        self._zone(self.report_explicit)
        self._zone(self.report_unauthorized)

    @property
    def nameserver(self) -> str:
        """The NS target every lab zone names (it has an A record in ``mailhost0``)."""
        return f"ns1.mailhost0.{self.tld}."

    @property
    def report_wildcard(self) -> str:
        """A DMARC report sink authorizing every domain with a ``*._report._dmarc`` record."""
        return f"dmarc-reports.{self.tld}"

    @property
    def report_explicit(self) -> str:
        """A DMARC report sink authorizing only the domains it lists (``D._report._dmarc``)."""
        return f"rua-sink.{self.tld}"

    @property
    def report_unauthorized(self) -> str:
        """A DMARC report sink that authorizes nobody."""
        return f"noauth-reports.{self.tld}"

    def mailhost(self, index: int) -> str:
        """Return the domain of mail host provider ``index``."""
        return f"mailhost{index % MAILHOSTS}.{self.tld}"

    def spf_include(self, index: int) -> str:
        """Return the SPF include target of mail host ``index`` (no further lookups)."""
        return f"_spf.{self.mailhost(index)}"

    def mx_host(self, index: int, number: int) -> str:
        """Return MX host ``number`` (1 or 2) of mail host ``index``; it has an A record."""
        return f"mx{number}.{self.mailhost(index)}"

    def chain(self, depth: int) -> str:
        """Return the include target costing ``depth + 1`` lookups when included."""
        return f"n{depth}._spf.bulkmail.{self.tld}"

    def authorize(self, domain: str) -> None:
        """Publish ``domain._report._dmarc.<rua-sink>`` so the explicit sink accepts it."""
        self.zones[self.report_explicit].add_txt(f"{domain}._report._dmarc", ["v=DMARC1"])

    def _zone(self, origin: str) -> ZoneBuilder:
        zone = ZoneBuilder(origin, nameserver=self.nameserver)
        zone.add("@", "A", "127.0.0.250")  # every lab address is loopback
        self.zones[origin] = zone
        return zone

    def _mailhost(self, index: int) -> None:
        zone = self._zone(self.mailhost(index))
        if index == 0:
            zone.add("ns1", "A", "127.0.0.253")
        zone.add("mx1", "A", f"127.0.0.{10 + index}")
        zone.add("mx2", "A", f"127.0.0.{20 + index}")
        net = f"198.51.100.{64 * index}/26"
        zone.add_txt("_spf", [f"v=spf1 ip4:{net} ip6:2001:db8:{100 + index}::/48 ~all"])

    def _bulkmail(self) -> None:
        zone = self._zone(f"bulkmail.{self.tld}")
        zone.add_txt("n0._spf", ["v=spf1 ip4:203.0.113.0/28 ~all"])
        for depth in range(1, CHAIN_DEPTH + 1):
            target = self.chain(depth - 1)
            record = f"v=spf1 ip4:203.0.113.{16 + depth}/32 include:{target} ~all"
            zone.add_txt(f"n{depth}._spf", [record])
