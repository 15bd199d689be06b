"""mailwarden spf check|eval and mailwarden conformance spf, through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailwarden.cli import cli

ZONE = """$ORIGIN example.com.
$TTL 300
@        IN SOA ns.example.com. host.example.com. 1 7200 3600 1209600 300
@        IN TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.example.com -all exp=why.example.com"
_spf     IN TXT "v=spf1 a:out.example.com ptr ?all"
out      IN A   198.51.100.7
why      IN TXT "%{i} is not one of %{d}'s senders"
bad      IN TXT "v=spf1 a:museum -all"
open     IN TXT "v=spf1 +all"
"""
SUITE = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "spf"


@pytest.fixture
def zone(tmp_path: Path) -> str:
    """A zone file for example.com."""
    path = tmp_path / "db.example.com"
    path.write_text(ZONE)
    return str(path)


def test_check_prints_tree_totals_findings(zone: str) -> None:
    """spf check shows the record, the tree with costs, the totals and findings by code."""
    result = CliRunner().invoke(cli, ["spf", "check", "example.com", "-z", zone])
    assert result.exit_code == 0, result.output
    assert "include:_spf.example.com  [2 lookups]" in result.output
    assert "example.com  [3 lookups (1 here + 2 below)]" in result.output
    assert "DNS lookups: 3/10   void lookups: 0/2   all: -all" in result.output
    assert "spf.ptr-deprecated" in result.output


def test_check_error_exit_1_and_json(zone: str) -> None:
    """+all is an error finding: exit 1; --json carries tree and findings."""
    result = CliRunner().invoke(cli, ["spf", "check", "open.example.com", "-z", zone, "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["all"] == "+all" and data["tree"]["record"] == "v=spf1 +all"
    assert [f["code"] for f in data["findings"]] == ["spf.all-pass"]


def test_check_syntax_error_position(zone: str) -> None:
    """A syntax error is shown with its position."""
    result = CliRunner().invoke(cli, ["spf", "check", "bad.example.com", "-z", zone])
    assert result.exit_code == 1
    assert "spf.syntax-error" in result.output and "at position 9" in result.output


def test_check_bad_domain_exit_2(zone: str) -> None:
    """A malformed domain is bad input: exit 2, no traceback."""
    result = CliRunner().invoke(cli, ["spf", "check", "a..example.com", "-z", zone])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_check_unreachable_dns_exit_3() -> None:
    """No answer from the nameserver: exit 3."""
    args = ["spf", "check", "example.com", "-n", "127.0.0.1:9", "--timeout", "0.2"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 3


def test_eval_pass_and_headers(zone: str) -> None:
    """spf eval prints result and reason; --header prints both header fields."""
    args = ["spf", "eval", "--ip", "198.51.100.7", "--mail-from", "a@example.com"]
    args += ["--helo", "mx.example.net", "--header", "-z", zone]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "result: pass"
    assert lines[1].startswith("reason: example.com designates 198.51.100.7")
    assert any(line.startswith("Received-SPF: pass (mailwarden: ") for line in lines)
    assert "Authentication-Results: mailwarden; spf=pass (" in result.output


def test_eval_fail_exit_1_with_explanation(zone: str) -> None:
    """A fail exits 1 and shows the exp= explanation."""
    args = ["spf", "eval", "--ip", "203.0.113.5", "--mail-from", "a@example.com", "-z", zone]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "explanation: 203.0.113.5 is not one of example.com's senders" in result.output


def test_eval_json(zone: str) -> None:
    """--json prints the SpfResult and the headers."""
    args = ["spf", "eval", "--ip", "192.0.2.1", "--mail-from", "a@example.com", "--header"]
    result = CliRunner().invoke(cli, [*args, "--json", "-z", zone])
    data = json.loads(result.output)
    assert data["result"]["result"] == "pass" and data["result"]["domain"] == "example.com"
    assert data["headers"]["received_spf"].startswith("Received-SPF: pass")


@pytest.mark.parametrize(
    "args",
    [
        ["--ip", "999.1.1.1", "--mail-from", "a@example.com"],
        ["--ip", "192.0.2.1"],
    ],
)
def test_eval_bad_input_exit_2(zone: str, args: list[str]) -> None:
    """A bad IP, or neither MAIL FROM nor HELO, is bad input: exit 2."""
    result = CliRunner().invoke(cli, ["spf", "eval", *args, "-z", zone])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_conformance_rfc7208_suite() -> None:
    """The RFC 7208 suite passes completely through the command."""
    if not SUITE.is_dir():
        pytest.skip(f"shared suites not found at {SUITE}")
    result = CliRunner().invoke(cli, ["conformance", "spf", str(SUITE / "rfc7208-tests.yml")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "203 passed, 0 failed"


def test_conformance_reports_failures(tmp_path: Path) -> None:
    """A failing case prints scenario, test, expected and got, and exit 1."""
    scenario = tmp_path / "s.yml"
    scenario.write_text(
        "description: mine\ntests:\n  wrong:\n    host: 192.0.2.1\n    mailfrom: a@e.example\n"
        "    helo: e.example\n    result: pass\n  right:\n    host: 192.0.2.1\n"
        "    mailfrom: a@e.example\n    helo: e.example\n    result: fail\n"
        "zonedata:\n  e.example:\n    - TXT: v=spf1 -all\n"
    )
    result = CliRunner().invoke(cli, ["conformance", "spf", str(scenario)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("FAIL mine / wrong: expected pass, got fail")
    assert lines[-1] == "1 passed, 1 failed"


def test_conformance_bad_file_exit_2(tmp_path: Path) -> None:
    """An unreadable or malformed scenario file is bad input: exit 2."""
    bad = tmp_path / "bad.yml"
    bad.write_text("tests: [unclosed\n")
    result = CliRunner().invoke(cli, ["conformance", "spf", str(bad)])
    assert result.exit_code == 2 and "bad.yml" in result.output
    missing = CliRunner().invoke(cli, ["conformance", "spf", str(tmp_path / "none.yml")])
    assert missing.exit_code == 2


def test_conformance_bad_zonedata_exit_2(tmp_path: Path) -> None:
    """Zone data the resolver cannot hold is reported as bad input, not a traceback."""
    bad = tmp_path / "zd.yml"
    bad.write_text(
        "description: broken\ntests:\n  t:\n    host: 192.0.2.1\n    result: none\n"
        "zonedata:\n  e.example:\n    - MX: ten mail.e.example\n"
    )
    result = CliRunner().invoke(cli, ["conformance", "spf", str(bad)])
    assert result.exit_code == 2 and "unusable 'zonedata'" in result.output
