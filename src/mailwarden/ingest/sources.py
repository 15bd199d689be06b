"""Raw inputs on disk: files, directories (recursive), Maildir folders, mbox files."""

from __future__ import annotations

import errno
import mailbox
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from mailwarden.errors import InputError
from mailwarden.ingest.pipeline import RawInput
from mailwarden.inputs import read_input
from mailwarden.reports import Limits

__all__ = [
    "MAX_FILE_BYTES",
    "STDIN",
    "check_paths",
    "is_maildir",
    "is_mbox",
    "iter_inputs",
    "iter_path",
]

#: The largest file read as one input: the report parser's own bound on raw input.
MAX_FILE_BYTES = Limits().max_input_bytes

#: Called with a path and the reason when one file in a walk cannot be read.
OnError = Callable[[str, str], None]


#: The path that names standard input on the command line.
STDIN = Path("-")


def check_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Return ``paths`` as ``Path`` objects; raise ``InputError`` naming one that does not exist
    (``-``, standard input, may be named once)."""
    found = [Path(p) for p in paths]
    if found.count(STDIN) > 1:
        raise InputError("-: standard input can be read only once")
    for path in found:
        if path != STDIN and not path.exists():
            raise InputError(f"{path}: no such file or directory")
    return found


def is_maildir(path: Path) -> bool:
    """Return True when ``path`` is a Maildir folder (it has ``cur``, ``new`` and ``tmp``)."""
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def is_mbox(path: Path) -> bool:
    """Return True when the file at ``path`` starts like an mbox file (``From `` line)."""
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False


def iter_inputs(paths: Iterable[Path], on_error: OnError | None = None) -> Iterator[RawInput]:
    """Yield every raw input under ``paths``, one message or file at a time, in a stable order."""
    for path in paths:
        yield from iter_path(path, on_error)


def iter_path(path: Path, on_error: OnError | None = None) -> Iterator[RawInput]:
    """Yield the raw inputs of one file, mbox, Maildir, directory tree, named pipe or ``-``
    (standard input, read whole within ``MAX_FILE_BYTES``; ``InputError`` past it).

    Each directory is read once, so a symlink pointing back up the tree is not followed round.
    A pipe is read when named itself (as process substitution gives), but FIFOs, sockets and
    devices found in a directory, which could block or never end, are reported through
    ``on_error``; so is a file over ``MAX_FILE_BYTES``.
    """
    if path == STDIN:
        yield RawInput("standard input", read_input("-", limit=MAX_FILE_BYTES, stdin=True))
    elif path.is_fifo():
        yield from _guarded(path, on_error, lambda: iter([_file(path)]))
    else:
        yield from _walk(path, on_error, set())


def _walk(path: Path, on_error: OnError | None, seen: set[tuple[int, int]]) -> Iterator[RawInput]:
    def inputs() -> Iterator[RawInput]:
        if path.is_dir():
            yield from _directory(path, on_error, seen)
        elif path.exists() and not path.is_file():
            raise OSError("not a regular file (a FIFO, socket or device); skipped")
        elif is_mbox(path):
            yield from _mbox(path)
        else:
            yield _file(path)

    yield from _guarded(path, on_error, inputs)


def _guarded(
    path: Path, on_error: OnError | None, inputs: Callable[[], Iterator[RawInput]]
) -> Iterator[RawInput]:
    """Yield ``inputs()``; an ``OSError`` goes to ``on_error`` or becomes an ``InputError``."""
    try:
        yield from inputs()
    except OSError as error:
        if on_error is None:
            raise InputError(f"{path}: {error.strerror or error}") from error
        on_error(str(path), error.strerror or str(error))


def _file(path: Path) -> RawInput:
    """Return the whole file (or pipe) as one raw input; ``OSError`` when over the bound."""
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise OSError(errno.EFBIG, f"larger than {MAX_FILE_BYTES:,} bytes; skipped")
    return RawInput(str(path), data)


def _directory(
    path: Path, on_error: OnError | None, seen: set[tuple[int, int]]
) -> Iterator[RawInput]:
    info = path.stat()
    if (info.st_dev, info.st_ino) in seen:
        return
    seen.add((info.st_dev, info.st_ino))
    if is_maildir(path):
        yield from _maildir(path)
        return
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        yield from _walk(Path(entry.path), on_error, seen)


def _maildir(path: Path) -> Iterator[RawInput]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.keys()):
        yield RawInput(f"{path}#{key}", box.get_bytes(key))


def _mbox(path: Path) -> Iterator[RawInput]:
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for index, key in enumerate(box.keys(), start=1):
            yield RawInput(f"{path}#{index}", box.get_bytes(key))
    finally:
        box.close()
