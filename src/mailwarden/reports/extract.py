"""Unwrap report inputs: gzip, zlib, zip (every member), base64 and MIME mail, with limits.

The content decides, not the label: every layer is recognized by its first bytes, so a zip
labelled ``application/gzip`` or a report attached as ``application/octet-stream`` is still
found. Decompression is streamed through :class:`BoundedInflater`, which stops a
decompression bomb by total size and by ratio (see :class:`~mailwarden.reports.model.Limits`).
"""

from __future__ import annotations

import base64
import binascii
import email
import email.message
import email.policy
import io
import os
import quopri
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from mailwarden.reports._warn import WarningLog
from mailwarden.reports.model import InvalidReport, Limits

__all__ = [
    "BoundedInflater",
    "BoundedReader",
    "Payload",
    "iter_payloads",
    "sniff",
    "subparts",
]

_CHUNK = 1 << 16
_MAIL_HEAD = re.compile(rb"(?:From |[\x21-\x39\x3b-\x7e]+:)")
_BASE64 = re.compile(rb"[A-Za-z0-9+/=\s]+")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class Payload:
    """One unwrapped document ready for a parser.

    ``kind`` is ``xml`` (aggregate), ``json`` (SMTP TLS), ``mail`` (a message holding a failure
    report, in ``message``). ``open()`` returns a fresh binary stream of the document each
    time it is called (aggregate parsing may restart in repair mode). ``log`` gathers what
    unwrapping tolerated (trailing garbage, mislabelled content types).
    """

    source: str
    kind: str
    opener: Callable[[], BinaryIO] | None = None
    message: email.message.Message | None = None
    log: WarningLog = field(default_factory=WarningLog)

    def open(self) -> BinaryIO:
        """Return a new stream of the document's bytes; raises ``InvalidReport`` for a mail."""
        if self.opener is None:
            raise InvalidReport(self.source, "payload has no byte stream")
        return self.opener()


def sniff(head: bytes) -> str:
    """Return what ``head`` (the first bytes of a document) looks like.

    One of ``gzip``, ``zlib``, ``zip``, ``xml``, ``json``, ``mail``, ``base64``, ``empty`` or
    ``unknown``. Never raises.
    """
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:1] == b"\x78" and len(head) > 1 and (head[0] * 256 + head[1]) % 31 == 0:
        return "zlib"
    for bom in _BOMS:
        if head.startswith(bom):
            return "xml" if bom != b"\xef\xbb\xbf" else sniff(head[3:])
    text = head.lstrip()
    if not text:
        return "empty"
    if text[:1] == b"<":
        return "xml"
    if text[:1] in (b"{", b"["):
        return "json"
    if _MAIL_HEAD.match(text):
        return "mail"
    if len(text) >= 16 and _BASE64.fullmatch(text):
        return "base64"
    return "unknown"


class BoundedReader(io.RawIOBase):
    """A stream that passes another through and fails once more than ``limit`` bytes pass.

    With ``compressed_size``, it also fails when the output exceeds ``max_ratio`` times that
    size (after ``ratio_grace_bytes``): the guard for zip members, whose sizes can lie.
    """

    def __init__(
        self,
        inner: BinaryIO,
        *,
        source: str,
        limits: Limits,
        compressed_size: int | None = None,
    ) -> None:
        super().__init__()
        self._inner = inner
        self._source = source
        self._limits = limits
        self._compressed = compressed_size
        self._count = 0

    def readable(self) -> bool:
        """Return True: this is a readable stream."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill ``buffer`` from the inner stream; raises ``InvalidReport`` past a limit."""
        try:
            data = self._inner.read(len(buffer))
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise InvalidReport(self._source, f"corrupt compressed data: {error}") from None
        n = len(data)
        buffer[:n] = data
        self._count += n
        _check_growth(self._count, self._compressed, self._source, self._limits)
        return n

    def close(self) -> None:
        """Close this stream and the inner one."""
        self._inner.close()
        super().close()


