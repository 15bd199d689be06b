"""``--watch``: keep watching directories and ingest files as they appear or change."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from mailwarden.ingest.pipeline import RawInput
from mailwarden.ingest.sources import OnError, iter_path

__all__ = ["Watcher"]

Signature = tuple[int, int]


class Watcher:
    """Polls directories and hands each new or changed file (or new Maildir/mbox message) on.

    A file is ingested again only when its size or modification time changes; the store's
    exactly-once identity makes a repeated report a duplicate anyway. A file modified less
    than ``settle`` seconds ago may still be being written: it waits for a later scan.
    """

    def __init__(
        self,
        paths: list[Path],
        interval: float = 2.0,
        on_error: OnError | None = None,
        settle: float = 1.0,
    ):
        self.paths = paths
        self.interval = interval
        self.on_error = on_error
        self.settle = settle
        self._seen: dict[str, Signature] = {}
        self._seen_messages: set[str] = set()

    def scan(self) -> Iterator[RawInput]:
        """Yield the inputs that are new since the previous scan."""
        for top in self.paths:
            for path in _files(top):
                signature = _signature(path)
                if signature is None or self._seen.get(str(path)) == signature:
                    continue
                if time.time_ns() - signature[1] < self.settle * 1e9:
                    continue
                for item in iter_path(path, self.on_error):
                    if item.source not in self._seen_messages:
                        self._seen_messages.add(item.source)
                        yield item
                self._seen[str(path)] = signature

    def run(self, handle: Callable[[RawInput], object], stop: threading.Event) -> None:
        """Scan every ``interval`` seconds and call ``handle`` on each new input until ``stop``."""
        while not stop.is_set():
            for item in self.scan():
                handle(item)
                if stop.is_set():
                    return
            stop.wait(self.interval)


def _files(top: Path) -> Iterator[Path]:
    if not top.is_dir():
        yield top
        return
    for root, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "tmp")
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(root) / name


def _signature(path: Path) -> Signature | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)
