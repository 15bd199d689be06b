"""`mailwarden authres parse`: the shared messages, JSON, forged marking, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mailwarden.cli import cli


def test_parse_shared_message(shared_dir: Path) -> None:
    """The conformance message's header is parsed and shown; exit 0."""
    path = shared_dir / "conformance" / "dmarc-authheaders" / "test.message"
    result = CliRunner().invoke(cli, ["authres", "parse", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data[0]["parsed"]["authserv_id"] == "lists.example.org"
    assert data[0]["forged"] is False


def test_parse_marks_forged() -> None:
    """--authserv-id marks headers that claim it."""
    result = CliRunner().invoke(
        cli,
        ["authres", "parse", "--authserv-id", "mx.example.org"],
        input="Authentication-Results: mx.example.org; dmarc=pass\n\nbody\n",
    )
    assert result.exit_code == 0
    assert "FORGED" in result.output


def test_parse_error_exit_1() -> None:
    """A malformed header is reported with its position; exit 1."""
    result = CliRunner().invoke(
        cli, ["authres", "parse"], input="Authentication-Results: x; spf=\n"
    )
    assert result.exit_code == 1
    assert "error: expected name=value (at position 4)" in result.output


def test_no_header_exit_1() -> None:
    """No Authentication-Results header: exit 1."""
    result = CliRunner().invoke(cli, ["authres", "parse"], input="Subject: hi\n\nbody\n")
    assert result.exit_code == 1


def test_unreadable_exit_2(tmp_path: Path) -> None:
    """An unreadable file: exit 2, no traceback."""
    result = CliRunner().invoke(cli, ["authres", "parse", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
