"""Raw inputs from files, directories, Maildir folders and mbox files."""

from __future__ import annotations

import mailbox
import os
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailwarden.errors import InputError
from mailwarden.ingest import check_paths, iter_inputs
from mailwarden.ingest.watch import Watcher
from tests.pipes import fifo_feeding


def _mail(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "noreply-dmarc@example.net"
    message.set_content(f"body of {subject}\n")
    return message


def test_directory_recursive_sorted(tmp_path: Path) -> None:
    """A directory is walked recursively in name order; hidden files are skipped."""
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.xml").write_bytes(b"two")
    (tmp_path / "a.xml").write_bytes(b"one")
    (tmp_path / ".hidden").write_bytes(b"no")
    found = [(Path(i.source).name, i.data) for i in iter_inputs([tmp_path])]
    assert found == [("a.xml", b"one"), ("2.xml", b"two")]


def test_symlink_loop_is_read_once(tmp_path: Path) -> None:
    """A directory holding a symlink to itself yields its files once, not once per level."""
    top = tmp_path / "reports"
    top.mkdir()
    (top / "a.xml").write_bytes(b"<feedback/>")
    (top / "self").symlink_to(top)
    sources = [raw.source for raw in iter_inputs([top])]
    assert sources == [str(top / "a.xml")]


def test_fifo_in_a_directory_is_skipped(tmp_path: Path) -> None:
    """A FIFO among the files is reported and skipped instead of blocking the walk."""
    (tmp_path / "a.xml").write_bytes(b"<feedback/>")
    os.mkfifo(tmp_path / "pipe")
    errors: list[tuple[str, str]] = []
    sources = [raw.source for raw in iter_inputs([tmp_path], lambda p, r: errors.append((p, r)))]
    assert sources == [str(tmp_path / "a.xml")]
    assert errors == [
        (str(tmp_path / "pipe"), "not a regular file (a FIFO, socket or device); skipped")
    ]


def test_mbox_messages(tmp_path: Path) -> None:
    """An mbox file yields each message separately, numbered from 1."""
    path = tmp_path / "reports.mbox"
    box = mailbox.mbox(path)
    for subject in ("first", "second"):
        box.add(_mail(subject))
    box.close()
    items = list(iter_inputs([path]))
    assert [i.source for i in items] == [f"{path}#1", f"{path}#2"]
    assert b"Subject: second" in items[1].data


def test_maildir_messages(tmp_path: Path) -> None:
    """A Maildir folder (also inside a directory) yields its messages, new and cur."""
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(_mail("one"))
    key = box.add(_mail("two"))
    message = box[key]
    message.set_subdir("cur")
    box[key] = message
    items = list(iter_inputs([tmp_path]))
    assert sorted(b"Subject: one" in i.data for i in items) == [False, True]
    assert len(items) == 2


def test_missing_path_is_input_error(tmp_path: Path) -> None:
    """A path that does not exist is named in an input error."""
    with pytest.raises(InputError, match=r"nothing\.xml: no such file"):
        check_paths([tmp_path / "nothing.xml"])


def test_watcher_sees_new_and_changed_files(tmp_path: Path) -> None:
    """The watcher yields existing files once, then only new or changed ones."""
    (tmp_path / "a").write_bytes(b"1")
    watcher = Watcher([tmp_path], settle=0)
    assert [i.data for i in watcher.scan()] == [b"1"]
    assert list(watcher.scan()) == []
    (tmp_path / "b").write_bytes(b"2")
    assert [i.data for i in watcher.scan()] == [b"2"]


def test_watcher_waits_for_files_to_settle(tmp_path: Path) -> None:
    """A file modified just now is left for a later scan (it may still be being written)."""
    (tmp_path / "a").write_bytes(b"1")
    watcher = Watcher([tmp_path], settle=60)
    assert list(watcher.scan()) == []
    watcher.settle = 0
    assert [i.data for i in watcher.scan()] == [b"1"]


def test_named_pipe_is_read(tmp_path: Path) -> None:
    """A FIFO named itself (process substitution) is read as one input."""
    with fifo_feeding(tmp_path / "pipe", b"<feedback/>") as fifo:
        got = [(raw.source, raw.data) for raw in iter_inputs([fifo])]
    assert got == [(str(fifo), b"<feedback/>")]


def test_file_over_the_bound_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file larger than MAX_FILE_BYTES is reported and skipped, the next one still read."""
    monkeypatch.setattr("mailwarden.ingest.sources.MAX_FILE_BYTES", 8)
    (tmp_path / "a.xml").write_bytes(b"<feedback>too long</feedback>")
    (tmp_path / "b.xml").write_bytes(b"<f/>")
    errors: list[tuple[str, str]] = []
    sources = [raw.source for raw in iter_inputs([tmp_path], lambda p, r: errors.append((p, r)))]
    assert sources == [str(tmp_path / "b.xml")]
    assert errors == [(str(tmp_path / "a.xml"), "larger than 8 bytes; skipped")]
    with pytest.raises(InputError, match=r"a\.xml: larger than 8 bytes"):
        list(iter_inputs([tmp_path / "a.xml"]))
