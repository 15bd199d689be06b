"""FastResolver.resolve_many against a tiny responder on loopback: the answers resolve gives."""

from __future__ import annotations

import asyncio

import dns.flags
import dns.message
import dns.rcode
import pytest

from mailwarden.dns import Answer, Status, TXTRecord
from mailwarden.dns.fastclient import FastResolver, _Gate
from tests.dns.test_fastclient import (
    Handler,
    answer,
    serve,
    tcp_answerer,
    truncate,
    zone_handler,
)

NAMES = [
    "example.com",
    "WWW.example.com.",
    "no.example.com",
    "a" * 70 + ".example",
    "example.com",
    "www.example.com",
]


async def each(fast: FastResolver, names: list[str], rdtype: str = "TXT") -> list[Answer]:
    """Return the answers ``resolve`` gives, asked one after another."""
    return [await fast.resolve(name, rdtype) for name in names]


async def test_batch_equals_resolve_answer_for_answer() -> None:
    """Records, CNAME chains, NXDOMAIN, a bad name and repeats equal resolve's answers."""
    responder, server = await serve(zone_handler)
    fast = FastResolver([server], timeout=1)
    got = await fast.resolve_many(NAMES, "TXT")
    assert fast.queries_sent == len(NAMES) - 1  # nothing is sent for the bad name
    assert got == await each(fast, NAMES)
    assert got[1].records == (TXTRecord((b"v=spf1 ", b"-all")),)
    assert got[2].status is Status.NXDOMAIN
    assert got[3].status is Status.SERVFAIL and got[3].detail.startswith("cannot build query")
    assert await fast.resolve_many([], "TXT") == []
    assert fast.in_flight == 0
    fast.close()
    assert responder.transport is not None
    responder.transport.close()


async def test_lost_queries_fall_back_to_the_retry() -> None:
    """Queries the server drops once are asked again; the others are answered at once."""
    dropped: set[str] = set()

    def handler(query: dns.message.Message) -> list[bytes]:
        name = query.question[0].name.to_text()
        if name.startswith("www") and name not in dropped:
            dropped.add(name)
            return []
        return zone_handler(query)

    _, server = await serve(handler)
    fast = FastResolver([server], timeout=0.2, retries=1)
    got = await fast.resolve_many(["example.com", "www.example.com", "no.example.com"], "TXT")
    assert [a.status for a in got] == [Status.NOERROR, Status.NOERROR, Status.NXDOMAIN]
    assert (fast.queries_sent, fast.timeouts) == (4, 1)
    assert got == await each(fast, ["example.com", "www.example.com", "no.example.com"])
    fast.close()


async def test_silence_gives_the_timeouts_resolve_gives() -> None:
    """Silent servers give TIMEOUT with the same detail as resolve, over every server and round;
    the deadline caps the rounds as it does for resolve."""
    _, first = await serve(lambda query: [])
    _, second = await serve(lambda query: [])
    fast = FastResolver([first, second], timeout=0.1, retries=1)
    names = ["example.com", "www.example.com"]
    got = await fast.resolve_many(names, "TXT")
    assert fast.queries_sent == 8  # two names, two servers, two rounds
    assert got == await each(fast, names)
    assert all(a.status is Status.TIMEOUT for a in got)
    assert (
        got[0].detail
        == f"no answer from {first}: timed out after 0.1s; {second}: timed out after 0.1s"
    )
    capped = FastResolver([first], timeout=0.15, retries=50, deadline=0.2)
    got = await capped.resolve_many(names, "TXT")
    assert all(a.status is Status.TIMEOUT and "deadline" in a.detail for a in got)
    assert capped.queries_sent == 4
    fast.close()
    capped.close()


async def test_truncated_answers_are_asked_over_tcp() -> None:
    """Each truncated UDP answer is followed by its query over TCP, as resolve does."""

    responder, server = await serve(truncate)
    tcp_queries: list[bytes] = []
    async with await tcp_answerer(server, tcp_queries):
        fast = FastResolver([server], timeout=1)
        got = await fast.resolve_many(["example.com", "no.example.com"], "TXT")
        assert got == await each(fast, ["example.com", "no.example.com"])
        fast.close()
    assert got[0].records == (TXTRecord((b"v=spf1 ", b"-all")),)
    assert got[1].status is Status.NXDOMAIN
    assert len(tcp_queries) == 4 and responder.seen == 4


def refuse(query: dns.message.Message) -> list[bytes]:
    """Answer REFUSED."""
    response = dns.message.make_response(query)
    response.set_rcode(dns.rcode.REFUSED)
    return [response.to_wire()]


def malformed(query: dns.message.Message) -> list[bytes]:
    """Answer with a body that claims nine answers it does not hold."""
    wire = bytearray(answer(query).to_wire())
    wire[7] = 9
    return [bytes(wire)]


