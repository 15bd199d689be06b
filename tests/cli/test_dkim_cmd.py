"""``mailwarden dkim keygen|sign|verify|probe`` through the click runner."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailwarden.cli import cli
from tests.dkim.conftest import MESSAGE


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner."""
    return CliRunner()


@pytest.fixture
def setup(runner: CliRunner, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A key made with keygen, a zone publishing it, and a plain message file."""
    result = runner.invoke(cli, ["dkim", "keygen", "--domain", "example.com", "--selector",
                                 "admin-mag", "--out", str(tmp_path / "keys")])  # fmt: skip
    assert result.exit_code == 0, result.output
    zone = tmp_path / "db.example.com"
    zone.write_text("$TTL 300\n" + (tmp_path / "keys" / "admin-mag.txt").read_text())
    message = tmp_path / "message.eml"
    message.write_bytes(MESSAGE)
    return tmp_path / "keys" / "admin-mag.private", zone, message


def _sign(runner: CliRunner, key: Path, *args: str, **kw: object) -> bytes:
    result = runner.invoke(cli, ["dkim", "sign", "-d", "example.com", "-s", "admin-mag",
                                 "--key", str(key), *args], **kw)  # type: ignore[arg-type]  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_keygen_writes_private_key_and_zone_line(
    runner: CliRunner, setup: tuple[Path, Path, Path]
) -> None:
    """keygen writes S.private with mode 0600 and S.txt holding the zone line it prints."""
    key, _, _ = setup
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    line = (key.parent / "admin-mag.txt").read_text()
    assert line.startswith("admin-mag._domainkey.example.com.\t")
    assert all(len(s) <= 255 for s in line.split('"')[1::2])


def test_keygen_refuses_small_rsa_and_existing_files(runner: CliRunner, tmp_path: Path) -> None:
    """RSA under 1024 bits and an existing key file give exit 2, no traceback."""
    args = ["dkim", "keygen", "-d", "example.com", "-s", "s1", "--out", str(tmp_path)]
    small = runner.invoke(cli, [*args, "--bits", "768"])
    assert small.exit_code == 2
    assert "1024" in small.output
    assert runner.invoke(cli, [*args, "--algorithm", "ed25519"]).exit_code == 0
    again = runner.invoke(cli, [*args, "--algorithm", "ed25519"])
    assert (again.exit_code, "exists" in again.output) == (2, True)
    forced = runner.invoke(cli, [*args, "--algorithm", "ed25519", "--force", "--json"])
    assert json.loads(forced.output)["record"].startswith("v=DKIM1; k=ed25519; p=")


@pytest.mark.parametrize("selector", ["", "../outside"])
def test_keygen_refuses_invalid_selector(runner: CliRunner, tmp_path: Path, selector: str) -> None:
    """An empty selector or one with a path in it exits 2 and writes no file anywhere."""
    out = tmp_path / "keys"
    args = ["dkim", "keygen", "-d", "example.com", "-s", selector, "--out", str(out)]
    result = runner.invoke(cli, [*args, "--algorithm", "ed25519"])
    assert result.exit_code == 2, result.output
    assert "not a valid selector" in result.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == []


def test_sign_then_verify(runner: CliRunner, setup: tuple[Path, Path, Path]) -> None:
    """A message signed by the command verifies with the command: one pass line, exit 0."""
    key, zone, message = setup
    signed = _sign(runner, key, str(message))
    assert signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256;")
    assert signed.endswith(MESSAGE)
    result = runner.invoke(cli, ["dkim", "verify", "--zone", str(zone), "-"], input=signed)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("pass: d=example.com s=admin-mag a=rsa-sha256, 2048-bit key")


def test_verify_json_and_failure_exit(runner: CliRunner, setup: tuple[Path, Path, Path]) -> None:
    """--json gives a list of objects; a tampered message exits 1."""
    key, zone, message = setup
    tampered = _sign(runner, key, str(message)) + b"extra\r\n"
    result = runner.invoke(cli, ["dkim", "verify", "-", "--json", "-z", str(zone)], input=tampered)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [{k: d[k] for k in ("domain", "selector", "algorithm", "result", "reason")}
            for d in data] == [{"domain": "example.com", "selector": "admin-mag",
                                "algorithm": "rsa-sha256", "result": "fail",
                                "reason": "body-hash-mismatch"}]  # fmt: skip


def test_verify_unsigned_message_exits_1(runner: CliRunner, setup: tuple[Path, Path, Path]) -> None:
    """A message without signatures is not a success."""
    _, zone, message = setup
    result = runner.invoke(cli, ["dkim", "verify", str(message), "--zone", str(zone)])
    assert (result.exit_code, result.output.strip()) == (1, "no DKIM signature")


def test_sign_keeps_lf_line_ends(runner: CliRunner, setup: tuple[Path, Path, Path]) -> None:
    """LF-only input gives LF-only output, and it verifies."""
    key, zone, _ = setup
    lf = MESSAGE.replace(b"\r\n", b"\n")
    signed = _sign(runner, key, "-", input=lf)
    assert b"\r" not in signed
    result = runner.invoke(cli, ["dkim", "verify", "-z", str(zone)], input=signed)
    assert result.exit_code == 0, result.output


def test_sign_bad_input_exit_2(runner: CliRunner, setup: tuple[Path, Path, Path]) -> None:
    """A missing key file, a bad key or a message without From: exit 2, no traceback."""
    key, _, message = setup
    base = ["dkim", "sign", "-d", "example.com", "-s", "admin-mag"]
    missing = runner.invoke(cli, [*base, "--key", str(key) + ".nope", str(message)])
    not_a_key = runner.invoke(cli, [*base, "--key", str(message), str(message)])
    no_from = runner.invoke(cli, [*base, "--key", str(key), "-"], input=b"To: a@b\r\n\r\nx\r\n")
    for result in (missing, not_a_key, no_from):
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
    assert "no From" in no_from.output


def test_probe_reports_keys(runner: CliRunner, setup: tuple[Path, Path, Path]) -> None:
    """probe finds the published selector among the given ones, in text and JSON."""
    _, zone, _ = setup
    text = runner.invoke(cli, ["dkim", "probe", "example.com", "-z", str(zone)])
    assert text.exit_code == 0, text.output
    assert "admin-mag: 2048-bit rsa, valid" in text.output
    result = runner.invoke(cli, ["dkim", "probe", "example.com", "--selectors", "admin-mag,x",
                                 "--json", "-z", str(zone)])  # fmt: skip
    data = json.loads(result.output)
    assert data["selectors_tried"] == ["admin-mag", "x"]
    assert [(k["selector"], k["key_bits"], k["valid"]) for k in data["keys"]] == [
        ("admin-mag", 2048, True)
    ]


def test_probe_error_finding_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    """A malformed key record is an error finding: exit 1."""
    zone = tmp_path / "db.example.com"
    zone.write_text('$TTL 300\ndefault._domainkey.example.com. TXT "v=DKIM1; p=!!"\n')
    result = runner.invoke(cli, ["dkim", "probe", "example.com", "-z", str(zone)])
    assert result.exit_code == 1
    assert "dkim.malformed-key" in result.output


def test_verify_dns_failure_exits_3(runner: CliRunner, setup: tuple[Path, Path, Path]) -> None:
    """When the key lookup cannot be answered, verify exits 3 with a temperror line."""
    key, _, message = setup
    signed = _sign(runner, key, str(message))
    result = runner.invoke(cli, ["dkim", "verify", "-n", "127.0.0.1:9", "--timeout", "0.2", "-"],
                           input=signed)  # fmt: skip
    assert result.exit_code == 3, result.output
    assert result.output.startswith("temperror: d=example.com s=admin-mag")