class BoundedInflater(io.RawIOBase):
    """Streams the decompressed content of gzip (one or more members) or zlib data.

    Fails with ``InvalidReport`` when the output exceeds ``limits.max_decompressed_bytes``
    or ``limits.max_ratio`` times the input consumed. Trailing garbage after the last member
    and a truncated stream are tolerated and recorded in ``log``.
    """

    def __init__(self, inner: BinaryIO, *, source: str, limits: Limits, log: WarningLog) -> None:
        super().__init__()
        self._inner = inner
        self._source = source
        self._limits = limits
        self._log = log
        self._inflater = zlib.decompressobj(wbits=47)
        self._pending = b""
        self._consumed = 0
        self._produced = 0
        self._done = False

    def readable(self) -> bool:
        """Return True: this is a readable stream."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill ``buffer`` with decompressed bytes; 0 at the end of the data."""
        while not self._done:
            out = self._step(len(buffer))
            if out:
                n = len(out)
                buffer[:n] = out
                self._produced += n
                _check_growth(self._produced, self._consumed, self._source, self._limits)
                return n
        return 0

    def _step(self, size: int) -> bytes:
        inflater = self._inflater
        data = inflater.unconsumed_tail or self._pending
        self._pending = b""
        if not data:
            data = self._inner.read(_CHUNK)
            self._consumed += len(data)
            if not data:
                if not inflater.eof:
                    self._log.add("extract.truncated", "compressed data ends before its end")
                self._done = True
                return b""
        try:
            out = inflater.decompress(data, size)
        except zlib.error as error:
            raise InvalidReport(self._source, f"corrupt compressed data: {error}") from None
        if inflater.eof:
            self._next_member(inflater.unused_data)
        return out

    def _next_member(self, rest: bytes) -> None:
        rest = rest.lstrip(b"\0")
        if rest[:2] == b"\x1f\x8b":
            self._inflater = zlib.decompressobj(wbits=47)
            self._pending = rest
        elif rest or self._inner.read(1):
            self._log.add("extract.trailing-garbage", "bytes after the end of compressed data")
            self._done = True
        else:
            self._done = True

    def close(self) -> None:
        """Close this stream and the inner one."""
        self._inner.close()
        super().close()


def _check_growth(produced: int, consumed: int | None, source: str, limits: Limits) -> None:
    if produced > limits.max_decompressed_bytes:
        raise InvalidReport(
            source,
            f"decompressed data exceeds the limit of {limits.max_decompressed_bytes} bytes",
        )
    if (
        consumed is not None
        and produced > limits.ratio_grace_bytes
        and produced > limits.max_ratio * max(consumed, 1)
    ):
        raise InvalidReport(
            source, f"compression ratio over {limits.max_ratio:g}:1 (decompression bomb?)"
        )


def iter_payloads(
    data: bytes | str | os.PathLike[str], *, source: str = "", limits: Limits | None = None
) -> Iterator[Payload]:
    """Yield every report document inside ``data`` (bytes, or the path of a file).

    Raises ``InvalidReport`` naming the input (and member) when a layer is corrupt, a limit
    is exceeded, or nothing that looks like a report is found.
    """
    limits = limits or Limits()
    if isinstance(data, bytes):
        if len(data) > limits.max_input_bytes:
            raise InvalidReport(source, _too_big(len(data), limits.max_input_bytes))
        buffer = data
        opener: Callable[[], BinaryIO] = lambda: io.BytesIO(buffer)  # noqa: E731
    else:
        path = Path(data)
        source = source or str(path)
        opener = _path_opener(path, source, limits)
    yield from _unwrap(opener, source, limits, depth=0, log=WarningLog())


def _path_opener(path: Path, source: str, limits: Limits) -> Callable[[], BinaryIO]:
    """Return how to open the input at ``path`` each time a layer is read.

    A regular file is opened again for each read. A pipe (process substitution, a FIFO) can
    be read once only, so it is read whole now, within ``max_input_bytes``. Anything else (a
    device such as /dev/zero, a socket, a directory) raises ``InvalidReport``.
    """
    try:
        info = path.stat()
    except OSError as error:
        raise InvalidReport(source, f"cannot read: {error.strerror}") from None
    if stat.S_ISREG(info.st_mode):
        if info.st_size > limits.max_input_bytes:
            raise InvalidReport(source, _too_big(info.st_size, limits.max_input_bytes))
        return lambda: path.open("rb")
    if not stat.S_ISFIFO(info.st_mode):
        raise InvalidReport(source, "not a regular file or a pipe")
    try:
        with path.open("rb") as stream:
            buffer = stream.read(limits.max_input_bytes + 1)
    except OSError as error:
        raise InvalidReport(source, f"cannot read: {error.strerror}") from None
    if len(buffer) > limits.max_input_bytes:
        raise InvalidReport(source, f"input is over the limit of {limits.max_input_bytes} bytes")
    return lambda: io.BytesIO(buffer)


