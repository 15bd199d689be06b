"""FastResolver against a tiny asyncio responder on loopback: matching, retries, TCP, limits."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest

from mailwarden.dns import DnsResolver, Status, TXTRecord
from mailwarden.dns.fastclient import FastResolver, _TokenBucket

ZONE = {
    ("example.com", "TXT"): [("example.com.", "TXT", '"v=spf1 " "-all"')],
    ("www.example.com", "TXT"): [
        ("www.example.com.", "CNAME", "example.com."),
        ("example.com.", "TXT", '"v=spf1 " "-all"'),
    ],
}
SOA = ("example.com.", "SOA", "ns.example.com. host.example.com. 1 2 3 4 45")

Handler = Callable[[dns.message.Message], list[bytes]]


def answer(query: dns.message.Message) -> dns.message.Message:
    """Return the response the test zone gives to ``query``."""
    response = dns.message.make_response(query)
    question = query.question[0]
    key = (
        question.name.to_text(omit_final_dot=True).lower(),
        dns.rdatatype.to_text(question.rdtype),
    )
    records = ZONE.get(key)
    if records is None:
        response.set_rcode(dns.rcode.NXDOMAIN)
        response.authority.append(dns.rrset.from_text(SOA[0], 300, "IN", SOA[1], SOA[2]))
    for owner, rdtype, text in records or []:
        response.answer.append(dns.rrset.from_text(owner, 300, "IN", rdtype, text))
    return response


def zone_handler(query: dns.message.Message) -> list[bytes]:
    """Answer from the test zone."""
    return [answer(query).to_wire()]


class Responder(asyncio.DatagramProtocol):
    """A UDP server that hands each query to ``handler`` and sends back what it returns."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.transport: asyncio.DatagramTransport | None = None
        self.seen = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.seen += 1
        assert self.transport is not None
        for wire in self.handler(dns.message.from_wire(data)):
            self.transport.sendto(wire, addr)


async def serve(handler: Handler, host: str = "127.0.0.1") -> tuple[Responder, str]:
    """Start a responder on a free port; return it and its ``host:port`` nameserver string."""
    loop = asyncio.get_running_loop()
    transport, responder = await loop.create_datagram_endpoint(
        lambda: Responder(handler), local_addr=(host, 0)
    )
    port = transport.get_extra_info("sockname")[1]
    return responder, (f"[{host}]:{port}" if ":" in host else f"{host}:{port}")


def truncate(query: dns.message.Message) -> list[bytes]:
    """Answer with an empty response marked truncated (TC), so the client asks over TCP."""
    response = dns.message.make_response(query)
    response.flags |= dns.flags.TC
    return [response.to_wire()]


async def tcp_answerer(server: str, log: list[bytes]) -> asyncio.Server:
    """Return a TCP server on the port of ``server`` that answers like :func:`answer` and
    appends each query it reads to ``log``; skips the test when the port is taken."""
    port = int(server.rsplit(":", 1)[1])

    async def on_tcp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        size = int.from_bytes(await reader.readexactly(2), "big")
        data = await reader.readexactly(size)
        log.append(data)
        wire = answer(dns.message.from_wire(data)).to_wire()
        writer.write(len(wire).to_bytes(2, "big") + wire)
        await writer.drain()
        writer.close()

    try:
        return await asyncio.start_server(on_tcp, "127.0.0.1", port)
    except OSError:
        pytest.skip(f"TCP port {port} is taken")


async def test_answers_equal_dns_resolver() -> None:
    """Answers, CNAME chains and NXDOMAIN with SOA TTL equal DnsResolver's."""
    responder, server = await serve(zone_handler)
    fast, slow = FastResolver([server], timeout=1), DnsResolver([server], timeout=1)
    for name, rdtype in [
        ("example.com", "TXT"),
        ("WWW.example.com.", "TXT"),
        ("no.example.com", "A"),
    ]:
        assert await fast.resolve(name, rdtype) == await slow.resolve(name, rdtype)
    got = await fast.resolve("www.example.com", "TXT")
    assert got.records == (TXTRecord((b"v=spf1 ", b"-all")),)
    assert got.canonical_name == "example.com"
    assert (await fast.resolve("no.example.com", "A")).ttl == 45
    assert fast.queries_sent == fast.answers == 5
    fast.close()
    assert responder.transport is not None
    responder.transport.close()


async def test_spoofed_and_mismatched_answers_are_ignored() -> None:
    """A wrong ID, a wrong question and a query echo are ignored; the true answer is taken."""

    def handler(query: dns.message.Message) -> list[bytes]:
        true = answer(query)
        wrong_id = answer(query)
        wrong_id.id = (query.id + 1) % 65536
        other = answer(dns.message.make_query("evil.example.com", "TXT", id=query.id))
        return [wrong_id.to_wire(), other.to_wire(), query.to_wire(), true.to_wire()]

    _, server = await serve(handler)
    fast = FastResolver([server], timeout=1)
    got = await fast.resolve("example.com", "TXT")
    assert got.status is Status.NOERROR
    await asyncio.sleep(0.05)
    assert fast.ignored >= 3
    fast.close()


