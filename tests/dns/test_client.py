"""DnsResolver without a network: in-flight cap, server fallback, retries, system configuration."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import dns.message
import dns.rcode
import dns.resolver
import dns.rrset
import pytest

from mailwarden.dns import DnsResolver, Nameserver, Status
from mailwarden.dns import client as client_module
from mailwarden.errors import DnsError


class FakeNetwork:
    """Stands in for ``DnsResolver._ask``: per server an rcode, or None for silence."""

    def __init__(self, behaviour: dict[str, int | None], delay: float = 0.0) -> None:
        self.behaviour = behaviour
        self.delay = delay
        self.asked: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def ask(
        self, query: dns.message.Message, server: Nameserver
    ) -> tuple[dns.message.Message | None, str]:
        self.asked.append(str(server))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        rcode = self.behaviour[str(server)]
        if rcode is None:
            return None, "timed out after 0.1s"
        response = dns.message.make_response(query)
        response.set_rcode(rcode)
        if rcode == dns.rcode.NOERROR:
            question = query.question[0]
            response.answer.append(
                dns.rrset.from_text(question.name, 300, "IN", "TXT", '"v=spf1 -all"')
            )
        return dns.message.from_wire(response.to_wire()), ""  # as if it came off the wire


def _resolver(network: FakeNetwork, servers: list[str], **options: Any) -> DnsResolver:
    resolver = DnsResolver(servers, **options)
    resolver._ask = network.ask  # type: ignore[method-assign]
    return resolver


async def test_in_flight_cap() -> None:
    """No more than max_in_flight queries are outstanding at once."""
    network = FakeNetwork({"127.0.0.1:53": dns.rcode.NOERROR}, delay=0.01)
    resolver = _resolver(network, ["127.0.0.1"], max_in_flight=3)
    answers = await asyncio.gather(*(resolver.resolve(f"d{i}.test", "TXT") for i in range(12)))
    assert all(a.status is Status.NOERROR for a in answers)
    assert network.most_in_flight == 3


def test_usable_from_successive_event_loops() -> None:
    """The same resolver works in one asyncio.run after another, even when the cap is hit."""
    network = FakeNetwork({"127.0.0.1:53": dns.rcode.NOERROR}, delay=0.001)
    resolver = _resolver(network, ["127.0.0.1"], max_in_flight=1)

    async def burst() -> list[Status]:
        found = await asyncio.gather(*(resolver.resolve("a.test", "TXT") for _ in range(3)))
        return [a.status for a in found]

    assert asyncio.run(burst()) == [Status.NOERROR] * 3
    assert asyncio.run(burst()) == [Status.NOERROR] * 3


async def test_refusing_server_is_passed_over() -> None:
    """A REFUSED answer makes the resolver ask the next nameserver."""
    network = FakeNetwork({"127.0.0.1:53": dns.rcode.REFUSED, "127.0.0.2:53": dns.rcode.NOERROR})
    resolver = _resolver(network, ["127.0.0.1", "127.0.0.2"])
    answer = await resolver.resolve("example.test", "TXT")
    assert answer.status is Status.NOERROR
    assert network.asked == ["127.0.0.1:53", "127.0.0.2:53"]


async def test_all_servers_fail_is_servfail_naming_them() -> None:
    """When every server refuses or fails, the answer is SERVFAIL naming each, asked once."""
    network = FakeNetwork({"127.0.0.1:53": dns.rcode.REFUSED, "127.0.0.2:53": dns.rcode.SERVFAIL})
    resolver = _resolver(network, ["127.0.0.1", "127.0.0.2"], retries=2)
    answer = await resolver.resolve("example.test", "TXT")
    assert answer.status is Status.SERVFAIL
    assert "127.0.0.1:53: rcode REFUSED" in answer.detail
    assert "127.0.0.2:53: rcode SERVFAIL" in answer.detail
    assert len(network.asked) == 2


async def test_silent_servers_retried_then_timeout() -> None:
    """Silent servers are asked retries + 1 times each; then TIMEOUT naming them."""
    network = FakeNetwork({"127.0.0.1:53": None, "[::1]:5353": None})
    resolver = _resolver(network, ["127.0.0.1", "[::1]:5353"], retries=1)
    answer = await resolver.resolve("example.test", "TXT")
    assert answer.status is Status.TIMEOUT
    assert network.asked == ["127.0.0.1:53", "[::1]:5353"] * 2
    assert "127.0.0.1:53: timed out" in answer.detail and "[::1]:5353" in answer.detail


async def test_refusal_and_silence_is_servfail() -> None:
    """One server silent and one refusing: a server did answer, so SERVFAIL, not TIMEOUT."""
    network = FakeNetwork({"127.0.0.1:53": None, "127.0.0.2:53": dns.rcode.REFUSED})
    resolver = _resolver(network, ["127.0.0.1", "127.0.0.2"], retries=1)
    answer = await resolver.resolve("example.test", "TXT")
    assert answer.status is Status.SERVFAIL
    assert network.asked == ["127.0.0.1:53", "127.0.0.2:53", "127.0.0.1:53"]


async def test_bad_type_is_servfail_not_exception() -> None:
    """An unknown record type becomes a SERVFAIL answer saying why."""
    resolver = DnsResolver(["127.0.0.1"])
    answer = await resolver.resolve("example.test", "NOSUCHTYPE")
    assert answer.status is Status.SERVFAIL
    assert "cannot build query" in answer.detail


class FakeSystemConfig:
    """Stands in for dnspython's system resolver configuration."""

    servers: ClassVar[list[str]] = []

    def __init__(self, configure: bool = True) -> None:
        self.nameservers = list(self.servers)
        self.nameserver_ports: dict[str, int] = {}
        self.port = 53


def test_system_configuration_used_when_none_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without nameservers the system's configuration is read."""
    monkeypatch.setattr(FakeSystemConfig, "servers", ["192.0.2.53", "2001:db8::53"])
    monkeypatch.setattr(dns.resolver, "Resolver", FakeSystemConfig)
    resolver = DnsResolver()
    assert resolver.nameservers == [Nameserver("192.0.2.53"), Nameserver("2001:db8::53")]


def test_system_configuration_without_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A system configuration naming no nameserver is a DnsError, not a crash."""
    monkeypatch.setattr(FakeSystemConfig, "servers", [])
    monkeypatch.setattr(dns.resolver, "Resolver", FakeSystemConfig)
    with pytest.raises(DnsError, match="names no nameserver"):
        DnsResolver()


async def test_leaked_inner_cancellation_is_a_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A CancelledError leaking from dnspython's receive (not our task) becomes TIMEOUT."""

    async def leaky_udp(*args: object, **kwargs: object) -> None:
        raise asyncio.CancelledError

    monkeypatch.setattr(client_module.dns.asyncquery, "udp", leaky_udp)
    answer = await DnsResolver(["127.0.0.1:9"], timeout=0.1, retries=0).resolve("example.com", "A")
    assert answer.status is Status.TIMEOUT


async def test_real_cancellation_propagates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancelling the task that resolves still cancels it."""

    async def slow_udp(*args: object, **kwargs: object) -> None:
        await asyncio.sleep(10)

    monkeypatch.setattr(client_module.dns.asyncquery, "udp", slow_udp)
    task = asyncio.create_task(DnsResolver(["127.0.0.1:9"]).resolve("example.com", "A"))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