@pytest.mark.parametrize(
    ("handlers", "status"),
    [
        ((refuse, zone_handler), Status.NOERROR),
        ((refuse, refuse), Status.SERVFAIL),
        ((malformed, zone_handler), Status.NOERROR),
        ((malformed,), Status.TIMEOUT),
    ],
)
async def test_refusing_and_malformed_servers_are_passed_over(
    handlers: tuple[Handler, ...], status: Status
) -> None:
    """REFUSED or a malformed answer sends the question on as resolve does, same answers."""
    servers = [(await serve(handler))[1] for handler in handlers]
    fast = FastResolver(servers, timeout=1, retries=1)
    got = await fast.resolve_many(["example.com", "www.example.com"], "TXT")
    assert [a.status for a in got] == [status, status]
    assert got == await each(fast, ["example.com", "www.example.com"])
    fast.close()


async def test_max_in_flight_and_rate_limit_are_respected() -> None:
    """A batch larger than the in-flight cap keeps at most the cap outstanding and frees every
    slot at the end; with a qps limit every answer still comes."""
    loop = asyncio.get_running_loop()
    outstanding = [0, 0]

    class Delaying(asyncio.DatagramProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport: asyncio.DatagramTransport = transport  # type: ignore[assignment]

        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            outstanding[0] += 1
            outstanding[1] = max(outstanding)
            wire = answer(dns.message.from_wire(data)).to_wire()

            def reply() -> None:
                outstanding[0] -= 1
                self.transport.sendto(wire, addr)

            loop.call_later(0.01, reply)

    transport, _ = await loop.create_datagram_endpoint(Delaying, local_addr=("127.0.0.1", 0))
    server = f"127.0.0.1:{transport.get_extra_info('sockname')[1]}"
    fast = FastResolver([server], timeout=2, max_in_flight=3)
    got = await fast.resolve_many(["example.com"] * 12, "TXT")
    assert all(a.status is Status.NOERROR for a in got) and len(got) == 12
    assert outstanding[1] == 3
    await asyncio.sleep(0)  # the last slots are freed by callbacks of the last answers
    assert fast.in_flight == 0
    limited = FastResolver([server], timeout=2, qps=500)
    got = await limited.resolve_many(["example.com"] * 5, "TXT")
    assert all(a.status is Status.NOERROR for a in got)
    fast.close()
    limited.close()
    transport.close()


async def test_cancelled_batch_frees_its_slots() -> None:
    """A batch cancelled while waiting (a per-domain deadline) leaves no slot taken."""
    _, server = await serve(lambda query: [])
    fast = FastResolver([server], timeout=5)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(fast.resolve_many(["example.com"] * 5, "TXT"), 0.05)
    await asyncio.sleep(0)
    assert fast.in_flight == 0
    fast.close()


async def test_unreachable_nameserver_is_reported_like_resolve() -> None:
    """A nameserver that cannot be reached gives the answers resolve gives."""
    fast = FastResolver(["127.0.0.1:9"], timeout=0.2, retries=0)
    got = await fast.resolve_many(["example.com", "www.example.com"], "TXT")
    assert got == await each(fast, ["example.com", "www.example.com"])
    assert all(a.is_error for a in got)
    fast.close()


async def test_gate_hands_a_burst_of_slots_to_one_waiter() -> None:
    """A waiter wanting several slots is woken by the first freed and keeps those freed before
    it runs; a later waiter waits its turn; every slot comes back."""
    gate = _Gate(4)
    assert await gate.enter_many(3) == 3
    assert await gate.enter_many(5) == 1
    first = asyncio.ensure_future(gate.enter_many(10))
    second = asyncio.ensure_future(gate.enter_many(1))
    await asyncio.sleep(0)
    for _ in range(3):  # a burst of answers read in one go
        gate.leave()
    assert await first == 3
    assert not second.done()
    gate.leave()
    assert await second == 1
    for _ in range(4):
        gate.leave()
    assert gate.used == 0 and not gate.waiters


async def test_cancelled_gate_waiter_returns_its_slots() -> None:
    """A waiter cancelled after slots were handed to it gives them back."""
    gate = _Gate(2)
    assert await gate.enter_many(2) == 2
    waiter = asyncio.ensure_future(gate.enter_many(2))
    await asyncio.sleep(0)
    gate.leave()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert gate.used == 1 and not gate.waiters
    gate.leave()
    assert gate.used == 0


async def test_batch_cancelled_while_rate_limited_frees_its_slots() -> None:
    """A batch cancelled while it waits for the qps limit holds no slot afterwards."""
    _, server = await serve(zone_handler)
    fast = FastResolver([server], timeout=5, qps=2)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(fast.resolve_many(["example.com"] * 6, "TXT"), 0.2)
    await asyncio.sleep(0.05)
    assert fast.in_flight == 0
    fast.close()
