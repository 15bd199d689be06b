"""The author domain from From, hardened against the attacks of "Composition Kills" (2020).

Each attack class that applies to a verifier has a test showing that the spoofed domain never
passes: the From header is either read as RFC 5322 says, or refused (permerror, reject).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailwarden.dmarc import (
    DmarcResultCode,
    Policy,
    author_domains,
    evaluate_dmarc,
    parse_header_block,
)
from tests.dmarc.helpers import Dkim, Spf, zone

# The victim publishes p=reject; the attacker controls attacker.example, with a passing
# SPF and DKIM result and a DMARC record of its own.
RECORDS = {
    "_dmarc.example.com": "v=DMARC1; p=reject",
    "_dmarc.attacker.example": "v=DMARC1; p=none",
}
ATTACKER = {"spf": Spf("pass", "attacker.example"), "dkim": [Dkim("pass", "attacker.example")]}


def authors(message: str):  # type: ignore[no-untyped-def]
    """Return author_domains for a message given as text."""
    return author_domains(parse_header_block(message.encode("utf-8", "surrogateescape")))


async def verdict(message: str):  # type: ignore[no-untyped-def]
    """Evaluate DMARC for ``message`` with the attacker's passing SPF and DKIM."""
    return await evaluate_dmarc(authors(message), resolver=zone(RECORDS), **ATTACKER)  # type: ignore[arg-type]


def msg(*headers: str) -> str:
    """Build a message from header lines."""
    return "\r\n".join(headers) + "\r\n\r\nbody\r\n"


async def assert_refused(message: str, code: str) -> None:
    """The From header is refused with ``code``: permerror, disposition reject."""
    result = await verdict(message)
    assert result.result is DmarcResultCode.PERMERROR
    assert result.disposition is Policy.REJECT
    assert code in [f.code for f in result.findings]


# -- plain cases -----------------------------------------------------------------------------


def test_simple_from() -> None:
    """A display name and an angle address give the domain in lower case."""
    found = authors(msg('From: "Test, User" <test@EXAMPLE.com>', "To: x@y.example"))
    assert found.domains == ("example.com",) and found.problem is None


def test_trailing_dot_stripped() -> None:
    """A trailing dot names the same DNS domain and is removed."""
    assert authors(msg("From: a@example.com.")).domains == ("example.com",)


def test_idn_u_label_to_a_label() -> None:
    """A U-label domain becomes its A-label (RFC 9989 section 5.3.1)."""
    assert authors(msg("From: a@bücher.example")).domains == ("xn--bcher-kva.example",)


def test_idn_a_label_kept() -> None:
    """An A-label domain is kept as is."""
    assert authors(msg("From: a@xn--bcher-kva.example")).domains == ("xn--bcher-kva.example",)


def test_invalid_idn_refused() -> None:
    """A domain that is not valid IDNA is refused."""
    assert authors(msg("From: a@xn--zz--.example")).problem == "dmarc.from-bad-domain"


def test_folded_from() -> None:
    """A folded From header is unfolded."""
    assert authors(msg("From: Test User", " <test@example.com>")).domains == ("example.com",)


def test_same_domain_twice_is_one() -> None:
    """Two mailboxes of one domain give one author domain."""
    found = authors(msg("From: a@example.com, b@EXAMPLE.com"))
    assert found.domains == ("example.com",)
    assert "dmarc.from-several-mailboxes" in [f.code for f in found.findings]


# -- Composition Kills: ambiguous From header fields -------------------------------------------


async def test_attack_multiple_from_headers() -> None:
    """Two From headers (one spoofed, one the attacker's) are refused."""
    await assert_refused(
        msg("From: ceo@example.com", "From: me@attacker.example"), "dmarc.from-multiple"
    )


async def test_attack_space_before_colon() -> None:
    """'From :' with white space before the colon still counts as a From header."""
    await assert_refused(
        msg("From : ceo@example.com", "From: me@attacker.example"), "dmarc.from-multiple"
    )


