"""``mailwarden receive``: an SMTP server (aiosmtpd) that accepts reports for chosen addresses.

A message is written durably to the spool before the server answers 250; a worker thread then
ingests it (one transaction) and removes it from the spool. Messages left in the spool by a
crash are ingested when the receiver starts again.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from mailwarden.errors import MailwardenError
from mailwarden.ingest.pipeline import Ingestor, RawInput
from mailwarden.ingest.spool import Spool
from mailwarden.store.base import IngestCounts

__all__ = ["DEFAULT_LOCAL_PARTS", "ReportAddresses", "ReportHandler", "ReportReceiver"]

#: Local parts accepted at each ``--domain`` unless others are given.
DEFAULT_LOCAL_PARTS = ("dmarc", "dmarc-reports", "rua", "ruf", "tlsrpt", "tls-reports")


@dataclass(frozen=True, slots=True)
class ReportAddresses:
    """The recipient addresses mail is accepted for: full addresses, or local parts at domains."""

    addresses: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    local_parts: frozenset[str] = frozenset(DEFAULT_LOCAL_PARTS)

    @classmethod
    def build(
        cls,
        addresses: Iterable[str] = (),
        domains: Iterable[str] = (),
        local_parts: Iterable[str] = (),
    ) -> ReportAddresses:
        """Return the accepted set, lower-cased (``local_parts`` empty: the defaults)."""
        parts = frozenset(p.lower() for p in local_parts) or frozenset(DEFAULT_LOCAL_PARTS)
        return cls(
            frozenset(a.lower() for a in addresses),
            frozenset(d.lower().rstrip(".") for d in domains),
            parts,
        )

    def accepts(self, address: str) -> bool:
        """Return True when mail for ``address`` is a report to keep (``+tag`` ignored)."""
        address = address.strip("<>").lower()
        local, _, domain = address.rpartition("@")
        base = local.split("+", 1)[0]
        if address in self.addresses or f"{base}@{domain}" in self.addresses:
            return True
        return domain in self.domains and base in self.local_parts


class ReportHandler:
    """aiosmtpd hooks: refuse other recipients, spool accepted mail durably, queue it."""

    def __init__(self, addresses: ReportAddresses, spool: Spool, work: queue.Queue[Path]) -> None:
        self.addresses = addresses
        self.spool = spool
        self.work = work

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        """Accept only the configured report addresses."""
        if not self.addresses.accepts(address):
            return "550 5.1.1 mailbox unavailable: not a report address"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Write the message to the spool (fsync) and only then answer 250."""
        data = envelope.original_content or b""
        try:
            path = await asyncio.get_running_loop().run_in_executor(None, self.spool.write, data)
        except OSError:
            return "451 4.3.0 cannot store the message now, try again later"
        self.work.put(path)
        return f"250 2.0.0 queued as {path.name}"


class ReportReceiver:
    """The SMTP server and its ingest worker; start with :meth:`start`, end with :meth:`stop`."""

    def __init__(
        self,
        ingestor: Ingestor,
        spool: Spool,
        addresses: ReportAddresses,
        *,
        max_size: int = 25 << 20,
        on_ingested: Any = None,
        on_error: Any = None,
    ) -> None:
        self.ingestor = ingestor
        self.spool = spool
        self.work: queue.Queue[Path] = queue.Queue()
        self.handler = ReportHandler(addresses, spool, self.work)
        self.max_size = max_size
        self.on_ingested = on_ingested
        self.on_error = on_error
        self.total = IngestCounts()
        self._worker: threading.Thread | None = None
        self._controller: Controller | None = None

    def start(self, host: str, port: int) -> None:
        """Ingest what a previous run left in the spool, then listen on ``host:port``.

        Raises ``OSError`` when the address cannot be bound.
        """
        for path in self.spool.pending():
            self.work.put(path)
        self._worker = threading.Thread(target=self._drain, name="ingest", daemon=True)
        self._worker.start()
        self._controller = Controller(
            self.handler,
            hostname=host,
            port=port,
            data_size_limit=self.max_size,
            enable_SMTPUTF8=True,
        )
        self._controller.start()

    def stop(self) -> None:
        """Stop listening, then finish ingesting what was accepted."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._worker is not None:
            self.work.put(Path())
            self._worker.join()
            self._worker = None

    def _drain(self) -> None:
        while True:
            path = self.work.get()
            if path == Path():
                return
            if not path.exists():
                continue
            try:
                counts = self.ingestor.ingest(RawInput(f"smtp:{path.name}", path.read_bytes()))
            except (MailwardenError, OSError) as error:
                # the message stays in the spool and is ingested on the next start
                if self.on_error is not None:
                    self.on_error(path.name, str(error))
                continue
            self.spool.done(path)
            self.total += counts
            if self.on_ingested is not None:
                self.on_ingested(path.name, counts)
