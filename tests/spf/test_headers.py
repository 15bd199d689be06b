"""Received-SPF and the spf= clause of Authentication-Results."""

from __future__ import annotations

from mailwarden.authres import build_authentication_results, parse_authentication_results
from mailwarden.spf import (
    SpfResult,
    SpfResultCode,
    authres_spf_clause,
    check_helo,
    check_mail_from,
    received_spf_header,
)
from mailwarden.testing import ZoneResolver

ZONES = ZoneResolver.from_dict(
    {
        "example.com": {"TXT": "v=spf1 ip4:192.0.2.0/24 -all"},
        "mail.example.com": {"TXT": "v=spf1 a -all", "A": "192.0.2.9"},
    }
)


async def _result(ip: str = "192.0.2.1") -> SpfResult:
    return await check_mail_from(ip, "alice@example.com", "mail.example.com", resolver=ZONES)


async def test_received_spf_pass() -> None:
    """The header carries result, comment and the RFC 7208 key-value pairs."""
    header = received_spf_header(await _result(), receiver="mx.example.net")
    assert header == (
        "Received-SPF: pass (mx.example.net: domain of alice@example.com designates 192.0.2.1 "
        'as permitted sender) client-ip=192.0.2.1; envelope-from="alice@example.com"; '
        "helo=mail.example.com; receiver=mx.example.net; identity=mailfrom; "
        'mechanism="ip4:192.0.2.0/24";'
    )


async def test_received_spf_permerror_has_problem() -> None:
    """A permerror names the problem; parentheses in the comment are escaped."""
    result = SpfResult(
        SpfResultCode.PERMERROR, "example.com", "2001:db8::1", "a@example.com",
        reason='bad "record" (twice)',
    )  # fmt: skip
    header = received_spf_header(result)
    assert 'client-ip="2001:db8::1"' in header
    assert 'problem="bad \\"record\\" (twice)"' in header
    assert header.startswith("Received-SPF: permerror (unknown: permanent error")


async def test_authres_clause_mailfrom_and_helo() -> None:
    """spf= carries smtp.mailfrom for MAIL FROM and smtp.helo for the HELO identity."""
    assert authres_spf_clause(await _result("198.51.100.1")) == (
        "spf=fail smtp.mailfrom=alice@example.com"
    )
    helo = await check_helo("192.0.2.9", "mail.example.com", resolver=ZONES)
    clause = authres_spf_clause(helo, receiver="mx.example.net")
    assert clause == (
        "spf=pass (mx.example.net: mail.example.com designates 192.0.2.9 as permitted sender) "
        "smtp.helo=mail.example.com"
    )


async def test_authres_clause_matches_the_header_builder() -> None:
    """The clause is the spf= entry build_authentication_results writes, and parses back."""
    result = await _result()
    built = build_authentication_results("mx.example.net", spf=result, mail_from=result.sender)
    clause = authres_spf_clause(result)
    assert built.to_text() == f"mx.example.net; {clause}"
    entry = parse_authentication_results(f"mx.example.net; {clause}").results[0]
    assert (entry.result, entry.prop("smtp", "mailfrom")) == ("pass", "alice@example.com")


async def test_authres_clause_quotes_an_odd_sender() -> None:
    """A sender with a space is quoted so the header still parses to the same address."""
    result = SpfResult(SpfResultCode.NONE, "example.com", "192.0.2.1", '"a b"@example.com')
    clause = authres_spf_clause(result, receiver="mx.example.net")
    entry = parse_authentication_results(f"mx.example.net; {clause}").results[0]
    assert entry.prop("smtp", "mailfrom") == '"a b"@example.com'
    assert entry.comments == (
        "mx.example.net: example.com does not designate permitted sender hosts",
    )
