"""A named pipe fed by a thread, for tests of inputs read from pipes."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def fifo_feeding(path: Path, data: bytes) -> Iterator[Path]:
    """Create a named pipe at ``path`` and yield it while a thread writes ``data`` into it."""
    os.mkfifo(path)

    def write() -> None:
        with path.open("wb") as handle:
            handle.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        yield path
    finally:
        writer.join(timeout=10)
