"""verify_message: SPF, DKIM and DMARC composed; the JSON shape of `mailwarden verify`."""

from __future__ import annotations

from collections.abc import Sequence

from mailwarden.authres import parse_authentication_results
from mailwarden.dns import Resolver
from mailwarden.verify import verify_json, verify_message
from tests.dmarc.helpers import Dkim, Spf, zone

MESSAGE = (
    b"Authentication-Results: mx.example.org; dmarc=pass\r\n"
    b"From: Test User <test@example.com>\r\nSubject: hi\r\n\r\nbody\r\n"
)


async def fake_spf(ip: str, mail_from: str, helo: str, resolver: Resolver) -> Spf:
    """An SPF stand-in: pass for 192.0.2.1, fail otherwise."""
    domain = mail_from.rpartition("@")[2] or helo
    return Spf("pass" if ip == "192.0.2.1" else "fail", domain)


async def fake_dkim(message: bytes, resolver: Resolver) -> Sequence[Dkim]:
    """A DKIM stand-in: one failing signature."""
    return [Dkim("fail", "example.com", "sel")]


async def test_verify_json_shape() -> None:
    """The JSON object has exactly the keys of the issue, with RFC words."""
    result = await verify_message(
        MESSAGE,
        ip="192.0.2.1",
        helo="mail.example.com",
        mail_from="bounce@example.com",
        resolver=zone({"_dmarc.example.com": "v=DMARC1; p=reject; t=y"}),
        spf_check=fake_spf,
        dkim_check=fake_dkim,
        authserv_id="mx.example.org",
    )
    data = verify_json(result)
    assert set(data) == {"spf", "dkim", "dmarc", "authentication_results"}
    assert data["spf"] == {"result": "pass", "domain": "example.com"}
    assert data["dkim"] == [{"domain": "example.com", "selector": "sel", "result": "fail"}]
    assert data["dmarc"] == {
        "result": "pass",
        "policy": "reject",
        "disposition": "none",
        "author_domain": "example.com",
        "org_domain": "example.com",
    }
    assert result.forged_headers == 1 and result.passed
    header = data["authentication_results"]
    assert header.startswith("Authentication-Results: mx.example.org; spf=pass")
    parsed = parse_authentication_results(header.split(":", 1)[1])
    assert [r.method for r in parsed.results] == ["spf", "dkim", "dmarc"]


async def test_verify_fail_with_testing() -> None:
    """A failing message under p=reject; t=y: policy reject, disposition quarantine."""
    result = await verify_message(
        MESSAGE,
        ip="198.51.100.1",
        helo="evil.example",
        mail_from="",
        resolver=zone({"_dmarc.example.com": "v=DMARC1; p=reject; t=y"}),
        spf_check=fake_spf,
        dkim_check=fake_dkim,
    )
    data = verify_json(result)
    assert data["dmarc"]["result"] == "fail"
    assert (data["dmarc"]["policy"], data["dmarc"]["disposition"]) == ("reject", "quarantine")
    assert data["spf"]["domain"] == "evil.example"
    assert "smtp.helo=evil.example" in data["authentication_results"]
    assert not result.passed


async def test_verify_no_record() -> None:
    """No DMARC record: result none, policy null, disposition none."""
    result = await verify_message(
        MESSAGE,
        ip="192.0.2.1",
        helo="h.example",
        mail_from="a@example.com",
        resolver=zone({}),
        spf_check=fake_spf,
        dkim_check=fake_dkim,
    )
    assert verify_json(result)["dmarc"]["policy"] is None
    assert verify_json(result)["dmarc"]["result"] == "none"
