"""Nameserver addresses: parsing ``host[:port]``, the system's list, socket error wording.

Kept apart from the dnspython-based client so that the lean client and the command line do
not import dnspython's query machinery to read an address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from mailwarden.errors import ConfigError, DnsError

__all__ = ["Nameserver", "describe_socket_error", "nameserver_list", "parse_nameserver"]


@dataclass(frozen=True, slots=True)
class Nameserver:
    """A nameserver address and port."""

    host: str
    port: int = 53

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_nameserver(text: str) -> Nameserver:
    """Return the ``Nameserver`` for ``host[:port]``, ``[v6]:port`` or a bare IPv6 address.

    A host name is resolved once with the system resolver. Raises ``ConfigError`` for an
    invalid port or a host that cannot be resolved.
    """
    raw = text.strip()
    host, port = raw, 53
    if raw.startswith("["):
        end = raw.find("]")
        if end < 0:
            raise ConfigError(f"nameserver {text!r}: missing ']'")
        host, rest = raw[1:end], raw[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ConfigError(f"nameserver {text!r}: expected ':PORT' after ']'")
            port = _port(text, rest[1:])
    elif raw.count(":") == 1:
        host, port_text = raw.split(":")
        port = _port(text, port_text)
    if not host:
        raise ConfigError(f"nameserver {text!r}: empty host")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        host = _resolve_host(text, host)
    return Nameserver(host, port)


def _port(text: str, value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"nameserver {text!r}: port must be a number from 1 to 65535")
    return int(value)


def _resolve_host(text: str, host: str) -> str:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    except (OSError, UnicodeError) as exc:
        raise ConfigError(f"nameserver {text!r}: cannot resolve host: {exc}") from None
    return str(infos[0][4][0])


def nameserver_list(nameservers: Sequence[str] | None) -> list[Nameserver]:
    """Return the parsed ``host[:port]`` nameservers, or the system's when none are given.

    Raises ``ConfigError`` for an unusable entry and ``DnsError`` when the system
    configuration names no nameserver.
    """
    if nameservers:
        return [parse_nameserver(n) for n in nameservers]
    return _system_nameservers()


def _system_nameservers() -> list[Nameserver]:
    import dns.exception
    import dns.resolver

    try:
        config = dns.resolver.Resolver(configure=True)
    except dns.exception.DNSException as exc:
        raise DnsError(f"no system resolver configuration: {exc}") from None
    servers = [
        Nameserver(str(ns), int(config.nameserver_ports.get(str(ns), config.port)))
        for ns in config.nameservers
    ]
    if not servers:
        raise DnsError("the system resolver configuration names no nameserver")
    return servers


def describe_socket_error(exc: BaseException) -> str:
    """Return a short wording of a socket or query error (``connection refused``)."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return str(exc) or type(exc).__name__
