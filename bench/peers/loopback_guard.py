"""Refuse any network connection or name lookup that is not to a loopback address.

Imported first in a peer tool's process (checkdmarc fetches MTA-STS policies and BIMI files over
HTTPS and resolves their hosts with the system resolver): a lab domain must never make a peer
send traffic anywhere but 127.0.0.0/8 or ::1.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

_real_connect = socket.socket.connect
_real_sendto = socket.socket.sendto
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(host: Any) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return str(host) in ("localhost",)


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise ConnectionRefusedError(f"loopback guard: refused connection to {address[0]}")
    return _real_connect(self, address)


def _guarded_sendto(self: socket.socket, data: Any, *args: Any) -> Any:
    address = args[-1]
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise ConnectionRefusedError(f"loopback guard: refused datagram to {address[0]}")
    return _real_sendto(self, data, *args)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _is_loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, f"loopback guard: no lookup of {host}")
    return _real_getaddrinfo(host, *args, **kwargs)


def install() -> None:
    """Patch the socket module of this process so only loopback traffic is possible."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.sendto = _guarded_sendto  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _guarded_getaddrinfo
