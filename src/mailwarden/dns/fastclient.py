"""A fast stub resolver for bulk surveys: long-lived UDP sockets, multiplexed query IDs.

``FastResolver`` answers exactly like ``DnsResolver`` (same ``Answer`` for the same response)
but builds and decodes messages with the lean codec in ``mailwarden.dns.wire`` and keeps one
(or a few) connected UDP sockets per nameserver open, each read by a ``DatagramProtocol`` that
drains all queued datagrams per readiness event. Queries get random IDs; a response is taken
only when its ID, QR bit and question match an outstanding query, anything else is ignored
(and counted). Truncated answers are asked again over TCP.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import os
import socket
from array import array
from collections import deque
from collections.abc import Sequence

import dns.rcode

from mailwarden.dns.answer import Answer, Status
from mailwarden.dns.servers import Nameserver, describe_socket_error, nameserver_list
from mailwarden.dns.wire import Question, build_question, decode_response
from mailwarden.errors import ParseError

__all__ = ["FastResolver"]

_ERROR_RCODES_WITHOUT_QUESTION = frozenset({1, 2, 4, 5})  # FORMERR SERVFAIL NOTIMP REFUSED
_TRY_NEXT = frozenset(f"rcode {name}" for name in ("FORMERR", "SERVFAIL", "NOTIMP", "REFUSED"))
_RECEIVE_BUFFER = 4 << 20  # octets; the kernel caps it at net.core.rmem_max
_TICK = 0.01  # timeouts are checked at most this often
_DRAIN_MAX = 256  # datagrams read per readiness event at most

# What a waiting query gets: the response, or a sentence saying why there is none.
_Outcome = bytes | str
# The first attempt made by resolve_many: its outcome, its wait, the deadline (loop time) if any.
_First = tuple[_Outcome, float, float | None]
# A question resolve_many sent: its position, the question, its future (or why it was not sent:
# "" when the per-query path should ask it from scratch), the query sent and where it waits.
_Launched = tuple[int, Question, "asyncio.Future[_Outcome] | str", bytes, "_Ticket | None"]
# Where a sent query waits for its response: its channel and ID.
_Ticket = tuple["_Channel", int]
# A timeout to give: when, the query ID and the future waiting for its response.
_Deadline = tuple[float, int, "asyncio.Future[_Outcome]"]


class _Channel(asyncio.DatagramProtocol):
    """One connected UDP socket to one nameserver and the queries outstanding on it.

    The channel reads its socket itself (``loop.add_reader``) and drains every datagram queued
    at each readiness event into ``datagram_received``: one event-loop turn per burst of
    answers instead of one per answer, which asyncio's datagram transport does.
    """

    def __init__(self, owner: FastResolver, sock: socket.socket) -> None:
        self.owner = owner
        self.sock = sock
        self.loop = asyncio.get_running_loop()
        self.closed = False
        # ID -> the query's future, its question section and the gate whose slot it holds
        # until its response, timeout or failure (None when its caller frees the slot).
        self.pending: dict[int, tuple[asyncio.Future[_Outcome], bytes, _Gate | None]] = {}
        # Timeouts to give, earliest first. Queries mostly wait the same time, so deadlines
        # come in order: those go to a FIFO (O(1)); the few earlier than the last queued (a
        # caller's shorter overall deadline) go to a heap.
        self.deadlines: deque[_Deadline] = deque()
        self.early: list[_Deadline] = []
        self.sweeper: asyncio.TimerHandle | None = None
        self.loop.add_reader(sock.fileno(), self._drain)

    def send(self, query: bytes) -> str:
        """Send ``query``; return ``""``, or why it could not be sent."""
        try:
            self.sock.send(query)
        except BlockingIOError:
            return "socket send buffer full"
        except OSError as exc:  # an ICMP error left by an earlier query: theirs as well
            problem = describe_socket_error(exc)
            self._fail_all(problem)
            return problem
        return ""

    def _drain(self) -> None:
        recv = self.sock.recv
        for _ in range(_DRAIN_MAX):
            try:
                data = recv(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self.error_received(exc)
                return
            self.datagram_received(data, None)

    def datagram_received(self, data: bytes, addr: object) -> None:
        if len(data) < 12:
            self.owner.ignored += 1
            return
        ident = (data[0] << 8) | data[1]
        entry = self.pending.get(ident)
        if entry is None:
            self.owner.ignored += 1
            return
        future, section, gate = entry
        if (
            data[2] < 0x80 or data[4] or data[5] != 1 or not data.startswith(section, 12)
        ) and not _matches(data, section):
            self.owner.ignored += 1
            return
        del self.pending[ident]
        if not future.done():
            self.owner.answers += 1
            future.set_result(data)
        if gate is not None:
            gate.leave()

    def error_received(self, exc: Exception) -> None:
        self._fail_all(describe_socket_error(exc))

    def close(self) -> None:
        """Stop reading, close the socket and fail what is still waiting."""
        if self.closed:
            return
        self.closed = True
        if not self.loop.is_closed():
            self.loop.remove_reader(self.sock.fileno())
        self.sock.close()
        self.connection_lost(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail_all(describe_socket_error(exc) if exc else "socket closed")
        if self.sweeper is not None:
            self.sweeper.cancel()
            self.sweeper = None

    def expire_at(self, deadline: float, ident: int, future: asyncio.Future[_Outcome]) -> None:
        """Give ``future`` a timeout result at ``deadline`` unless it is answered before."""
        deadlines = self.deadlines
        if not deadlines or deadline >= deadlines[-1][0]:
            deadlines.append((deadline, ident, future))
        else:
            heapq.heappush(self.early, (deadline, ident, future))
        sweeper = self.sweeper
        if sweeper is None or deadline < sweeper.when() - _TICK:
            if sweeper is not None:
                sweeper.cancel()
            loop = future.get_loop()
            self.sweeper = loop.call_at(max(deadline, loop.time() + _TICK), self._sweep)

    def _sweep(self) -> None:
        self.sweeper = None
        deadlines, early = self.deadlines, self.early
        if not deadlines and not early:
            return
        loop = (deadlines[0] if deadlines else early[0])[2].get_loop()
        now = loop.time()
        while deadlines and deadlines[0][0] <= now:
            self._expire(*deadlines.popleft())
        while early and early[0][0] <= now:
            self._expire(*heapq.heappop(early))
        if deadlines or early:
            first = min(d[0][0] for d in (deadlines, early) if d)
            self.sweeper = loop.call_at(max(first, now + _TICK), self._sweep)

    def _expire(self, _deadline: float, ident: int, future: asyncio.Future[_Outcome]) -> None:
        """Give ``future`` its timeout unless answered; free the slot its query still holds."""
        entry = self.pending.get(ident)
        if entry is not None and entry[0] is future:
            del self.pending[ident]
            if entry[2] is not None:
                entry[2].leave()
        if not future.done():
            self.owner.timeouts += 1
            future.set_result("")

    def _fail_all(self, problem: str) -> None:
        pending, self.pending = self.pending, {}
        for future, _, gate in pending.values():
            if not future.done():
                future.set_result(problem or "socket error")
            if gate is not None:
                gate.leave()

    def forget(self, ident: int, future: asyncio.Future[_Outcome]) -> None:
        """Stop waiting for query ``ident`` if ``future`` still waits for it; free its slot."""
        entry = self.pending.get(ident)
        if entry is not None and entry[0] is future:
            del self.pending[ident]
            if entry[2] is not None:
                entry[2].leave()


def _matches(data: bytes, section: bytes) -> bool:
    """Return True when ``data`` is a response whose question section is ``section``."""
    if not data[2] & 0x80:
        return False
    got = data[12 : 12 + len(section)]
    if got == section or got.lower() == section:
        return data[4:6] == b"\0\x01"
    return data[4:6] == b"\0\0" and (data[3] & 0xF) in _ERROR_RCODES_WITHOUT_QUESTION


class _Waiter:
    """A caller waiting for slots: woken by its first slot, it keeps those freed until it runs."""

    __slots__ = ("future", "granted", "wanted")

    def __init__(self, future: asyncio.Future[None], wanted: int) -> None:
        self.future = future
        self.wanted = wanted
        self.granted = 0


class _Gate:
    """A cap on queries in flight, cheaper than a semaphore when it is not reached.

    Slots go to waiters first come, first served. A waiter may want several (a batch of
    questions): it is woken by the first slot freed for it and also gets those freed before it
    runs (a burst of answers read at once), so a batch waits once per burst, not per query.
    """

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self.used = 0
        self.waiters: deque[_Waiter] = deque()

    def try_enter(self) -> bool:
        """Take a slot if one is free and nobody waits; return whether one was taken."""
        if self.used < self.limit and not self.waiters:
            self.used += 1
            return True
        return False

    async def enter(self) -> None:
        """Return once a slot is free; take it."""
        if not self.try_enter():
            await self.enter_many(1)

    async def enter_many(self, wanted: int) -> int:
        """Return once at least one slot is free; take up to ``wanted`` and return how many."""
        free = self.limit - self.used
        if free > 0 and not self.waiters:
            taken = min(free, wanted)
            self.used += taken
            return taken
        waiter = _Waiter(asyncio.get_running_loop().create_future(), max(1, wanted))
        self.waiters.append(waiter)
        try:
            await waiter.future
        except BaseException:
            if waiter in self.waiters:
                self.waiters.remove(waiter)
            for _ in range(waiter.granted):
                self.leave()
            raise
        if self.waiters and self.waiters[0] is waiter:
            self.waiters.popleft()
        return waiter.granted

    def leave(self) -> None:
        """Free a slot, handing it to the oldest waiter if there is one."""
        waiters = self.waiters
        while waiters:
            waiter = waiters[0]
            if waiter.future.cancelled():
                waiters.popleft()
                continue
            waiter.granted += 1
            if waiter.granted == 1:
                waiter.future.set_result(None)
            if waiter.granted >= waiter.wanted:
                waiters.popleft()
            return
        self.used -= 1


class _TokenBucket:
    """A queries-per-second limit: each send reserves the next free slot (no thundering herd)."""

    def __init__(self, rate: float, burst: int) -> None:
        self.interval = 1.0 / rate
        self.window = max(1, burst) * self.interval
        self.next_free = float("-inf")

    def reserve(self, now: float) -> float:
        """Return how long to wait before the reserved send may go out (0 or more)."""
        slot = max(self.next_free, now - self.window + self.interval)
        self.next_free = slot + self.interval
        return max(0.0, slot - now)


class FastResolver:
    """Query nameservers over long-lived UDP sockets with multiplexed IDs; TCP on truncation.

    Arguments are those of ``DnsResolver``: ``nameservers`` as ``host[:port]`` (IPv4 or
    ``[IPv6]:port``; the system configuration when none are given, ``DnsError`` when it names
    none), ``timeout`` per attempt, ``retries`` extra rounds over the nameservers,
    ``max_in_flight`` queries outstanding at once, ``dnssec`` for the DO and AD bits. Besides:
    ``deadline`` caps the seconds one ``resolve`` may take over all its attempts, ``qps`` caps
    the queries sent per second over all nameservers (with bursts of ``burst``), and
    ``sockets_per_server`` spreads the queries over that many sockets per nameserver.
    ``queries_sent``, ``answers``, ``timeouts`` and ``ignored`` (unmatched datagrams) count
    what happened, for a progress bar. Outcomes are statuses, never exceptions.
    """

    def __init__(
        self,
        nameservers: Sequence[str] | None = None,
        *,
        timeout: float = 2.0,
        retries: int = 1,
        max_in_flight: int = 256,
        dnssec: bool = False,
        deadline: float | None = None,
        qps: float | None = None,
        burst: int = 1,
        sockets_per_server: int = 1,
    ) -> None:
        self.nameservers = nameserver_list(nameservers)
        self.timeout = timeout
        self.retries = retries
        self.max_in_flight = max_in_flight
        self.dnssec = dnssec
        self.deadline = deadline
        self.sockets_per_server = max(1, sockets_per_server)
        self._bucket = _TokenBucket(qps, burst) if qps else None
        self.queries_sent = 0
        self.answers = 0
        self.timeouts = 0
        self.ignored = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._gate = _Gate(max_in_flight)
        self._channels: list[list[_Channel]] = []
        self._problems: list[str] = []
        self._turn = 0
        self._ids = array("H")

    @property
    def in_flight(self) -> int:
        """Return the number of queries currently waiting for an answer."""
        return self._gate.used

    async def resolve(self, name: str, rdtype: str) -> Answer:
        """Return the answer for ``name`` / ``rdtype``; TIMEOUT when no nameserver answered."""
        try:
            question = build_question(name, rdtype, dnssec=self.dnssec)
        except ParseError as exc:
            qname = name.rstrip(".").lower()
            return Answer(qname, rdtype, Status.SERVFAIL, detail=f"cannot build query: {exc}")
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._open(loop)
        gate = self._gate
        if not gate.try_enter():  # inline: no coroutine for the usual free slot
            await gate.enter()
        try:
            if self._bucket is not None or not self._channels[0]:
                return await self._ask_all(question)
            # The first attempt inline (first nameserver, first round): most questions end here.
            end = loop.time() + self.deadline if self.deadline is not None else None
            wait = self.timeout if end is None else min(self.timeout, end - loop.time())
            if wait <= 0:
                return await self._ask_all(question)
            sent = self._send(question, 0, wait, loop)
            if isinstance(sent, str):
                return await self._ask_all(question, (sent, wait, end))
            outcome = await sent[0]
            if type(outcome) is bytes:
                if not outcome[2] & 0x02:
                    answer = decode_response(outcome, question.name, question.rdtype, question)
                    if answer.status is not Status.SERVFAIL:
                        return answer
                else:
                    server = self.nameservers[0]
                    outcome = await self._ask_tcp(server, sent[1], question.section, wait)
            return await self._ask_all(question, (outcome, wait, end))
        finally:
            gate.leave()

    async def resolve_many(self, names: Sequence[str], rdtype: str) -> list[Answer]:
        """Return the answers for ``names`` / ``rdtype``, in order: those ``resolve`` would give.

        All questions go out at once to the first nameserver (within the in-flight cap and the
        qps limit) and their responses are awaited together; only a question that timed out,
        came back truncated, refused, failed or malformed continues on the per-query path
        (TCP, the next nameserver, the next round) from where it stands. The ``deadline``
        counts from the call for all of them.
        """
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._open(loop)
        answers: list[Answer | None] = [None] * len(names)
        end = loop.time() + self.deadline if self.deadline is not None else None
        wait = self.timeout if end is None else min(self.timeout, end - loop.time())
        launched = await self._launch(names, rdtype, answers, wait, loop)
        retry = []
        try:
            for position, question, sent, query, _ in launched:
                outcome = sent if isinstance(sent, str) else await sent
                if type(outcome) is bytes and not outcome[2] & 0x02:
                    answer = decode_response(outcome, question.name, question.rdtype, question)
                    if answer.status is not Status.SERVFAIL:
                        answers[position] = answer
                        continue
                retry.append(self._continue(position, question, outcome, query, wait, end))
        except BaseException:  # cancelled: free the slots of the questions still out
            for _, _, sent, _, ticket in launched:
                if not isinstance(sent, str):
                    sent.cancel()
                    if ticket is not None:
                        ticket[0].forget(ticket[1], sent)
            for coroutine in retry:
                coroutine.close()
            raise
        for position, answer in await asyncio.gather(*retry):
            answers[position] = answer
        return [answer for answer in answers if answer is not None]

    async def _launch(
        self,
        names: Sequence[str],
        rdtype: str,
        answers: list[Answer | None],
        wait: float,
        loop: asyncio.AbstractEventLoop,
    ) -> list[_Launched]:
        """Send a UDP query per name to the first nameserver, each taking a slot of the gate
        (freed by its channel when its response, timeout or failure arrives) after the rate
        limit; return what was sent. Slots are taken as many as are free at once, up to the
        questions left. A name no query can be built for gets its SERVFAIL in ``answers``."""
        launched: list[_Launched] = []
        gate, bucket = self._gate, self._bucket
        held = 0  # slots taken and not used yet
        try:
            for position, name in enumerate(names):
                try:
                    question = build_question(name, rdtype, dnssec=self.dnssec)
                except ParseError as exc:
                    qname = name.rstrip(".").lower()
                    detail = f"cannot build query: {exc}"
                    answers[position] = Answer(qname, rdtype, Status.SERVFAIL, detail=detail)
                    continue
                if wait <= 0 or not self._channels[0]:
                    launched.append((position, question, "", b"", None))  # per-query path: why
                    continue
                if not held:
                    held = await gate.enter_many(len(names) - position)
                if bucket is not None:
                    delay = bucket.reserve(loop.time())
                    if delay > 0:
                        await asyncio.sleep(delay)
                held -= 1
                sent = self._send(question, 0, wait, loop, gate)
                if isinstance(sent, str):
                    gate.leave()
                    launched.append((position, question, sent, b"", None))
                    continue
                launched.append((position, question, *sent))
        finally:
            for _ in range(held):
                gate.leave()
        return launched

    async def _continue(
        self,
        position: int,
        question: Question,
        outcome: _Outcome,
        query: bytes,
        wait: float,
        end: float | None,
    ) -> tuple[int, Answer]:
        """Finish a ``resolve_many`` question on the per-query path; return it with its answer.

        ``outcome`` is the first attempt's (``""`` with no query when none was made)."""
        gate = self._gate
        if not gate.try_enter():  # inline: no coroutine for the usual free slot
            await gate.enter()
        try:
            if not query and not outcome:
                return position, await self._ask_all(question)
            if type(outcome) is bytes and outcome[2] & 0x02:
                server = self.nameservers[0]
                outcome = await self._ask_tcp(server, query, question.section, wait)
            return position, await self._ask_all(question, (outcome, wait, end))
        finally:
            gate.leave()

    def close(self) -> None:
        """Close the sockets; a later ``resolve`` opens new ones."""
        for channels in self._channels:
            for channel in channels:
                channel.close()
        self._channels, self._loop = [], None

    def _open(self, loop: asyncio.AbstractEventLoop) -> None:
        self.close()
        self._loop, self._gate = loop, _Gate(self.max_in_flight)
        self._channels, self._problems = [], []
        for server in self.nameservers:
            channels: list[_Channel] = []
            problem = ""
            for _ in range(self.sockets_per_server):
                try:
                    sock = _connected_socket(server)
                except OSError as exc:
                    problem = describe_socket_error(exc)
                    break
                try:
                    channels.append(_Channel(self, sock))
                except NotImplementedError:  # an event loop without add_reader (Proactor)
                    sock.close()
                    problem = "the event loop cannot watch sockets; use a selector event loop"
                    break
            self._channels.append(channels)
            self._problems.append(problem)

    async def _ask_all(self, question: Question, first: _First | None = None) -> Answer:
        """Ask each nameserver in turn, exactly as ``DnsResolver`` does.

        A server answering SERVFAIL, REFUSED, NOTIMP or FORMERR is passed over for the next one;
        servers that did not answer (or sent a malformed message) are asked again in each of
        ``retries`` more rounds. SERVFAIL when every server that answered refused or failed,
        TIMEOUT when none answered. ``first`` is the outcome of the first attempt (first
        nameserver, first round) when ``resolve_many`` already made it, with its wait and the
        deadline it ran under.
        """
        loop = asyncio.get_running_loop()
        if first is None:
            end = loop.time() + self.deadline if self.deadline is not None else None
        else:
            end = first[2]
        problems: list[str] = []
        answered = False
        pending = list(range(len(self.nameservers)))
        for _ in range(self.retries + 1):
            silent: list[int] = []
            for index in pending:
                server = self.nameservers[index]
                if first is not None:
                    outcome, wait, _ = first
                    first = None
                else:
                    wait = self.timeout
                    if end is not None:
                        wait = min(wait, end - loop.time())
                        if wait <= 0:
                            problems.append(f"deadline of {self.deadline:g}s reached")
                            return _failed(question, problems, answered)
                    outcome = await self._ask(question, index, server, wait, loop)
                if not isinstance(outcome, bytes):
                    problems.append(f"{server}: {outcome or f'timed out after {wait:g}s'}")
                    silent.append(index)
                    continue
                answer = decode_response(outcome, question.name, question.rdtype, question)
                if answer.status is not Status.SERVFAIL:
                    return answer
                refused = _refusal(outcome, answer)
                if refused:
                    answered = True
                    problems.append(f"{server}: {refused}")
                elif answer.detail.startswith("malformed response"):
                    problems.append(f"{server}: {answer.detail}")
                    silent.append(index)
                else:
                    return answer
            pending = silent
            if not pending:
                break
        return _failed(question, problems, answered)

    async def _ask(
        self,
        question: Question,
        index: int,
        server: Nameserver,
        wait: float,
        loop: asyncio.AbstractEventLoop,
    ) -> _Outcome:
        """Ask one nameserver over UDP (and TCP when truncated); return the response or why not."""
        if not self._channels[index]:
            return self._problems[index] or "no socket"
        if self._bucket is not None:
            delay = self._bucket.reserve(loop.time())
            if delay > 0:
                await asyncio.sleep(delay)
        sent = self._send(question, index, wait, loop)
        if isinstance(sent, str):
            return sent
        future, query, _ = sent
        outcome = await future
        if type(outcome) is bytes and outcome[2] & 0x02:
            return await self._ask_tcp(server, query, question.section, wait)
        return outcome

    def _send(
        self,
        question: Question,
        index: int,
        wait: float,
        loop: asyncio.AbstractEventLoop,
        gate: _Gate | None = None,
    ) -> tuple[asyncio.Future[_Outcome], bytes, _Ticket] | str:
        """Send ``question`` over UDP to nameserver ``index`` (the rate limit already waited
        for); return the future its response or timeout will resolve, the query and where it
        waits, or why nothing was sent. With ``gate``, the slot the query holds there is freed
        when the channel gives it its outcome."""
        channels = self._channels[index]
        if not channels:
            return self._problems[index] or "no socket"
        if len(channels) > 1:
            self._turn = (self._turn + 1) % len(channels)
            channel = channels[self._turn]
        else:
            channel = channels[0]
        if channel.closed:
            return "socket closed"
        pending = channel.pending
        ids = self._ids
        while True:
            if not ids:
                ids.frombytes(os.urandom(8192))
            ident = ids.pop()
            if ident not in pending:
                break
        future: asyncio.Future[_Outcome] = loop.create_future()
        query = question.query(ident)
        problem = channel.send(query)
        if problem:
            return problem
        pending[ident] = (future, question.section, gate)
        self.queries_sent += 1
        channel.expire_at(loop.time() + wait, ident, future)
        return future, query, (channel, ident)

    async def _ask_tcp(
        self, server: Nameserver, query: bytes, section: bytes, wait: float
    ) -> _Outcome:
        self.queries_sent += 1
        writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(wait):
                reader, writer = await asyncio.open_connection(server.host, server.port)
                writer.write(len(query).to_bytes(2, "big") + query)
                await writer.drain()
                size = int.from_bytes(await reader.readexactly(2), "big")
                data = await reader.readexactly(size)
        except TimeoutError:
            self.timeouts += 1
            return f"timed out after {wait:g}s over TCP"
        except (OSError, asyncio.IncompleteReadError) as exc:
            return f"TCP: {describe_socket_error(exc)}"
        finally:
            if writer is not None:
                writer.close()
        if len(data) < 12 or data[:2] != query[:2] or not _matches(data, section):
            return "TCP response does not match the query"
        self.answers += 1
        return data


