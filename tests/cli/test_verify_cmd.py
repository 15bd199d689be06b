"""`mailwarden verify`: SPF, DKIM and DMARC end to end on the shared DMARC messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailwarden.cli import cli

DATA = Path(__file__).resolve().parents[1] / "data" / "dmarc"
ZONES = [arg for zone in sorted(DATA.glob("*.zone")) for arg in ("--zone", str(zone))]
SMTP = ["--ip", "192.0.2.10", "--helo", "mail.example.com", "--mail-from", "bounce@example.com"]


def run(message: Path, *extra: str) -> tuple[int, str]:
    """Run `mailwarden verify` on ``message`` with the zones written for the shared messages."""
    result = CliRunner().invoke(cli, ["verify", str(message), *SMTP, *ZONES, *extra])
    return result.exit_code, result.output


def shared(shared_dir: Path, name: str) -> Path:
    """Return the path of one shared DMARC message."""
    return shared_dir / "conformance" / "dmarc-authheaders" / name


def test_signed_message_passes_json(shared_dir: Path) -> None:
    """A correctly signed message passes: the JSON object has exactly the issue's shape."""
    code, output = run(
        shared(shared_dir, "test.message_signed"), "--json", "--authserv-id", "mx.test"
    )
    assert code == 0, output
    assert json.loads(output) == {
        "spf": {"result": "pass", "domain": "example.com"},
        "dkim": [{"domain": "example.com", "selector": "test", "result": "pass"}],
        "dmarc": {
            "result": "pass",
            "policy": "reject",
            "disposition": "none",
            "author_domain": "example.com",
            "org_domain": "example.com",
        },
        "authentication_results": "Authentication-Results: mx.test; "
        "spf=pass smtp.mailfrom=bounce@example.com smtp.helo=mail.example.com; "
        "dkim=pass header.d=example.com header.s=test header.b=t9nmrVyX; "
        "dmarc=pass (p=reject dis=none) header.from=example.com policy.dmarc=none",
    }


# message, ip, expected DMARC (result, policy, disposition, author)
CASES = [
    ("test.message", "192.0.2.10", ("pass", "reject", "none", "example.com")),
    ("test.message", "198.51.100.9", ("fail", "reject", "reject", "example.com")),
    ("testcomma.message", "198.51.100.9", ("pass", "reject", "none", "example.com")),
    ("test.message_multi", "198.51.100.9", ("fail", "reject", "reject", "example.org")),
    # both authors fail with reject (the signature does not verify): the first one is named
    ("test.message_multi2", "198.51.100.9", ("fail", "reject", "reject", "example.com")),
    ("test.message_np1", "198.51.100.9", ("fail", "quarantine", "quarantine", "sub.example.biz")),
    ("test.message_np2", "198.51.100.9", ("fail", "reject", "reject", "sub2.example.biz")),
    ("test.message_sub", "198.51.100.9", ("fail", "none", "none", "sub.example.net")),
    ("test.gov.message", "198.51.100.9", ("fail", "reject", "reject", "example.gov")),
    ("test.bad.message", "198.51.100.9", ("none", None, "none", "bad.example.com")),
    ("test_nop.message", "198.51.100.9", ("fail", "none", "none", "nop.example.org")),
    ("test.nofrom.message", "192.0.2.10", ("permerror", None, "reject", None)),
]


@pytest.mark.parametrize(("name", "ip", "expected"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_shared_messages(
    shared_dir: Path, name: str, ip: str, expected: tuple[str, str | None, str, str | None]
) -> None:
    """Each shared message gets the documented verdict; exit 0 only on DMARC pass."""
    args = ["verify", str(shared(shared_dir, name)), "--ip", ip, "--helo", "mail.example.com"]
    result = CliRunner().invoke(cli, [*args, "--mail-from", "bounce@example.com", *ZONES, "--json"])
    dmarc = json.loads(result.output)["dmarc"]
    got = (dmarc["result"], dmarc["policy"], dmarc["disposition"], dmarc["author_domain"])
    assert got == expected
    assert result.exit_code == (0 if expected[0] == "pass" else 1)


def test_text_output_and_forged_header(shared_dir: Path) -> None:
    """Text output names each method and counts headers forging our authserv-id."""
    message = shared(shared_dir, "test.message")
    code, output = run(message, "--authserv-id", "lists.example.org")
    assert code == 0
    assert "SPF:   pass (example.com)" in output
    assert "DKIM:  none (no signature)" in output
    assert "1 Authentication-Results header(s) claimed lists.example.org" in output


def test_null_sender_uses_helo(shared_dir: Path) -> None:
    """MAIL FROM <> checks the HELO identity; the header says smtp.helo only."""
    args = ["verify", str(shared(shared_dir, "test.message")), "--ip", "192.0.2.10"]
    result = CliRunner().invoke(
        cli, [*args, "--helo", "example.com", "--mail-from", "", *ZONES, "--json"]
    )
    data = json.loads(result.output)
    assert data["spf"] == {"result": "pass", "domain": "example.com"}
    assert "smtp.mailfrom" not in data["authentication_results"]


def test_bad_ip_exit_2(shared_dir: Path) -> None:
    """An --ip that is not an address exits 2 without a traceback."""
    result = CliRunner().invoke(
        cli,
        ["verify", str(shared(shared_dir, "test.message")), "--ip", "bogus", "--helo", "h",
         "--mail-from", "a@example.com", *ZONES],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_missing_file_exit_2(tmp_path: Path) -> None:
    """An unreadable message file exits 2."""
    code, _ = run(tmp_path / "missing.eml")
    assert code == 2


def test_hostile_from_header(tmp_path: Path) -> None:
    """Two From headers: permerror, disposition reject, exit 1."""
    message = tmp_path / "two-from.eml"
    message.write_bytes(b"From: ceo@example.com\r\nFrom: me@example.org\r\n\r\nhi\r\n")
    code, output = run(message, "--json")
    assert code == 1
    assert json.loads(output)["dmarc"]["result"] == "permerror"


@pytest.mark.parametrize(
    "mail_from", ["a@example.com(.attacker.example)", "<@example.com:a@attacker.example>"]
)
def test_attack_ambiguous_mail_from(shared_dir: Path, mail_from: str) -> None:
    """An ambiguous MAIL FROM (comment, source route) never passes DMARC for example.com."""
    args = ["verify", str(shared(shared_dir, "test.message")), "--ip", "192.0.2.10"]
    result = CliRunner().invoke(
        cli, [*args, "--helo", "x.example", "--mail-from", mail_from, *ZONES, "--json"]
    )
    data = json.loads(result.output)
    assert data["spf"]["result"] != "pass" or data["spf"]["domain"] != "example.com"
    assert data["dmarc"]["result"] == "fail" and result.exit_code == 1
