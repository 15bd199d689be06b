"""HTTPS fetching for MTA-STS policies: the one network adapter besides DNS.

Host names are resolved through the injected ``Resolver``, so tests and pre-flight runs can
point them at loopback; redirects are not followed (RFC 8461 section 3.3) and bodies are capped.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

from mailwarden.dns import Resolver

__all__ = ["FetchResult", "HttpsFetcher"]


@dataclass(frozen=True, slots=True)
class FetchResult:
    """An HTTP response (``status``, ``content_type``, ``body``) or an ``error`` sentence."""

    url: str
    status: int = 0
    content_type: str = ""
    body: bytes = b""
    error: str = ""


class HttpsFetcher:
    """Fetch ``https://host/path`` with GET over HTTP/1.1, resolving ``host`` with ``resolver``.

    ``port`` and ``ssl_context`` are for tests (a loopback server with its own CA).
    """

    def __init__(
        self,
        resolver: Resolver,
        *,
        timeout: float = 10.0,
        max_bytes: int = 64 * 1024,
        port: int = 443,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.resolver = resolver
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.port = port
        self.ssl_context = ssl_context or ssl.create_default_context()

    async def fetch(self, host: str, path: str) -> FetchResult:
        """Return the response for ``https://host/path``; errors are reported, never raised."""
        url = f"https://{host}{path}"
        addresses = await self._addresses(host)
        if not addresses:
            return FetchResult(url, error=f"{host} has no address")
        try:
            return await asyncio.wait_for(self._get(url, host, addresses[0], path), self.timeout)
        except TimeoutError:
            return FetchResult(url, error=f"no response within {self.timeout:g}s")
        except (OSError, ssl.SSLError, ValueError, asyncio.IncompleteReadError) as exc:
            return FetchResult(url, error=f"{type(exc).__name__}: {exc}")

    async def _addresses(self, host: str) -> list[str]:
        answers = await asyncio.gather(
            self.resolver.resolve(host, "A"), self.resolver.resolve(host, "AAAA")
        )
        return [address for answer in answers for address in answer.addresses()]

    async def _get(self, url: str, host: str, address: str, path: str) -> FetchResult:
        reader, writer = await asyncio.open_connection(
            address, self.port, ssl=self.ssl_context, server_hostname=host
        )
        try:
            request = (
                f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: mailwarden\r\n"
                "Accept: text/plain\r\nConnection: close\r\n\r\n"
            )
            writer.write(request.encode("ascii"))
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status, headers = _parse_head(head)
            body = await reader.read(self.max_bytes + 1)
        finally:
            writer.close()
        if len(body) > self.max_bytes:
            return FetchResult(url, status, error=f"body larger than {self.max_bytes} bytes")
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = _unchunk(body)
        return FetchResult(url, status, headers.get("content-type", ""), body)


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("iso-8859-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ValueError(f"malformed status line {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


def _unchunk(body: bytes) -> bytes:
    out, rest = bytearray(), body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2 :]
    return bytes(out)
