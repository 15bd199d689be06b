"""IMAP source: fetch report mails in batches, ingest each, then move it away.

A message is moved to the archive folder (or to the invalid folder when it could not be parsed)
only after its transaction committed, so a crash at any point loses nothing: the next run finds
the message again and its reports are duplicates. With ``watch``, IMAP IDLE waits for new mail;
servers without IDLE are polled.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import ssl
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from mailwarden.errors import ConfigError, InputError, MailwardenError
from mailwarden.ingest.pipeline import Outcome, RawInput
from mailwarden.inputs import MAX_SECRET_BYTES, read_text_input
from mailwarden.store.base import IngestCounts

__all__ = [
    "DEFAULT_PASSWORD_ENV",
    "ImapError",
    "ImapSource",
    "ImapTarget",
    "imap_password",
    "parse_imap_url",
]

DEFAULT_PASSWORD_ENV = "MAILWARDEN_IMAP_PASSWORD"

#: Handles one input and tells whether it parsed; called inside the IMAP loop.
Handler = Callable[[RawInput], Outcome]

#: Handles inputs in order, yielding each with its outcome as it is stored (for example
#: :meth:`mailwarden.ingest.Ingestor.process_many`, which parses ahead).
BatchHandler = Callable[[Iterable[RawInput]], Iterable[tuple[RawInput, Outcome]]]

#: Makes every outcome stored so far durable (for example the store's ``sync``).
Sync = Callable[[], None]


class ImapError(MailwardenError):
    """The IMAP server could not be reached or refused a command."""


@dataclass(frozen=True, slots=True)
class ImapTarget:
    """Where to read reports: ``security`` is ``tls`` (imaps://) or ``starttls`` (imap://)."""

    user: str
    host: str
    port: int
    folder: str
    security: str

    @property
    def loopback(self) -> bool:
        """Return True when the server is on this machine (plain IMAP is allowed only then)."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def location(self, uid: int) -> str:
        """Return a source name for message ``uid`` (no password)."""
        scheme = "imaps" if self.security == "tls" else "imap"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.folder};UID={uid}"


def parse_imap_url(url: str) -> ImapTarget:
    """Parse ``imaps://USER@HOST[:PORT]/FOLDER`` or ``imap://...`` (folder default ``INBOX``).

    Raises ``ConfigError`` for a malformed URL, another scheme, a missing user or host, or a
    password in the URL.
    """
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise ConfigError(f"{url!r}: malformed URL: {error}") from None
    if parts.scheme not in ("imap", "imaps"):
        raise ConfigError(f"{url!r}: use imaps://USER@HOST[:PORT]/FOLDER or imap://...")
    if parts.password is not None:
        raise ConfigError(
            "never put the IMAP password in the URL: use --password-env or --password-file"
        )
    if not parts.username or not parts.hostname:
        raise ConfigError(f"{url!r}: the URL needs a user and a host (USER@HOST)")
    try:
        port = parts.port or (993 if parts.scheme == "imaps" else 143)
    except ValueError as error:
        raise ConfigError(f"{url!r}: bad port") from error
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    security = "tls" if parts.scheme == "imaps" else "starttls"
    return ImapTarget(unquote(parts.username), parts.hostname, port, folder, security)


def imap_password(env_var: str | None, file: Path | None, env: dict[str, str] | None = None) -> str:
    """Return the IMAP password from ``file`` (first line) or the environment variable.

    Raises ``ConfigError`` when neither gives one or the file is unreadable or not UTF-8.
    """
    if file is not None:
        try:
            lines = read_text_input(file, limit=MAX_SECRET_BYTES).splitlines()
        except InputError as error:
            raise ConfigError(f"cannot use the password file {error}") from None
        if not lines or not lines[0]:
            raise ConfigError(f"the password file {file} is empty")
        return lines[0]
    name = env_var or DEFAULT_PASSWORD_ENV
    value = (os.environ if env is None else env).get(name)
    if not value:
        raise ConfigError(
            f"no IMAP password: set the environment variable {name} or --password-file"
        )
    return value


def _batches(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ImapSource:
    """One IMAP folder as a source of report mails."""

    def __init__(
        self,
        target: ImapTarget,
        password: str,
        *,
        archive_folder: str = "Archive",
        invalid_folder: str = "Invalid",
        batch_size: int = 50,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
        allow_plain: bool = True,
    ) -> None:
        self.target = target
        self.password = password
        self.archive_folder = archive_folder
        self.invalid_folder = invalid_folder
        self.batch_size = batch_size
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.timeout = timeout
        self.allow_plain = allow_plain
        self.client: IMAPClient | None = None

    def connect(self) -> IMAPClient:
        """Connect, secure, log in, select the folder; raise ``ImapError`` or ``ConfigError``."""
        try:
            client = self._open()
            client.login(self.target.user, self.password)
            for folder in (self.archive_folder, self.invalid_folder):
                if not client.folder_exists(folder):
                    client.create_folder(folder)
            client.select_folder(self.target.folder)
        except LoginError as error:
            raise ConfigError(
                f"IMAP login as {self.target.user} refused: {_text(error)}"
            ) from error
        except (IMAPClientError, OSError, ssl.SSLError) as error:
            raise ImapError(
                f"IMAP {self.target.host}:{self.target.port}: {_text(error)}"
            ) from error
        self.client = client
        return client

    def _open(self) -> IMAPClient:
        target = self.target
        if target.security == "tls":
            return IMAPClient(
                target.host,
                target.port,
                ssl=True,
                ssl_context=self.ssl_context,
                timeout=self.timeout,
            )
        client = IMAPClient(target.host, target.port, ssl=False, timeout=self.timeout)
        if b"STARTTLS" in client.capabilities():
            client.starttls(self.ssl_context)
        elif not (target.loopback and self.allow_plain):
            client.logout()
            raise ConfigError(
                f"{target.host} offers no STARTTLS: use imaps://, plain IMAP is only for loopback"
            )
        return client

    def close(self) -> None:
        """Log out (errors while doing so are ignored)."""
        if self.client is not None:
            with contextlib.suppress(IMAPClientError, OSError):
                self.client.logout()
            self.client = None

    def run_once(
        self, handle: Handler, *, many: BatchHandler | None = None, sync: Sync | None = None
    ) -> IngestCounts:
        """Ingest every message now in the folder, in batches; return the summed counts.

        Each message goes to ``many`` (a whole batch at a time) when given, else to ``handle``.
        With ``many`` and ``sync``, ``many`` gets one stream of every message (fetched batch
        after batch as it reads ahead, so parsing never waits for a batch boundary) and a
        batch is moved once all its messages are stored and ``sync`` made them durable.
        """
        client = self.client or self.connect()
        total = IngestCounts()
        batch_handler = many or (lambda items: ((item, handle(item)) for item in items))
        try:
            uids = sorted(client.search(["NOT", "DELETED"]))
            if many is not None and sync is not None:
                return self._stream(client, uids, many, sync)
            for batch in _batches(uids, self.batch_size):
                total += self._batch(client, batch, batch_handler)
        except (IMAPClientError, OSError) as error:
            raise ImapError(f"IMAP {self.target.host}: {_text(error)}") from error
        return total

    def _fetch(self, client: IMAPClient, uids: Sequence[int]) -> list[tuple[int, RawInput]]:
        """Fetch messages ``uids`` with one request; return those the server gave."""
        fetched: dict[int, dict[bytes, Any]] = client.fetch(list(uids), ["BODY.PEEK[]"])
        found = []
        for uid in uids:
            data = fetched.get(uid, {}).get(b"BODY[]")
            if data is not None:
                found.append((uid, RawInput(self.target.location(uid), bytes(data))))
        return found

    def _batch(self, client: IMAPClient, uids: Sequence[int], handle: BatchHandler) -> IngestCounts:
        inputs = self._fetch(client, uids)
        uid_of = {item.source: uid for uid, item in inputs}
        archive: list[int] = []
        invalid: list[int] = []
        total = IngestCounts()
        for item, outcome in handle([item for _, item in inputs]):
            total += outcome.counts
            (archive if outcome.parsed else invalid).append(uid_of[item.source])
        self._move(client, archive, self.archive_folder)
        self._move(client, invalid, self.invalid_folder)
        return total

    def _stream(
        self, client: IMAPClient, uids: Sequence[int], handle: BatchHandler, sync: Sync
    ) -> IngestCounts:
        """Ingest ``uids`` as one stream of batches; move each batch once it is durable."""
        pending: deque[_Pending] = deque()

        def inputs() -> Iterator[RawInput]:
            for batch in _batches(uids, self.batch_size):
                fetched = self._fetch(client, batch)
                if fetched:
                    pending.append(_Pending([item.source for _, item in fetched]))
                    pending[-1].uid_of.update((item.source, uid) for uid, item in fetched)
                    yield from (item for _, item in fetched)

        total = IngestCounts()
        for item, outcome in handle(inputs()):
            total += outcome.counts
            oldest = pending[0]
            oldest.settle(item.source, outcome.parsed)
            if oldest.complete:
                sync()
                self._move(client, oldest.archive, self.archive_folder)
                self._move(client, oldest.invalid, self.invalid_folder)
                pending.popleft()
        return total

    def _move(self, client: IMAPClient, uids: list[int], folder: str) -> None:
        if not uids:
            return
        if client.has_capability("MOVE"):
            client.move(uids, folder)
            return
        client.copy(uids, folder)
        client.delete_messages(uids)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)
        else:
            client.expunge()

    def watch(
        self,
        handle: Handler,
        stop: threading.Event,
        *,
        idle_timeout: float = 60.0,
        poll_interval: float = 30.0,
        use_idle: bool = True,
        many: BatchHandler | None = None,
        sync: Sync | None = None,
    ) -> IngestCounts:
        """Ingest the folder, then wait for new mail (IDLE, or polling) until ``stop`` is set."""
        total = self.run_once(handle, many=many, sync=sync)
        client = self.client
        assert client is not None
        idle = use_idle and client.has_capability("IDLE")
        while not stop.is_set():
            try:
                if idle:
                    client.idle()
                    client.idle_check(timeout=idle_timeout)
                    client.idle_done()
                else:
                    stop.wait(poll_interval)
                    client.noop()
            except (TimeoutError, IMAPClientError, OSError) as error:
                raise ImapError(f"IMAP {self.target.host}: {_text(error)}") from error
            total += self.run_once(handle, many=many, sync=sync)
        return total


@dataclass(slots=True)
class _Pending:
    """One fetched batch in a stream: its messages in order, and where each goes."""

    sources: list[str]
    uid_of: dict[str, int] = field(default_factory=dict)
    archive: list[int] = field(default_factory=list)
    invalid: list[int] = field(default_factory=list)

    def settle(self, source: str, parsed: bool) -> None:
        """Record the outcome of the batch's next message (outcomes come in order)."""
        uid = self.uid_of[source]
        (self.archive if parsed else self.invalid).append(uid)

    @property
    def complete(self) -> bool:
        """Return True once every message of the batch has its outcome."""
        return len(self.archive) + len(self.invalid) == len(self.sources)


def _text(error: BaseException) -> str:
    text = str(error)
    if isinstance(error.args[0] if error.args else None, bytes):
        text = error.args[0].decode("utf-8", "replace")
    return text.strip() or type(error).__name__
