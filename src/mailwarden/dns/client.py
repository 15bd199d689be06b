"""A real asynchronous stub resolver on dnspython: UDP with TCP fallback, timeouts, retries."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from mailwarden.dns.answer import Answer, Record, Status
from mailwarden.dns.convert import name_text, record_from_rdata
from mailwarden.dns.servers import (
    Nameserver,
    describe_socket_error,
    nameserver_list,
    parse_nameserver,
)

__all__ = ["DnsResolver", "Nameserver", "nameserver_list", "parse_nameserver"]

#: Response codes after which the next nameserver is asked.
_TRY_NEXT = frozenset({dns.rcode.SERVFAIL, dns.rcode.REFUSED, dns.rcode.NOTIMP, dns.rcode.FORMERR})


class DnsResolver:
    """Query recursive (or authoritative) nameservers directly.

    ``nameservers`` are ``host[:port]`` strings; when none are given the system resolver
    configuration is read (raises ``DnsError`` when it names none). Each query is sent over UDP
    to the nameservers in turn, up to ``retries + 1`` rounds, each attempt waiting ``timeout``
    seconds; a truncated answer is asked again over TCP; a server answering SERVFAIL, REFUSED,
    NOTIMP or FORMERR is passed over for the next one. At most ``max_in_flight`` queries are
    outstanding at once (per event loop). Outcomes are statuses, never exceptions.
    """

    def __init__(
        self,
        nameservers: Sequence[str] | None = None,
        *,
        timeout: float = 2.0,
        retries: int = 1,
        max_in_flight: int = 256,
        dnssec: bool = False,
    ) -> None:
        self.nameservers = nameserver_list(nameservers)
        self.timeout = timeout
        self.retries = retries
        self.max_in_flight = max_in_flight
        self.dnssec = dnssec
        self._gate: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self.queries_sent = 0

    async def resolve(self, name: str, rdtype: str) -> Answer:
        """Return the answer for ``name`` / ``rdtype``; TIMEOUT when no nameserver answered."""
        qname = name.rstrip(".").lower()
        try:
            query = dns.message.make_query(
                dns.name.from_text(qname or "."),
                dns.rdatatype.from_text(rdtype),
                want_dnssec=self.dnssec,
                use_edns=0,
                payload=1232,
            )
        except (dns.exception.DNSException, ValueError) as exc:
            return Answer(qname, rdtype, Status.SERVFAIL, detail=f"cannot build query: {exc}")
        query.flags |= dns.flags.AD  # ask a validating resolver to report authentication
        async with self._semaphore():
            return await self._ask_all(query, qname, rdtype)

    def _semaphore(self) -> asyncio.Semaphore:
        """Return the in-flight cap of the running event loop (one per loop, so a resolver
        can be used from successive ``asyncio.run`` calls)."""
        loop = asyncio.get_running_loop()
        if self._gate is None or self._gate[0] is not loop:
            self._gate = (loop, asyncio.Semaphore(self.max_in_flight))
        return self._gate[1]

    async def _ask_all(self, query: dns.message.Message, qname: str, rdtype: str) -> Answer:
        """Ask each nameserver in turn; a server that refuses or fails is skipped for the next.

        Servers that did not answer at all are asked again in each of ``retries`` more rounds.
        SERVFAIL when every server that answered refused or failed, TIMEOUT when none answered.
        """
        problems: list[str] = []
        answered = False
        pending = list(self.nameservers)
        for _ in range(self.retries + 1):
            silent = []
            for server in pending:
                response, problem = await self._ask(query, server)
                if response is None:
                    problems.append(f"{server}: {problem}")
                    silent.append(server)
                elif response.rcode() in _TRY_NEXT:
                    answered = True
                    problems.append(f"{server}: rcode {dns.rcode.to_text(response.rcode())}")
                else:
                    return _answer_from_response(response, qname, rdtype)
            pending = silent
            if not pending:
                break
        if answered:
            return Answer(qname, rdtype, Status.SERVFAIL, detail="; ".join(dict.fromkeys(problems)))
        detail = "no answer from " + "; ".join(dict.fromkeys(problems))
        return Answer(qname, rdtype, Status.TIMEOUT, detail=detail)

    async def _ask(
        self, query: dns.message.Message, server: Nameserver
    ) -> tuple[dns.message.Message | None, str]:
        self.queries_sent += 1
        try:
            response = await dns.asyncquery.udp(
                query, server.host, timeout=self.timeout, port=server.port
            )
            if response.flags & dns.flags.TC:
                response = await dns.asyncquery.tcp(
                    query, server.host, timeout=self.timeout, port=server.port
                )
        except dns.exception.Timeout:
            return None, f"timed out after {self.timeout:g}s"
        except (OSError, dns.exception.DNSException, EOFError) as exc:
            return None, describe_socket_error(exc)
        except asyncio.CancelledError:
            # Python 3.11's wait_for can leak the cancellation of dnspython's own receive
            # when an ICMP error and the timeout arrive together; only a cancellation of
            # this task itself is passed on.
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            return None, f"timed out after {self.timeout:g}s"
        return response, ""


def _answer_from_response(response: dns.message.Message, qname: str, rdtype: str) -> Answer:
    assert isinstance(response, dns.message.QueryMessage)
    rcode = response.rcode()
    authenticated = bool(response.flags & dns.flags.AD)
    try:
        chain = response.resolve_chaining()
    except dns.exception.DNSException as exc:
        return Answer(qname, rdtype, Status.SERVFAIL, detail=f"bad response: {exc}")
    canonical = name_text(chain.canonical_name)
    canonical_name = canonical if canonical != qname else None
    ttl = int(chain.minimum_ttl) if chain.minimum_ttl is not None else 0
    if rcode == dns.rcode.NXDOMAIN:
        return Answer(qname, rdtype, Status.NXDOMAIN, (), ttl, canonical_name, authenticated)
    if rcode != dns.rcode.NOERROR:
        detail = f"rcode {dns.rcode.to_text(rcode)}"
        return Answer(qname, rdtype, Status.SERVFAIL, detail=detail)
    if chain.answer is None or len(chain.answer) == 0:
        return Answer(qname, rdtype, Status.NODATA, (), ttl, canonical_name, authenticated)
    records: tuple[Record, ...] = tuple(record_from_rdata(rd) for rd in chain.answer)
    return Answer(qname, rdtype, Status.NOERROR, records, ttl, canonical_name, authenticated)