async def test_lost_query_is_retried() -> None:
    """The first query is dropped; the retry gets the answer and one timeout is counted."""
    dropped: list[int] = []

    def handler(query: dns.message.Message) -> list[bytes]:
        if not dropped:
            dropped.append(query.id)
            return []
        return zone_handler(query)

    _, server = await serve(handler)
    fast = FastResolver([server], timeout=0.2, retries=1)
    got = await fast.resolve("example.com", "TXT")
    assert got.status is Status.NOERROR
    assert (fast.queries_sent, fast.timeouts) == (2, 1)
    fast.close()


async def test_silence_is_timeout_and_deadline_caps_retries() -> None:
    """A server that never answers gives TIMEOUT; the deadline stops the retries early."""
    _responder, server = await serve(lambda query: [])
    fast = FastResolver([server], timeout=0.1, retries=1)
    got = await fast.resolve("example.com", "TXT")
    assert got.status is Status.TIMEOUT
    assert "timed out after 0.1s" in got.detail
    capped = FastResolver([server], timeout=0.15, retries=50, deadline=0.2)
    got = await capped.resolve("example.com", "TXT")
    assert got.status is Status.TIMEOUT
    assert "deadline" in got.detail
    assert capped.queries_sent == 2
    fast.close()
    capped.close()


