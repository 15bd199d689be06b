"""Files named by the user: regular files and pipes only, never more than a bound."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailwarden.cli import cli
from mailwarden.errors import InputError
from mailwarden.inputs import input_lines, open_input, read_input
from tests.pipes import fifo_feeding

DEVICE = Path("/dev/zero")
needs_device = pytest.mark.skipif(
    not DEVICE.exists(), reason="/dev/zero not present: no endless device to read"
)


def test_regular_file_within_the_bound(tmp_path: Path) -> None:
    """A regular file is read whole; one byte over the bound is refused, naming it."""
    path = tmp_path / "list.txt"
    path.write_bytes(b"x" * 10)
    assert read_input(path, limit=10) == b"x" * 10
    with pytest.raises(InputError, match=r"list\.txt: larger than 9 bytes"):
        read_input(path, limit=9)


@needs_device
def test_device_is_refused_without_reading() -> None:
    """A device such as /dev/zero is refused at once instead of read without end."""
    with pytest.raises(InputError, match="not a regular file or a pipe"):
        read_input(DEVICE, limit=1 << 40)


def test_directory_and_missing_file_are_refused(tmp_path: Path) -> None:
    """A directory or a missing path is an InputError naming it."""
    for path in (tmp_path, tmp_path / "missing.txt"):
        with pytest.raises(InputError, match=str(path)):
            open_input(path)


def test_pipe_is_read(tmp_path: Path) -> None:
    """A named pipe (as process substitution gives) is read like a file."""
    with fifo_feeding(tmp_path / "pipe", b"a.example\nb.example\n") as fifo:
        assert read_input(fifo, limit=100) == b"a.example\nb.example\n"


def test_stdin_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """``-`` reads standard input when allowed, within the same bound."""

    class Stdin:
        buffer = io.BytesIO(b"y" * 20)

    monkeypatch.setattr("sys.stdin", Stdin)
    with pytest.raises(InputError, match="standard input: larger than 10 bytes"):
        read_input("-", limit=10, stdin=True)


def test_lines_over_the_bound_name_the_line() -> None:
    """An endless line is refused with its number instead of held in memory."""
    handle = io.BytesIO(b"short\n" + b"z" * 50 + b"\n")
    lines = input_lines(handle, "results.jsonl", limit=20)
    assert next(lines) == (1, b"short\n")
    with pytest.raises(InputError, match=r"results\.jsonl:2: line longer than 20 bytes"):
        next(lines)


@needs_device
@pytest.mark.parametrize(
    "args",
    [
        ["scan", str(DEVICE), "--out", "{tmp}/r.jsonl", "-z", "{tmp}/lab.test.zone"],
        ["stats", str(DEVICE)],
        ["dkim", "verify", str(DEVICE), "-z", "{tmp}/lab.test.zone"],
        ["authres", "parse", str(DEVICE)],
        ["check", "lab.test", "-z", str(DEVICE)],
    ],
)
def test_commands_refuse_a_device(tmp_path: Path, args: list[str]) -> None:
    """Commands taking a file exit 2 naming /dev/zero instead of reading it without end."""
    (tmp_path / "lab.test.zone").write_text('$ORIGIN lab.test.\n@ 300 IN TXT "v=spf1 -all"\n')
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2, result.output
    assert str(DEVICE) in result.output
    assert "Traceback" not in result.output