def _too_big(size: int, limit: int) -> str:
    return f"input is {size} bytes, over the limit of {limit} bytes"


def _head(opener: Callable[[], BinaryIO]) -> bytes:
    with opener() as stream:
        return stream.read(4096)


def _unwrap(
    opener: Callable[[], BinaryIO], source: str, limits: Limits, depth: int, log: WarningLog
) -> Iterator[Payload]:
    if depth > limits.max_depth:
        raise InvalidReport(source, f"wrapped more than {limits.max_depth} levels deep")
    kind = sniff(_head(opener))
    if kind in ("xml", "json"):
        yield Payload(source, kind, opener, log=log)
    elif kind in ("gzip", "zlib"):

        def inflate() -> BinaryIO:
            raw = BoundedInflater(opener(), source=source, limits=limits, log=log)
            return io.BufferedReader(raw, _CHUNK)

        yield from _unwrap(inflate, source, limits, depth + 1, log)
    elif kind == "zip":
        yield from _unzip(_seekable(opener, source, limits), source, limits, depth, log)
    elif kind == "base64":
        decoded = _unbase64(_read_bounded(opener, source, limits), source)
        yield from _unwrap(lambda: io.BytesIO(decoded), source, limits, depth + 1, log)
    elif kind == "mail":
        message = email.message_from_bytes(_read_bounded(opener, source, limits))
        yield from _from_mail(message, source, limits, depth, log)
    elif kind == "empty":
        raise InvalidReport(source, "empty input")
    else:
        raise InvalidReport(source, "not a report: neither XML, JSON, gzip, zip, base64 nor mail")


def _read_bounded(opener: Callable[[], BinaryIO], source: str, limits: Limits) -> bytes:
    with opener() as stream:
        data = stream.read(limits.max_mail_bytes + 1)
    if len(data) > limits.max_mail_bytes:
        raise InvalidReport(source, _too_big(len(data), limits.max_mail_bytes))
    return data


