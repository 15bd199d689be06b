"""`mailwarden dmarc check`: text and JSON output, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mailwarden.cli import cli
from mailwarden.demo import demo_zone_files

ZONES = {Path(p).name.removesuffix(".zone"): str(p) for p in demo_zone_files()}


def test_check_good_domain() -> None:
    """example.com's record is shown with tag meanings; exit 0."""
    result = CliRunner().invoke(cli, ["dmarc", "check", "example.com", "-z", ZONES["example.com"]])
    assert result.exit_code == 0, result.output
    assert "p=reject: Mail from example.com that fails DMARC: reject." in result.output


def test_check_broken_domain_json() -> None:
    """example.org's broken record gives findings in JSON and exit 1."""
    result = CliRunner().invoke(
        cli, ["dmarc", "check", "example.org", "--json", "-z", ZONES["example.org"]]
    )
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["valid"] is False
    assert "dmarc.no-policy" in [f["code"] for f in data["findings"]]


def test_check_rfc7489_mode() -> None:
    """--mode rfc7489 is accepted."""
    result = CliRunner().invoke(
        cli, ["dmarc", "check", "example.com", "--mode", "rfc7489", "-z", ZONES["example.com"]]
    )
    assert result.exit_code == 0


def test_check_bad_domain_exit_2() -> None:
    """A malformed domain exits 2 without a traceback."""
    result = CliRunner().invoke(cli, ["dmarc", "check", "a..b", "-z", ZONES["example.com"]])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_check_dns_unreachable_exit_3() -> None:
    """No nameserver answering (a closed loopback port): exit 3 with dmarc.dns-error."""
    result = CliRunner().invoke(
        cli,
        ["dmarc", "check", "example.com", "--nameserver", "127.0.0.1:9", "--timeout", "0.2"],
    )
    assert result.exit_code == 3
    assert "dmarc.dns-error" in result.output


def test_check_text_for_broken_and_missing() -> None:
    """Text output names an unusable record and a missing one, with fixes."""
    broken = CliRunner().invoke(cli, ["dmarc", "check", "example.org", "-z", ZONES["example.org"]])
    assert "policy: none applies" in broken.output
    assert "p=rejekt: Invalid value; receivers ignore this tag." in broken.output
    assert "fix: Add p=none" in broken.output
    missing = CliRunner().invoke(cli, ["dmarc", "check", "mail.test", "-z", ZONES["example.com"]])
    assert missing.exit_code == 1
    assert "record: none" in missing.output and "dmarc.no-record" in missing.output
    inherited = CliRunner().invoke(
        cli, ["dmarc", "check", "sub.example.com", "-z", ZONES["example.com"]]
    )
    assert "record at _dmarc.example.com" in inherited.output
    assert "dmarc.inherited" in inherited.output
