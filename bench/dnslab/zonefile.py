"""Zone-file text for the lab: one builder per zone, TXT strings quoted and split at 255 octets."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ZoneBuilder", "quote_txt", "split_txt"]

MAX_STRING = 255


def split_txt(value: str, size: int = MAX_STRING) -> list[str]:
    """Return ``value`` cut into character-strings of at most ``size`` octets (ASCII input)."""
    if not value:
        return [""]
    return [value[i : i + size] for i in range(0, len(value), size)]


def quote_txt(strings: list[str]) -> str:
    """Return TXT rdata in presentation form: each string quoted, ``"`` and ``\\`` escaped."""
    return " ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in strings)


@dataclass
class ZoneBuilder:
    """Records of one zone, written as an RFC 1035 zone file with absolute owner names.

    ``txt`` keeps every TXT RRset by owner (strings as published) for the manifest.
    """

    origin: str
    ttl: int = 3600
    negative_ttl: int = 300
    nameserver: str = ""
    lines: list[str] = field(default_factory=list)
    txt: dict[str, list[list[str]]] = field(default_factory=dict)

    def owner(self, label: str) -> str:
        """Return the absolute owner name for ``label`` (``@`` is the origin)."""
        return self.origin if label == "@" else f"{label}.{self.origin}"

    def add(self, label: str, rdtype: str, rdata: str) -> None:
        """Add one record at ``label`` (relative to the origin, ``@`` for the apex)."""
        self.lines.append(f"{self.owner(label)}. {rdtype} {rdata}")

    def add_txt(self, label: str, strings: list[str]) -> None:
        """Add one TXT record made of ``strings`` at ``label``."""
        self.add(label, "TXT", quote_txt(strings))
        self.txt.setdefault(self.owner(label), []).append(list(strings))

    def text(self) -> str:
        """Return the zone file: $ORIGIN, $TTL, SOA, NS, then the records in insertion order."""
        ns = self.nameserver or f"ns.{self.origin}."
        head = [
            f"$ORIGIN {self.origin}.",
            f"$TTL {self.ttl}",
            f"@ SOA {ns} hostmaster.{self.origin}. 2026010101 7200 3600 1209600 "
            f"{self.negative_ttl}",
            f"@ NS {ns}",
        ]
        return "\n".join(head + self.lines) + "\n"