def _unbase64(data: bytes, source: str) -> bytes:
    try:
        return base64.b64decode(re.sub(rb"\s+", b"", data), validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidReport(source, f"invalid base64: {error}") from None


def _seekable(opener: Callable[[], BinaryIO], source: str, limits: Limits) -> BinaryIO:
    """Return the stream itself when it can seek (a file), else its bytes in memory."""
    stream = opener()
    if stream.seekable():
        return stream
    stream.close()
    return io.BytesIO(_read_bounded(opener, source, limits))


def _unzip(
    data: BinaryIO, source: str, limits: Limits, depth: int, log: WarningLog
) -> Iterator[Payload]:
    try:
        archive = zipfile.ZipFile(data)
        members = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise InvalidReport(source, f"corrupt zip archive: {error}") from None
    if not members:
        raise InvalidReport(source, "zip archive has no members")
    if len(members) > limits.max_parts:
        raise InvalidReport(source, f"zip archive has more than {limits.max_parts} members")
    for info in members:
        name = f"{source}!{info.filename}"
        if info.file_size > limits.max_decompressed_bytes:
            raise InvalidReport(name, _too_big(info.file_size, limits.max_decompressed_bytes))
        yield from _unwrap(
            _member_opener(archive, info, name, limits), name, limits, depth + 1, log
        )


def _member_opener(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits
) -> Callable[[], BinaryIO]:
    def open_member() -> BinaryIO:
        try:
            inner = archive.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as error:
            raise InvalidReport(name, f"cannot open zip member: {error}") from None
        bounded = BoundedReader(
            inner,  # type: ignore[arg-type]
            source=name,
            limits=limits,
            compressed_size=info.compress_size,
        )
        return io.BufferedReader(bounded, _CHUNK)

    return open_member


def _from_mail(
    message: email.message.Message, source: str, limits: Limits, depth: int, log: WarningLog
) -> Iterator[Payload]:
    found = False
    for payload in _walk(message, source, limits, depth, log, counter=[0]):
        found = True
        yield payload
    if not found:
        if _looks_like_failure(message):
            yield Payload(source, "mail", message=message, log=log)
        else:
            raise InvalidReport(source, "no report found in the message")


def _walk(
    part: email.message.Message,
    source: str,
    limits: Limits,
    depth: int,
    log: WarningLog,
    counter: list[int],
) -> Iterator[Payload]:
    counter[0] += 1
    if counter[0] > limits.max_parts:
        raise InvalidReport(source, f"message has more than {limits.max_parts} parts")
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        if depth >= limits.max_depth:
            raise InvalidReport(source, f"wrapped more than {limits.max_depth} levels deep")
        yield from _walk(_inner_message(part), source, limits, depth + 1, log, counter)
        return
    if part.is_multipart():
        children = subparts(part)
        if any(c.get_content_type() == "message/feedback-report" for c in children):
            yield Payload(source, "mail", message=part, log=log)
            return
        for child in children:
            yield from _walk(child, source, limits, depth, log, counter)
        return
    yield from _leaf(part, source, limits, depth, log)


def subparts(part: email.message.Message) -> list[email.message.Message]:
    """Return the sub-messages of a multipart or ``message/*`` part (``[]`` for a leaf)."""
    payload = part.get_payload()
    if not isinstance(payload, list):
        return []
    return [p for p in payload if isinstance(p, email.message.Message)]


def _inner_message(part: email.message.Message) -> email.message.Message:
    """Return the message inside a message/rfc822 part, even when it was encoded as a leaf."""
    inner = subparts(part)
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding not in ("base64", "quoted-printable"):
        return inner[0] if inner else email.message_from_string("")
    text = inner[0].get_payload() if inner else part.get_payload()
    raw = str(text).encode("ascii", "replace")
    # lenient base64: a forwarded mail is read as well as can be, it is not a report layer
    body = binascii.a2b_base64(raw) if encoding == "base64" else quopri.decodestring(raw)
    return email.message_from_bytes(body)


def _leaf(
    part: email.message.Message, source: str, limits: Limits, depth: int, log: WarningLog
) -> Iterator[Payload]:
    body = part.get_payload(decode=True)
    if not isinstance(body, bytes) or not body.strip():
        return
    kind = sniff(body[:4096])
    ctype = part.get_content_type()
    name = part.get_filename() or ""
    if kind in ("unknown", "empty", "mail") or (
        ctype.startswith("text/") and not name and not _inline_report(kind, body[:4096])
    ):
        return  # a message body, not an attachment
    if _mislabelled(ctype, name, kind):
        log.add("extract.mislabelled", f"{kind} content labelled {ctype}")
    member = f"{source}!{name}" if name else source
    yield from _unwrap(lambda: io.BytesIO(body), member, limits, depth + 1, log)


def _inline_report(kind: str, head: bytes) -> bool:
    """True for a report sent as the text of the message rather than as an attachment."""
    if kind == "xml":
        return b"<feedback" in head or b":feedback" in head
    return kind == "json" and b"organization-name" in head


_LABELS = {
    "gzip": ("gzip", "gz", "tlsrpt+gzip"),
    "zip": ("zip",),
    "xml": ("xml",),
    "json": ("json",),
}


def _mislabelled(ctype: str, name: str, kind: str) -> bool:
    """True when the type or file name names a specific format other than the content's."""
    words = re.split(r"[/.+-]", f"{ctype} {name}".lower().replace(" ", "/"))
    claimed = {k for k, labels in _LABELS.items() for label in labels if label in words}
    return bool(claimed) and kind in _LABELS and kind not in claimed


def _looks_like_failure(message: email.message.Message) -> bool:
    subject = str(message.get("Subject", "")).lower()
    if "dmarc" in subject and ("forensic" in subject or "failure" in subject):
        return True
    return message.get_content_type() == "multipart/report"