def _connected_socket(server: Nameserver) -> socket.socket:
    """Return a non-blocking UDP socket connected to ``server`` with a large receive buffer."""
    infos = socket.getaddrinfo(server.host, server.port, type=socket.SOCK_DGRAM)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setblocking(False)
        with contextlib.suppress(OSError):  # best effort; the kernel caps it at rmem_max
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RECEIVE_BUFFER)
        sock.connect(address)
    except OSError:
        sock.close()
        raise
    return sock


def _refusal(response: bytes, answer: Answer) -> str:
    """Return ``rcode NAME`` when the response refuses or fails the query, else ``""``."""
    if answer.detail in _TRY_NEXT:
        return answer.detail
    if response[4:6] == b"\0\0" and (response[3] & 0xF) in _ERROR_RCODES_WITHOUT_QUESTION:
        return f"rcode {dns.rcode.to_text(dns.rcode.Rcode(response[3] & 0xF))}"
    return ""


def _failed(question: Question, problems: list[str], answered: bool) -> Answer:
    detail = "; ".join(dict.fromkeys(problems))
    if answered:
        return Answer(question.name, question.rdtype, Status.SERVFAIL, detail=detail)
    return Answer(question.name, question.rdtype, Status.TIMEOUT, detail="no answer from " + detail)
