"""Parsing ahead of the store, in worker processes: raw input in, rows ready to insert out.

:class:`ParsePool` parses raw inputs in other processes while the main process talks to the
mail server and the database; :func:`prepare_input` is what each worker runs. A result is
plain tuples and strings (see :class:`mailwarden.store.rows.PreparedAggregate`), cheap to send
back; input that cannot be parsed comes back as the reason, for the quarantine.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor

from mailwarden.store.rows import prepare

__all__ = ["NoReportError", "ParsePool", "prepare_input", "reason_of"]


class NoReportError(Exception):
    """The input parsed, but held no report at all."""


def reason_of(error: Exception) -> str:
    """Return why ``error`` made an input unparseable, as kept in the quarantine."""
    text = str(error).strip() or type(error).__name__
    if isinstance(error, NoReportError):
        return text
    name = type(error).__name__
    return text if name in ("ParseError", "ReportError") else f"{name}: {text}"


def prepare_input(parse: Callable[[bytes], Iterable[object]], data: bytes) -> list[object] | str:
    """Return the reports in ``data`` prepared for the store, or the reason it cannot be parsed.

    Never raises for bad input: every parse failure becomes its reason.
    """
    try:
        reports = [prepare(report) for report in parse(data)]
    except Exception as error:  # any parse failure: the input goes to the quarantine
        return reason_of(error)
    if not reports:
        return reason_of(NoReportError("no report found in the input"))
    return reports


def _exit_with_parent(parent: int, interval: float = 0.5) -> None:
    """Make this worker exit when ``parent`` is gone (killed with SIGKILL, say).

    A killed parent cannot stop its workers, and a worker waiting for work would wait for
    ever: a watcher thread ends the process once the parent is no longer its parent.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class ParsePool:
    """Worker processes running :func:`prepare_input` with one parser.

    ``parse`` must be picklable (a module-level function or a picklable object); use
    :meth:`usable` first. All workers are forked at the first submission (before the
    executor starts its thread; ``fork`` also spares re-running the main script), where fork
    is unavailable they are spawned.
    """

    def __init__(self, parse: Callable[[bytes], Iterable[object]], workers: int) -> None:
        self.parse = parse
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )

    @staticmethod
    def usable(parse: object) -> bool:
        """Return True when ``parse`` can be sent to a worker process."""
        try:
            pickle.dumps(parse)
        except Exception:  # lambdas, closures, bound methods of unpicklable objects
            return False
        return True

    def submit(self, data: bytes) -> Future[list[object] | str]:
        """Start preparing ``data`` in a worker; the future gives :func:`prepare_input`'s result."""
        return self._executor.submit(prepare_input, self.parse, data)

    def close(self) -> None:
        """Stop the workers (pending work is cancelled)."""
        self._executor.shutdown(wait=True, cancel_futures=True)
