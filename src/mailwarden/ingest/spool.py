"""A durable spool directory: a message is on disk (fsync'ed) before the SMTP server says 250.

Files are written to ``tmp/``, flushed and synced, then renamed into ``new/`` and the directory
synced, as Maildir does. A file leaves ``new/`` only after its reports were committed, so a
crash at any point leaves it to be ingested (again) on the next start.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

__all__ = ["Spool"]


def _sync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Spool:
    """Raw messages waiting to be ingested, one file each."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.new = root / "new"
        for folder in (self.tmp, self.new):
            folder.mkdir(parents=True, exist_ok=True)

    def write(self, data: bytes) -> Path:
        """Store ``data`` durably and return its path in ``new/``; raises ``OSError`` on failure."""
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.{socket.gethostname()}"
        temporary, final = self.tmp / name, self.new / name
        with temporary.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.rename(final)
        _sync_dir(self.new)
        return final

    def pending(self) -> Iterator[Path]:
        """Yield the files waiting in ``new/``, oldest first."""
        yield from sorted(p for p in self.new.iterdir() if not p.name.startswith("."))

    def done(self, path: Path) -> None:
        """Remove ``path`` once its reports are committed (durably)."""
        path.unlink(missing_ok=True)
        _sync_dir(self.new)
