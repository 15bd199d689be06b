"""Files named by the user: read only regular files and pipes, and never more than a bound, so
a device such as /dev/zero or an endless line cannot hang a command or exhaust memory."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from mailwarden.errors import InputError

__all__ = [
    "MAX_LINE_BYTES",
    "MAX_LIST_BYTES",
    "MAX_MESSAGE_BYTES",
    "MAX_SECRET_BYTES",
    "input_lines",
    "open_input",
    "read_input",
    "read_text_input",
]

MAX_MESSAGE_BYTES = 64 << 20
"""A mail message or a header block, read whole (the report parser's own mail limit)."""
MAX_LIST_BYTES = 256 << 20
"""A domain list or a zone file, read whole: room for about ten million domains."""
MAX_LINE_BYTES = 16 << 20
"""One line of a line-by-line input, such as a scan result."""
MAX_SECRET_BYTES = 64 << 10
"""A token, password or password-hash file."""


def open_input(path: str | Path) -> BinaryIO:
    """Return ``path`` opened for binary reading.

    Raises ``InputError`` naming the path when it cannot be opened or is neither a regular
    file nor a pipe (a directory, a device, a socket).
    """
    try:
        handle = Path(path).open("rb")  # noqa: SIM115  (returned to the caller, who closes it)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    mode = os.fstat(handle.fileno()).st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        handle.close()
        raise InputError(f"{path}: not a regular file or a pipe")
    return handle


def read_input(path: str | Path, *, limit: int, stdin: bool = False) -> bytes:
    """Return the bytes of ``path`` (standard input for ``-`` when ``stdin``).

    Raises ``InputError`` naming the input when it cannot be read, is not a regular file or a
    pipe, or holds more than ``limit`` bytes.
    """
    if stdin and str(path) == "-":
        return _bounded(sys.stdin.buffer, "standard input", limit)
    with open_input(path) as handle:
        return _bounded(handle, str(path), limit)


def input_lines(
    handle: BinaryIO, name: str, limit: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line number, line)`` from ``handle``, counting from 1.

    Raises ``InputError`` naming ``name`` and the line when a line is over ``limit`` bytes.
    """
    number = 0
    while line := handle.readline(limit + 1):
        number += 1
        if len(line) > limit:
            raise InputError(f"{name}:{number}: line longer than {limit:,} bytes")
        yield number, line


def read_text_input(path: str | Path, *, limit: int) -> str:
    """Return the UTF-8 text of ``path``, read like :func:`read_input`.

    Raises ``InputError`` naming the path when it cannot be read, is not a regular file or a
    pipe, holds more than ``limit`` bytes or is not UTF-8.
    """
    try:
        return read_input(path, limit=limit).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


def _bounded(handle: BinaryIO, name: str, limit: int) -> bytes:
    try:
        data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(f"{name}: larger than {limit:,} bytes")
    return data
