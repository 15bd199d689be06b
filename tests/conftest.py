"""Shared fixtures: the shared conformance material, and NSD started on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from bench.dnslab import NsdServer, nsd_binary

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared read-only material beside the checkout."""
    if not SHARED.is_dir():
        pytest.skip(f"shared material not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def nsd() -> Iterator[Callable[..., NsdServer]]:
    """Start NSD on loopback: ``nsd(zones, workdir, host=..., ...)``; every server stops at the end.

    Skips (with the reason) when the nsd binary is not installed.
    """
    if nsd_binary() is None:
        pytest.skip("nsd not installed: /usr/sbin/nsd not found (Debian package nsd)")
    servers: list[NsdServer] = []

    def start(zones: Mapping[str, Path], workdir: Path, **options: Any) -> NsdServer:
        server = NsdServer(zones, workdir, **options)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