async def test_attack_space_preceded_first_header() -> None:
    """A first header line starting with white space is still seen as a From header."""
    await assert_refused(
        msg(" From: ceo@example.com", "From: me@attacker.example"), "dmarc.from-multiple"
    )


async def test_attack_missing_from_no_fallback() -> None:
    """No From: Sender / Resent-From are never used instead."""
    await assert_refused(
        msg("Sender: me@attacker.example", "Resent-From: ceo@example.com"), "dmarc.from-missing"
    )


async def test_attack_several_addresses() -> None:
    """Several mailboxes of different domains: each is checked and the spoofed one fails."""
    for order in (
        ("me@attacker.example", "ceo@example.com"),
        ("ceo@example.com", "me@attacker.example"),
    ):
        result = await verdict(msg(f"From: {order[0]}, {order[1]}"))
        assert result.result is DmarcResultCode.FAIL
        assert result.author_domain == "example.com" and result.disposition is Policy.REJECT


async def test_attack_encoded_word_address() -> None:
    """An encoded word where an address belongs (a reader may decode it) is refused."""
    await assert_refused(
        msg("From: =?utf-8?B?Y2VvQGV4YW1wbGUuY29t?=, <me@attacker.example>"),
        "dmarc.from-encoded-word",
    )


async def test_attack_encoded_word_domain() -> None:
    """An encoded word inside the domain is refused."""
    await assert_refused(msg("From: ceo@=?utf-8?Q?example.com?="), "dmarc.from-encoded-word")


async def test_attack_source_route() -> None:
    """A source route (<@a,@b:user@c>) is refused: readers disagree on which domain to show."""
    await assert_refused(
        msg("From: <@example.com,@x.example:me@attacker.example>"), "dmarc.from-route-or-group"
    )


async def test_attack_group_syntax() -> None:
    """Group syntax in From is refused."""
    await assert_refused(msg("From: Team: ceo@example.com;"), "dmarc.from-route-or-group")


async def test_attack_comment_in_domain() -> None:
    """A comment after the domain is removed: the spoofed domain's policy applies and fails."""
    result = await verdict(msg("From: ceo@example.com(.attacker.example)"))
    assert result.author_domain == "example.com"
    assert result.result is DmarcResultCode.FAIL and result.disposition is Policy.REJECT


async def test_attack_comment_holding_address() -> None:
    """An address inside a comment is not an address: the real one is used."""
    found = authors(msg("From: me@attacker.example (ceo@example.com)"))
    assert found.domains == ("attacker.example",)


async def test_attack_quoted_local_part_with_at() -> None:
    """A quoted local part holding '@' is refused: readers may show it as the address."""
    await assert_refused(
        msg('From: "ceo@example.com"@attacker.example'), "dmarc.from-ambiguous-local-part"
    )


async def test_attack_unquoted_address_in_display_name() -> None:
    """An unquoted address used as display name does not parse and is refused."""
    await assert_refused(
        msg("From: ceo@example.com <me@attacker.example>"), "dmarc.from-unparseable"
    )


def test_quoted_address_in_display_name_warned() -> None:
    """A quoted display name holding an address is out of DMARC's scope but warned about."""
    found = authors(msg('From: "ceo@example.com" <me@attacker.example>'))
    assert found.domains == ("attacker.example",)
    assert "dmarc.from-display-name-address" in [f.code for f in found.findings]


async def test_attack_text_after_angle_address() -> None:
    """Text after the <address> is refused."""
    await assert_refused(
        msg("From: <me@attacker.example>ceo@example.com"), "dmarc.from-unparseable"
    )


async def test_attack_nul_byte() -> None:
    """A NUL byte in From is refused."""
    await assert_refused(
        msg("From: ceo@example.com\x00.attacker.example"), "dmarc.from-bad-characters"
    )


async def test_attack_non_utf8() -> None:
    """Bytes that are not UTF-8 in From are refused."""
    raw = b"From: ceo@exam\xffple.com\r\n\r\nbody"
    result = await evaluate_dmarc(
        author_domains(parse_header_block(raw)),
        resolver=zone(RECORDS),
        **ATTACKER,  # type: ignore[arg-type]
    )
    assert result.result is DmarcResultCode.PERMERROR


