"""Parsers of MTA-STS, TLS-RPT and BIMI records and MTA-STS policies."""

from __future__ import annotations

import pytest

from mailwarden.audit.mtasts_policy import MtaStsMode, mx_matches, parse_mta_sts_policy
from mailwarden.audit.records import (
    parse_bimi_record,
    parse_mta_sts_record,
    parse_tag_list,
    parse_tls_rpt_record,
)
from mailwarden.errors import ParseError


def test_mta_sts_record() -> None:
    """A valid record gives its id."""
    assert parse_mta_sts_record("v=STSv1; id=20260101T000000;").id == "20260101T000000"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("id=1; v=STSv1", "must start with v=STSv1"),
        ("v=STSv2; id=1", "unsupported version"),
        ("v=STSv1", "no id"),
        ("v=STSv1; id=bad-id!", "1 to 32 letters"),
        ("v=STSv1; id=1; id=2", "appears twice"),
        ("v=STSv1; garbage", "malformed tag"),
    ],
)
def test_mta_sts_record_errors(text: str, problem: str) -> None:
    """Each malformed record raises ParseError saying what is wrong."""
    with pytest.raises(ParseError, match=problem):
        parse_mta_sts_record(text)


def test_tag_list_position() -> None:
    """ParseError carries the position of the bad tag."""
    with pytest.raises(ParseError) as info:
        parse_tag_list("v=X; bad tag=1", version_tag="v", version="X")
    assert info.value.position == 5


def test_tls_rpt_record() -> None:
    """rua URIs are split and kept."""
    record = parse_tls_rpt_record("v=TLSRPTv1; rua=mailto:a@example.com, https://r.example/x")
    assert record.rua == ("mailto:a@example.com", "https://r.example/x")


@pytest.mark.parametrize(
    "text", ["v=TLSRPTv1", "v=TLSRPTv1; rua=", "v=TLSRPTv1; rua=ftp://x", "rua=mailto:a@b"]
)
def test_tls_rpt_record_errors(text: str) -> None:
    """Records without a usable rua are invalid."""
    with pytest.raises(ParseError):
        parse_tls_rpt_record(text)


def test_bimi_record() -> None:
    """l= and a= are read; an empty l= is a valid declination."""
    record = parse_bimi_record("v=BIMI1; l=https://e.example/logo.svg; a=https://e.example/v.pem")
    assert record.location.endswith("logo.svg") and record.authority.endswith("v.pem")
    assert parse_bimi_record("v=BIMI1; l=;").location == ""
    with pytest.raises(ParseError, match="https"):
        parse_bimi_record("v=BIMI1; l=http://e.example/logo.svg")


def test_policy_parse() -> None:
    """A policy file with CRLF lines parses into mode, mx patterns and max_age."""
    text = (
        "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\n"
        "mx: *.example.net\r\nmax_age: 604800\r\n"
    )
    policy = parse_mta_sts_policy(text)
    assert policy.mode is MtaStsMode.ENFORCE
    assert policy.mx == ("mx1.example.com", "*.example.net")
    assert policy.max_age == 604800


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("mode: enforce\nmx: a\nmax_age: 1", "version"),
        ("version: STSv1\nmode: strict\nmx: a\nmax_age: 1", "unknown mode"),
        ("version: STSv1\nmode: enforce\nmx: a", "max_age"),
        ("version: STSv1\nmode: enforce\nmax_age: 99", "no mx"),
        ("version: STSv1\nmode: enforce\nmx: a\nmax_age: 99999999999", "max_age"),
    ],
)
def test_policy_errors(text: str, problem: str) -> None:
    """Malformed policies raise ParseError saying what is wrong."""
    with pytest.raises(ParseError, match=problem):
        parse_mta_sts_policy(text)


@pytest.mark.parametrize(
    ("host", "pattern", "matches"),
    [
        ("mx1.example.com", "mx1.example.com", True),
        ("MX1.example.com.", "mx1.example.com", True),
        ("mx1.example.com", "*.example.com", True),
        ("a.mx1.example.com", "*.example.com", False),
        ("example.com", "*.example.com", False),
        ("mx2.example.com", "mx1.example.com", False),
    ],
)
def test_mx_matches(host: str, pattern: str, matches: bool) -> None:
    """A wildcard covers exactly one left-most label."""
    assert mx_matches(host, pattern) is matches