async def test_shorter_wait_after_a_longer_one_times_out_first() -> None:
    """A query whose wait ends before that of a query sent earlier (a caller's overall
    deadline) times out on time, not after the earlier one."""
    _responder, server = await serve(lambda query: [])
    fast = FastResolver([server], timeout=1.5, retries=0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    slow = asyncio.create_task(fast.resolve("example.com", "TXT"))
    await asyncio.sleep(0.05)
    fast.deadline = 0.1
    quick = await fast.resolve("www.example.com", "TXT")
    quick_took = loop.time() - started
    assert quick.status is Status.TIMEOUT
    assert not slow.done()
    assert quick_took < 1.0
    assert (await slow).status is Status.TIMEOUT
    assert loop.time() - started >= 1.5
    assert fast.timeouts == 2
    fast.close()


async def test_truncated_answer_is_asked_over_tcp() -> None:
    """A TC answer over UDP is followed by the same query over TCP."""

    responder, server = await serve(truncate)
    tcp_queries: list[bytes] = []
    async with await tcp_answerer(server, tcp_queries):
        fast = FastResolver([server], timeout=1)
        got = await fast.resolve("example.com", "TXT")
        fast.close()
    assert got.records == (TXTRecord((b"v=spf1 ", b"-all")),)
    assert len(tcp_queries) == 1 and responder.seen == 1


async def test_max_in_flight_is_respected() -> None:
    """With a cap of 3, the server never has more than 3 unanswered queries."""
    outstanding: list[int] = [0, 0]
    loop = asyncio.get_running_loop()
    holder: list[Responder] = []

    def handler(query: dns.message.Message) -> list[bytes]:
        outstanding[0] += 1
        outstanding[1] = max(outstanding[1], outstanding[0])
        wire = answer(query).to_wire()
        addr = holder[0].last_addr  # type: ignore[attr-defined]

        def reply() -> None:
            outstanding[0] -= 1
            assert holder[0].transport is not None
            holder[0].transport.sendto(wire, addr)

        loop.call_later(0.02, reply)
        return []

    class Recording(Responder):
        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            self.last_addr = addr
            super().datagram_received(data, addr)

    transport, responder = await loop.create_datagram_endpoint(
        lambda: Recording(handler), local_addr=("127.0.0.1", 0)
    )
    holder.append(responder)
    server = f"127.0.0.1:{transport.get_extra_info('sockname')[1]}"
    fast = FastResolver([server], timeout=2, max_in_flight=3)
    answers = await asyncio.gather(*(fast.resolve("example.com", "TXT") for _ in range(12)))
    assert all(a.status is Status.NOERROR for a in answers)
    assert outstanding[1] == 3
    assert fast.in_flight == 0
    fast.close()
    transport.close()


async def test_closed_port_is_reported() -> None:
    """A nameserver port nobody listens on gives TIMEOUT naming the refusal, quickly."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fast = FastResolver([f"127.0.0.1:{port}"], timeout=5, retries=0)
    got = await asyncio.wait_for(fast.resolve("example.com", "TXT"), 4)
    assert got.status is Status.TIMEOUT
    assert "refused" in got.detail
    fast.close()


async def test_malformed_answer_counts_as_no_answer() -> None:
    """A response with the right ID and question but a broken body is not an answer: the
    server is asked again and the outcome is TIMEOUT naming the problem, as with DnsResolver."""

    def handler(query: dns.message.Message) -> list[bytes]:
        wire = bytearray(answer(query).to_wire())
        wire[7] = 9  # claims nine answers
        return [bytes(wire)]

    responder, server = await serve(handler)
    fast = FastResolver([server], timeout=1, retries=1)
    got = await fast.resolve("example.com", "TXT")
    assert got.status is Status.TIMEOUT
    assert "malformed" in got.detail
    assert responder.seen == 2
    fast.close()


async def test_refusing_server_is_passed_over_like_dns_resolver() -> None:
    """REFUSED from the first server sends the question to the next; all refusing is SERVFAIL."""

    def refuse(query: dns.message.Message) -> list[bytes]:
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.REFUSED)
        return [response.to_wire()]

    _, refusing = await serve(refuse)
    _, good = await serve(zone_handler)
    for servers in ([refusing, good], [refusing, refusing]):
        fast, slow = FastResolver(servers, timeout=1), DnsResolver(servers, timeout=1)
        got = await fast.resolve("example.com", "TXT")
        assert got == await slow.resolve("example.com", "TXT")
        fast.close()
    assert got.status is Status.SERVFAIL
    assert got.detail == f"{refusing}: rcode REFUSED"


async def test_ipv6_nameserver() -> None:
    """A nameserver given as [::1]:port is reached over IPv6."""
    try:
        _, server = await serve(zone_handler, "::1")
    except OSError:
        pytest.skip("no IPv6 loopback")
    fast = FastResolver([server], timeout=1)
    assert (await fast.resolve("example.com", "TXT")).status is Status.NOERROR
    fast.close()


async def test_bad_name_is_servfail() -> None:
    """A name that cannot be put in a query gives SERVFAIL without sending anything."""
    fast = FastResolver(["127.0.0.1:9"], timeout=1)
    got = await fast.resolve("a" * 70 + ".example", "TXT")
    assert got.status is Status.SERVFAIL
    assert got.detail.startswith("cannot build query")
    assert fast.queries_sent == 0


def test_resolver_survives_a_new_event_loop() -> None:
    """The same resolver works in two consecutive event loops (sockets are reopened)."""

    async def once(fast: FastResolver) -> Status:
        responder, server = await serve(zone_handler)
        fast.nameservers = FastResolver([server]).nameservers
        fast.close()
        status = (await fast.resolve("example.com", "TXT")).status
        assert responder.transport is not None
        responder.transport.close()
        return status

    fast = FastResolver(["127.0.0.1:9"], timeout=1)
    assert asyncio.run(once(fast)) is Status.NOERROR
    assert asyncio.run(once(fast)) is Status.NOERROR
    fast.close()


def test_token_bucket_spaces_sends() -> None:
    """At 10 per second with a burst of 2, the third send waits 0.1 s, the fourth 0.2 s."""
    bucket = _TokenBucket(10, 2)
    delays = [bucket.reserve(100.0) for _ in range(4)]
    assert delays == pytest.approx([0.0, 0.0, 0.1, 0.2])
    assert bucket.reserve(101.0) == 0.0


async def test_several_sockets_and_a_rate_limit() -> None:
    """Queries spread over two sockets under a qps limit all get their answers."""
    _, server = await serve(zone_handler)
    fast = FastResolver([server], timeout=1, sockets_per_server=2, qps=500, burst=2)
    answers = await asyncio.gather(*(fast.resolve("example.com", "TXT") for _ in range(6)))
    assert [a.status for a in answers] == [Status.NOERROR] * 6
    assert fast.queries_sent == fast.answers == 6
    fast.close()


async def test_cancelled_queries_free_their_slot_and_id() -> None:
    """A resolve cancelled by a caller's timeout frees its in-flight slot and, later, its ID."""
    _, server = await serve(lambda query: [])
    fast = FastResolver([server], timeout=0.1, retries=0, max_in_flight=1)
    for _ in range(2):
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.03):
                await fast.resolve("example.com", "TXT")
    assert fast.in_flight == 0
    await asyncio.sleep(0.25)
    assert all(not channel.pending for channels in fast._channels for channel in channels)
    fast.close()


async def test_refusal_reported_on_a_later_send_reaches_the_earlier_queries() -> None:
    """Queries sent together to a closed port all report the refusal, none waits it out."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fast = FastResolver([f"127.0.0.1:{port}"], timeout=5, retries=0)
    names = [f"n{i}.example.com" for i in range(4)]
    got = await asyncio.wait_for(asyncio.gather(*(fast.resolve(n, "TXT") for n in names)), 4)
    assert all(a.status is Status.TIMEOUT and "refused" in a.detail for a in got)
    fast.close()
