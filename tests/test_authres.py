"""Authentication-Results (RFC 8601): building, parsing, stripping forged headers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailwarden.authres import (
    build_authentication_results,
    claims_authserv_id,
    parse_authentication_results,
    quote_value,
    strip_forged,
)
from mailwarden.dmarc import DmarcResultCode, evaluate_dmarc
from mailwarden.errors import ParseError
from tests.dmarc.helpers import Dkim, Spf, zone


async def test_build_all_three_methods() -> None:
    """The built header carries smtp.mailfrom, header.d/s, header.from and policy.dmarc."""
    spf = Spf("pass", "example.com")
    dkim = [Dkim("pass", "example.com", "sel1"), Dkim("fail", "other.example", "x")]
    dmarc = await evaluate_dmarc(
        "example.com",
        spf=spf,
        dkim=dkim,
        resolver=zone({"_dmarc.example.com": "v=DMARC1; p=reject"}),
    )
    header = build_authentication_results(
        "mx.example.org",
        spf=spf,
        mail_from="user@example.com",
        helo="mail.example.com",
        dkim=dkim,
        dmarc=dmarc,
    ).to_header()
    assert header == (
        "Authentication-Results: mx.example.org; "
        "spf=pass smtp.mailfrom=user@example.com smtp.helo=mail.example.com; "
        "dkim=pass header.d=example.com header.s=sel1; "
        "dkim=fail header.d=other.example header.s=x; "
        "dmarc=pass (p=reject dis=none) header.from=example.com policy.dmarc=none"
    )


async def test_build_round_trips() -> None:
    """A built header parses back to the same results."""
    dmarc = await evaluate_dmarc("example.com", resolver=zone({}))
    built = build_authentication_results(
        "mx.example.org", spf=Spf("softfail", "example.com"), dmarc=dmarc
    )
    parsed = parse_authentication_results(built.to_text())
    assert parsed == built
    assert parsed.results[1].result == DmarcResultCode.NONE


def test_build_rejects_bad_authserv_id() -> None:
    """An authserv-id with spaces or ';' is refused."""
    with pytest.raises(ParseError):
        build_authentication_results("bad id;")


def test_parse_conformance_header() -> None:
    """The header of the shared DMARC messages parses, comments included."""
    parsed = parse_authentication_results(
        " lists.example.org; arc=none; spf=pass smtp.mfrom=jqd@d1.example; "
        "dkim=pass (1024-bit key) header.i=@d1.example; dmarc=pass"
    )
    assert parsed.authserv_id == "lists.example.org"
    assert [(r.method, r.result) for r in parsed.results] == [
        ("arc", "none"),
        ("spf", "pass"),
        ("dkim", "pass"),
        ("dmarc", "pass"),
    ]
    assert parsed.results[2].comments == ("1024-bit key",)
    assert parsed.results[2].prop("header", "i") == "@d1.example"


def test_parse_rfc8601_examples() -> None:
    """RFC 8601 appendix B shapes: version, none, reason, quoted values, folded lines."""
    assert parse_authentication_results(" example.org 1; none").results == ()
    parsed = parse_authentication_results(
        " example.com;\r\n\tspf=pass (good) smtp.mailfrom=example.net;\r\n"
        '\tdkim=fail reason="bad \\"sig\\"" header.d=example.net (comment; with semicolon)'
    )
    assert parsed.results[1].reason == 'bad "sig"'
    assert parsed.results[1].comments == ("comment; with semicolon",)
    assert parsed.results[0].prop("smtp", "mailfrom") == "example.net"


def test_parse_method_version_and_spaces() -> None:
    """'method/1 = result' with spaces and a method version is accepted."""
    parsed = parse_authentication_results(' "mx .example" ; dkim/1 = pass header.d = ex.com')
    assert parsed.authserv_id == "mx .example"
    assert parsed.results[0].version == 1 and parsed.results[0].prop("header", "d") == "ex.com"


def test_parse_values_with_equals() -> None:
    """SRS addresses and base64 values keep their '=' signs."""
    parsed = parse_authentication_results("x; spf=pass smtp.mailfrom=SRS0=ab=c@fw.example")
    assert parsed.results[0].prop("smtp", "mailfrom") == "SRS0=ab=c@fw.example"


@pytest.mark.parametrize(
    "value",
    [
        "",
        ";spf=pass",
        "x; spf",
        "x; spf=",
        "x; =pass",
        'x; spf="pass',
        "x; spf=pass (open",
        "x; spf=pass )",
        "x; spf=pass foo=bar",
        "x y; spf=pass",
        "x; sp f=pass",
        "x; spf=pass\x00",
    ],
)
def test_parse_errors(value: str) -> None:
    """Malformed headers raise ParseError with a position, never another exception."""
    with pytest.raises(ParseError):
        parse_authentication_results(value)


@given(st.text(max_size=200))
def test_parse_never_crashes(value: str) -> None:
    """Any text parses or raises ParseError."""
    try:
        parsed = parse_authentication_results(value)
    except ParseError as exc:
        assert exc.message
    else:
        assert isinstance(parsed.results, tuple)


def test_quote_value() -> None:
    """Tokens and addresses stay bare; anything else is quoted."""
    assert quote_value("example.com") == "example.com"
    assert quote_value("user@example.com") == "user@example.com"
    assert quote_value('a "b"') == '"a \\"b\\""'
    assert quote_value("") == '""'


def test_strip_forged() -> None:
    """Headers claiming our authserv-id (any case, quoted, broken) are removed; others kept."""
    headers = [
        ("Authentication-Results", " MX.example.org; spf=pass"),
        ("Authentication-Results", ' "mx.example.org"; dkim=pass'),
        ("authentication-results", " (c) mx.example.org; garbage=="),
        ("Authentication-Results", " other.example; spf=fail"),
        ("Subject", " mx.example.org"),
    ]
    kept, removed = strip_forged(headers, "mx.example.org")
    assert len(removed) == 3
    assert kept == [headers[3], headers[4]]


def test_claims_prefix_not_enough() -> None:
    """A longer id that starts with ours is not ours."""
    assert not claims_authserv_id(" mx.example.org.evil; spf=pass", "mx.example.org")


def test_header_helpers() -> None:
    """prop() misses give None; a version is written back; escapes in comments are kept."""
    parsed = parse_authentication_results(r" mx.example 1; spf=pass (a \) b) smtp.helo=h")
    assert parsed.results[0].prop("smtp", "mailfrom") is None
    assert parsed.results[0].comments == (r"a \) b",)
    assert parsed.to_text() == r"mx.example 1; spf=pass (a \) b) smtp.helo=h"


def test_build_minimal() -> None:
    """Without SPF or DMARC, a DKIM result without selector gives header.d only."""
    header = build_authentication_results("mx.example", dkim=[Dkim("pass", "example.com", "")])
    assert header.to_text() == "mx.example; dkim=pass header.d=example.com"
    assert build_authentication_results("mx.example").to_text() == "mx.example; none"


@pytest.mark.parametrize(
    "value", ["x; ;", "x; sp_f=pass", "x; spf/a=pass", "x" * 70_000, "x; spf=pa$s"]
)
def test_parse_more_errors(value: str) -> None:
    """Empty results, bad keywords, bad versions and huge headers raise ParseError."""
    with pytest.raises(ParseError):
        parse_authentication_results(value)


def test_claims_nothing_from_empty() -> None:
    """An empty header claims no authserv-id."""
    assert not claims_authserv_id("   ", "mx.example.org")