async def test_attack_address_literal() -> None:
    """An address literal domain is refused."""
    await assert_refused(msg("From: ceo@[192.0.2.1]"), "dmarc.from-bad-domain")


async def test_attack_fullwidth_at() -> None:
    """A look-alike '＠' is not '@': no address, refused."""
    await assert_refused(msg("From: ceo＠example.com"), "dmarc.from-no-address")


@pytest.mark.parametrize("value", ["", "   ", "<>", '"Test User"', "(only a comment)", ","])
async def test_empty_or_no_address(value: str) -> None:
    """An empty From or one without an address is refused."""
    await assert_refused(msg(f"From: {value}"), "dmarc.from-no-address")


@pytest.mark.parametrize(
    "value", ['"unterminated <a@example.com>', "a@example.com (open", "<a@example.com"]
)
async def test_unparseable(value: str) -> None:
    """Unterminated quotes, comments or angle brackets are refused."""
    result = await verdict(msg(f"From: {value}"))
    assert result.result is DmarcResultCode.PERMERROR


async def test_too_many_domains() -> None:
    """More author domains than are checked is refused (bounded work, no partial pass)."""
    addresses = ", ".join(f"a@d{i}.example" for i in range(6))
    await assert_refused(msg(f"From: {addresses}"), "dmarc.from-too-many-domains")


async def test_hostile_long_from() -> None:
    """A From with 10,000 addresses is refused quickly with a finding."""
    addresses = ", ".join(f"a{i}@example.com" for i in range(10_000))
    await assert_refused(msg(f"From: {addresses}"), "dmarc.from-too-many-domains")


async def test_attack_dkim_domain_with_nul() -> None:
    """A DKIM d= holding a NUL byte never aligns with the spoofed author domain."""
    result = await evaluate_dmarc(
        "example.com",
        dkim=[Dkim("pass", "example.com\x00.attacker.example")],
        resolver=zone(RECORDS),
    )
    assert result.result is DmarcResultCode.FAIL


async def test_attack_spf_domain_with_comment() -> None:
    """An SPF domain carrying a comment never aligns with the spoofed author domain."""
    result = await evaluate_dmarc(
        "example.com", spf=Spf("pass", "example.com(.attacker.example)"), resolver=zone(RECORDS)
    )
    assert result.result is DmarcResultCode.FAIL


@given(st.text(max_size=200))
def test_from_parser_never_crashes(value: str) -> None:
    """Any From value gives domains or a problem code, never an exception."""
    found = author_domains([("From", value)])
    assert found.domains or found.problem is not None


def test_header_block_edge_cases() -> None:
    """Lines without a colon are skipped; the header block ends at the first empty line."""
    headers = parse_header_block(b"garbage line\nFrom: a@example.com\n\nFrom: b@example.org\n")
    assert headers == [("From", " a@example.com")]


def test_escapes_in_comments_and_quotes() -> None:
    """Backslash escapes inside comments and quoted strings do not end them early."""
    found = authors(msg(r'From: "Te\"st" (a \) comment) <t@example.com>'))
    assert found.domains == ("example.com",)


@pytest.mark.parametrize(
    "value",
    [
        "a@b@example.com",
        "@example.com",
        "a@",
        "a@example.[com]",
        "a<b>@example.com",
        'a@exam"ple".com',
    ],
)
async def test_malformed_addr_spec(value: str) -> None:
    """Two '@', a missing part, or specials in the address are refused."""
    result = await verdict(msg(f"From: {value}"))
    assert result.result is DmarcResultCode.PERMERROR


async def test_attack_nul_identifier_inside_victim_zone() -> None:
    """A DKIM d= with a NUL byte never aligns, even when it ends in the victim's domain."""
    result = await evaluate_dmarc(
        "example.com",
        dkim=[Dkim("pass", "attacker.example\x00.example.com")],
        resolver=zone(RECORDS),
    )
    assert result.result is DmarcResultCode.FAIL
    assert not result.alignments[0].aligned
