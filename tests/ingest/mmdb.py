"""A tiny writer of MaxMind DB files (IPv4, 24-bit records) for enrichment tests."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

__all__ = ["write_mmdb"]

METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"


def _control(kind: int, size: int) -> bytes:
    if size < 29:
        small, extra = size, b""
    elif size < 285:
        small, extra = 29, bytes([size - 29])
    else:
        small, extra = 30, (size - 285).to_bytes(2, "big")
    if kind <= 7:
        return bytes([(kind << 5) | small]) + extra
    return bytes([small, kind - 7]) + extra


class U16(int):
    """An integer stored as uint16."""


class U64(int):
    """An integer stored as uint64."""


def _uint(kind: int, value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return _control(kind, len(raw)) + raw


def _encode(value: Any) -> bytes:
    if isinstance(value, U16):
        return _uint(5, value)
    if isinstance(value, U64):
        return _uint(9, value)
    if isinstance(value, str):
        raw = value.encode()
        return _control(2, len(raw)) + raw
    if isinstance(value, bool):
        return _control(14, int(value))
    if isinstance(value, int):
        return _uint(6 if value < 1 << 32 else 9, value)
    if isinstance(value, dict):
        return _control(7, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value.items())
    if isinstance(value, list):
        return _control(11, len(value)) + b"".join(_encode(v) for v in value)
    raise TypeError(type(value).__name__)


def write_mmdb(path: Path, networks: dict[str, dict[str, Any]], kind: str = "Test-DB") -> Path:
    """Write an IPv4 MaxMind DB mapping each CIDR network to its record; return ``path``."""
    root: dict[str, Any] = {}
    for cidr, record in networks.items():
        network = ipaddress.ip_network(cidr)
        bits = format(int(network.network_address), "032b")[: network.prefixlen]
        node = root
        for bit in bits[:-1]:
            node = node.setdefault(bit, {})
        node[bits[-1]] = ("data", record)
    nodes, index, queue = [], {}, [root]
    while queue:
        node = queue.pop(0)
        index[id(node)] = len(nodes)
        nodes.append(node)
        queue.extend(c for c in (node.get("0"), node.get("1")) if isinstance(c, dict))
    count = len(nodes)
    data = bytearray()

    def pointer(child: Any) -> int:
        if child is None:
            return count
        if isinstance(child, dict):
            return index[id(child)]
        offset = len(data)
        data.extend(_encode(child[1]))
        return count + 16 + offset

    tree = b"".join(
        pointer(n.get("0")).to_bytes(3, "big") + pointer(n.get("1")).to_bytes(3, "big")
        for n in nodes
    )
    metadata = {
        "node_count": count,
        "record_size": U16(24),
        "ip_version": U16(4),
        "database_type": kind,
        "languages": ["en"],
        "binary_format_major_version": U16(2),
        "binary_format_minor_version": U16(0),
        "build_epoch": U64(1767225600),
        "description": {"en": "mailwarden test database"},
    }
    path.write_bytes(tree + bytes(16) + bytes(data) + METADATA_MARKER + _encode(metadata))
    return path
