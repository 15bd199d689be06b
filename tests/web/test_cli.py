"""``mailwarden serve`` refuses unsafe exposure; ``mailwarden demo --no-serve`` summarizes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailwarden.cli import cli
from mailwarden.web.auth import verify_password


@pytest.fixture
def runner() -> CliRunner:
    """A click runner with stderr kept apart."""
    return CliRunner()


def test_serve_refuses_public_address_without_auth(runner: CliRunner, tmp_path: Path) -> None:
    """Listening on 0.0.0.0 without a token or password exits 2 and says why."""
    result = runner.invoke(
        cli, ["serve", "--db", str(tmp_path / "s.db"), "--listen", "0.0.0.0:8080"], env={}
    )
    assert result.exit_code == 2
    assert "refusing to listen on 0.0.0.0" in result.output
    assert "--token-file" in result.output


def test_serve_rejects_short_token(runner: CliRunner, tmp_path: Path) -> None:
    """A token file with a short token is refused before anything is served."""
    token = tmp_path / "token"
    token.write_text("short\n")
    result = runner.invoke(cli, ["serve", "--listen", "0.0.0.0:8080", "--token-file", str(token)])
    assert result.exit_code == 2
    assert "at least 16" in result.output


@pytest.mark.parametrize("option", ["--token-file", "--password-hash-file"])
def test_serve_rejects_secret_file_not_utf8(runner: CliRunner, tmp_path: Path, option: str) -> None:
    """A token or password hash file that is not UTF-8 exits 2 naming it, no traceback."""
    secret = tmp_path / "secret"
    secret.write_bytes(b"\xff\xfe" + b"x" * 30)
    result = runner.invoke(cli, ["serve", "--listen", "127.0.0.1:8080", option, str(secret)])
    assert result.exit_code == 2, result.output
    assert f"{secret}: not UTF-8 text" in result.output


@pytest.mark.parametrize("option", ["--token-file", "--password-hash-file"])
def test_serve_refuses_a_device_as_secret_file(runner: CliRunner, option: str) -> None:
    """/dev/zero as a secret file exits 2 at once instead of reading without end."""
    result = runner.invoke(cli, ["serve", "--listen", "127.0.0.1:8080", option, "/dev/zero"])
    assert result.exit_code == 2, result.output
    assert "/dev/zero: not a regular file or a pipe" in result.output


def test_serve_rejects_malformed_listen(runner: CliRunner) -> None:
    """--listen without a port is a usage error."""
    result = runner.invoke(cli, ["serve", "--listen", "localhost"])
    assert result.exit_code == 2
    assert "HOST:PORT" in result.output


def test_hash_password_prints_a_verifiable_hash(runner: CliRunner) -> None:
    """--hash-password reads the password from stdin and prints its scrypt hash."""
    result = runner.invoke(cli, ["serve", "--hash-password"], input="long enough secret\n")
    assert result.exit_code == 0, result.output
    assert verify_password("long enough secret", result.output.strip())


def test_demo_no_serve_json(runner: CliRunner) -> None:
    """demo --no-serve --json prints each zone with the figures of its sample reports."""
    result = runner.invoke(cli, ["demo", "--no-serve", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["domain"] for r in rows] == ["example.com", "example.net", "example.org"]
    assert all(r["reports"]["messages"] > 0 for r in rows)
    assert rows[1]["reports"]["next_step"] == "p=quarantine"
