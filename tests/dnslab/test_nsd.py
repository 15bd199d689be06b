"""The NSD starter: zone discovery, free ports, failing fast on a broken zone file."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from bench.dnslab import NsdServer, NsdZoneError, free_port, zones_from_files


def test_zones_from_files(tmp_path: Path) -> None:
    """A zone's origin comes from its $ORIGIN line, else from the file name ORIGIN.zone."""
    with_origin = tmp_path / "whatever.txt"
    with_origin.write_text("$ORIGIN Example.TEST.\n@ 300 SOA a b 1 2 3 4 5\n")
    by_name = tmp_path / "other.test.zone"
    by_name.write_text("@ 300 SOA a b 1 2 3 4 5\n")
    assert zones_from_files([with_origin, by_name]) == {
        "example.test": with_origin.resolve(),
        "other.test": by_name.resolve(),
    }


def test_free_port_is_bindable() -> None:
    """free_port returns a port UDP and TCP sockets can bind on loopback."""
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", port))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
        tcp.bind(("127.0.0.1", port))


def test_config_is_loopback_and_unprivileged(tmp_path: Path) -> None:
    """The generated nsd.conf binds the given loopback port, keeps the user and has no chroot."""
    zone = tmp_path / "example.test.zone"
    zone.write_text("@ 300 SOA a b 1 2 3 4 5\n")
    server = NsdServer({"example.test": zone}, tmp_path / "work")
    (tmp_path / "work").mkdir()
    text = server.write_config(5399).read_text()
    assert "ip-address: 127.0.0.1@5399" in text
    assert 'username: ""' in text and 'chroot: ""' in text and 'database: ""' in text
    assert f'zonefile: "{zone.resolve()}"' in text


def test_broken_zone_fails_fast(nsd: Callable[..., NsdServer], tmp_path: Path) -> None:
    """A zone file NSD cannot load raises NsdZoneError naming file and line, without waiting."""
    zone = tmp_path / "bad.test.zone"
    zone.write_text("$ORIGIN bad.test.\n@ 300 SOA ns1 host 1 2 3 4 5\n@ 300 MX ten mx\n")
    with pytest.raises(NsdZoneError, match=r"bad\.test\.zone:3: "):
        nsd({"bad.test": zone}, tmp_path / "work", startup_timeout=30)


def test_cpu_seconds_while_running(nsd: Callable[..., NsdServer], tmp_path: Path) -> None:
    """NSD's CPU time is readable while it runs and None once it stopped."""
    zone = tmp_path / "cpu.test.zone"
    zone.write_text("$ORIGIN cpu.test.\n@ 300 SOA ns1 host 1 2 3 4 5\n@ 300 NS ns1\n")
    server = nsd({"cpu.test": zone}, tmp_path / "work")
    used = server.cpu_seconds()
    server.stop()
    assert used is not None and used >= 0
    assert server.cpu_seconds() is None
