"""HttpsFetcher against a real HTTPS server on loopback with its own certificate authority."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mailwarden.audit.mtasts import check_mta_sts
from mailwarden.net import HttpsFetcher
from mailwarden.testing import ZoneResolver
from tests.servers import self_signed

HOST = "mta-sts.example.com"
POLICY = b"version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[int, ssl.SSLContext, list[bytes]]]:
    """An HTTPS server on 127.0.0.1 serving the policy; yields port, client context, requests."""
    cert, key = self_signed(tmp_path, names=(HOST,), addresses=())
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    requests: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        requests.append(request)
        if b"/.well-known/mta-sts.txt" in request:
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
            body = POLICY
        else:
            head, body = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n", b"no"
        writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_context)
    port = srv.sockets[0].getsockname()[1]
    client_context = ssl.create_default_context(cafile=str(cert))
    async with srv:
        yield port, client_context, requests


ZONE = ZoneResolver.from_dict(
    {
        "example.com": {"MX": (10, "mx1.example.com")},
        "_mta-sts.example.com": {"TXT": "v=STSv1; id=1"},
        HOST: {"A": "127.0.0.1"},
    }
)


async def test_fetch_policy_over_https(server: tuple[int, ssl.SSLContext, list[bytes]]) -> None:
    """The fetcher resolves the host through the resolver and verifies the certificate."""
    port, context, requests = server
    fetcher = HttpsFetcher(ZONE, port=port, ssl_context=context)
    result = await fetcher.fetch(HOST, "/.well-known/mta-sts.txt")
    assert result.error == ""
    assert result.status == 200 and result.body == POLICY
    assert requests[0].startswith(
        b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " + HOST.encode()
    )


async def test_online_mta_sts_check(server: tuple[int, ssl.SSLContext, list[bytes]]) -> None:
    """The full online MTA-STS check matches the fetched policy against the MX hosts."""
    port, context, _ = server
    fetcher = HttpsFetcher(ZONE, port=port, ssl_context=context)
    result = await check_mta_sts(
        "example.com", resolver=ZONE, mx_hosts=("mx1.example.com",), fetcher=fetcher
    )
    assert result.valid and result.findings == ()
    assert result.policy is not None and result.policy.max_age == 604800


async def test_untrusted_certificate_is_an_error(
    server: tuple[int, ssl.SSLContext, list[bytes]],
) -> None:
    """With the default trust store the self-signed certificate is refused, not accepted."""
    port, _, _ = server
    result = await HttpsFetcher(ZONE, port=port).fetch(HOST, "/.well-known/mta-sts.txt")
    assert result.status == 0 and "CERTIFICATE_VERIFY_FAILED" in result.error


async def test_host_without_address() -> None:
    """A host with no address is reported without a connection attempt."""
    result = await HttpsFetcher(ZONE).fetch("mta-sts.nowhere.example", "/x")
    assert result.error == "mta-sts.nowhere.example has no address"
