"""The MX, MTA-STS, TLS-RPT, BIMI and DNSSEC audit areas against in-memory zones."""

from __future__ import annotations

from dataclasses import dataclass

from mailwarden.audit.bimi import check_bimi
from mailwarden.audit.dnssec import check_dnssec
from mailwarden.audit.mtasts import check_mta_sts
from mailwarden.audit.mx import check_mx
from mailwarden.audit.tlsrpt import check_tls_rpt
from mailwarden.testing import ZoneResolver

ZONE = ZoneResolver.from_text(
    """$TTL 300
@ IN SOA ns hostmaster 1 2 3 4 5
@ IN MX 10 mx1
@ IN MX 20 alias
@ IN MX 30 gone
mx1 IN A 192.0.2.1
alias IN CNAME mx1
_mta-sts IN TXT "v=STSv1; id=abc123"
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tls@example.com"
default._bimi IN TXT "v=BIMI1; l=https://example.com/logo.svg"
null IN MX 0 .
bad-null IN MX 0 .
bad-null IN MX 10 mx1
ip IN MX 10 192.0.2.7.
two IN TXT "x"
_mta-sts.two IN TXT "v=STSv1; id=1"
_mta-sts.two IN TXT "v=STSv1; id=2"
_smtp._tls.two IN TXT "v=TLSRPTv1"
default._bimi.two IN TXT "v=BIMI1; l=http://two.example.com/logo.png"
@ IN DNSKEY 257 3 13 ( mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXck
    HAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ== )
""",
    "example.com",
)


def _codes(result: object) -> set[str]:
    return {f.code for f in result.findings}  # type: ignore[attr-defined]


async def test_mx_hosts_and_problems() -> None:
    """MX hosts come in preference order; CNAME and unresolvable hosts are found."""
    result = await check_mx("example.com", resolver=ZONE)
    assert result.hosts == ("mx1.example.com", "alias.example.com", "gone.example.com")
    assert not result.null_mx
    assert _codes(result) == {"mx.cname", "mx.host-unresolvable", "mx.no-reverse-dns"}


async def test_null_mx() -> None:
    """A lone null MX is recognised (info); beside other MX it is an error."""
    assert (await check_mx("null.example.com", resolver=ZONE)).null_mx
    assert _codes(await check_mx("null.example.com", resolver=ZONE)) == {"mx.null"}
    assert _codes(await check_mx("bad-null.example.com", resolver=ZONE)) == {"mx.null-with-others"}


async def test_mx_reverse_dns() -> None:
    """An MX address with a PTR record gives no reverse-DNS finding."""
    zone = ZoneResolver.from_dict(
        {
            "example.net": {"MX": (10, "mx.example.net")},
            "mx.example.net": {"A": "192.0.2.1"},
            "1.2.0.192.in-addr.arpa": {"PTR": "mx.example.net"},
        }
    )
    assert _codes(await check_mx("example.net", resolver=zone)) == set()


async def test_mx_absent_and_ip_literal() -> None:
    """No MX is an info finding; an IP address as MX target is an error."""
    assert _codes(await check_mx("two.example.com", resolver=ZONE)) == {"mx.none"}
    assert "mx.ip-literal" in _codes(await check_mx("ip.example.com", resolver=ZONE))


async def test_mx_dns_failure() -> None:
    """A timeout is reported as a DNS error, not as a missing MX."""
    zone = ZoneResolver.from_dict({"slow.example": {"TIMEOUT": True}})
    assert _codes(await check_mx("slow.example", resolver=zone)) == {"mx.dns-error"}


async def test_mta_sts_record_only() -> None:
    """Without a fetcher the record alone is checked."""
    result = await check_mta_sts("example.com", resolver=ZONE)
    assert result.valid and result.record == "v=STSv1; id=abc123"
    assert _codes(await check_mta_sts("two.example.com", resolver=ZONE)) == {
        "mta_sts.several-records"
    }
    assert _codes(await check_mta_sts("null.example.com", resolver=ZONE)) == {"mta_sts.missing"}


@dataclass
class FakeResponse:
    """A canned HTTP response."""

    status: int = 200
    content_type: str = "text/plain"
    body: bytes = b""
    error: str = ""


class FakeFetcher:
    """Serves one canned response and remembers what was asked."""

    def __init__(self, response: FakeResponse) -> None:
        self.response = response
        self.asked: list[str] = []

    async def fetch(self, host: str, path: str) -> FakeResponse:
        self.asked.append(host + path)
        return self.response


async def test_mta_sts_policy_matched_against_mx() -> None:
    """An MX host the policy does not list is an error; testing mode is noted."""
    body = b"version: STSv1\nmode: testing\nmx: mx1.example.com\nmax_age: 604800\n"
    fetcher = FakeFetcher(FakeResponse(body=body))
    result = await check_mta_sts(
        "example.com",
        resolver=ZONE,
        mx_hosts=("mx1.example.com", "mx2.example.com"),
        fetcher=fetcher,
    )
    assert fetcher.asked == ["mta-sts.example.com/.well-known/mta-sts.txt"]
    assert result.policy is not None and result.policy.mx == ("mx1.example.com",)
    assert _codes(result) == {"mta_sts.mode-testing", "mta_sts.mx-not-covered"}


async def test_mta_sts_policy_unreachable_or_invalid() -> None:
    """HTTP errors, wrong content types and bad policies are each reported."""
    cases = [
        (FakeResponse(status=404), "mta_sts.policy-unreachable"),
        (FakeResponse(content_type="text/html", body=b"x"), "mta_sts.policy-unreachable"),
        (FakeResponse(error="connection refused"), "mta_sts.policy-unreachable"),
        (FakeResponse(body=b"version: STSv1\nmode: enforce\n"), "mta_sts.policy-invalid"),
    ]
    for response, code in cases:
        result = await check_mta_sts("example.com", resolver=ZONE, fetcher=FakeFetcher(response))
        assert _codes(result) == {code}
        assert not result.valid


async def test_tls_rpt() -> None:
    """A valid record gives its rua; a record without rua is invalid; none is info."""
    result = await check_tls_rpt("example.com", resolver=ZONE)
    assert result.valid and result.rua == ("mailto:tls@example.com",)
    assert _codes(await check_tls_rpt("two.example.com", resolver=ZONE)) == {"tls_rpt.invalid"}
    assert _codes(await check_tls_rpt("null.example.com", resolver=ZONE)) == {"tls_rpt.missing"}


async def test_bimi() -> None:
    """BIMI needs an enforcing DMARC policy; http logos are invalid; absence is fine."""
    ok = await check_bimi("example.com", resolver=ZONE, dmarc_policy="reject")
    assert ok.valid and not ok.findings
    weak = await check_bimi("example.com", resolver=ZONE, dmarc_policy="none")
    assert _codes(weak) == {"bimi.dmarc-too-weak"}
    assert _codes(await check_bimi("two.example.com", resolver=ZONE)) == {"bimi.invalid"}
    absent = await check_bimi("null.example.com", resolver=ZONE)
    assert absent.record is None and not absent.findings


async def test_dnssec() -> None:
    """A zone with DNSKEY is signed but not validated by an in-memory resolver."""
    signed = await check_dnssec("example.com", resolver=ZONE)
    assert signed.signed is True and signed.authenticated is False
    assert _codes(signed) == {"dnssec.not-validated"}
    unsigned = await check_dnssec("two.example.com", resolver=ZONE)
    assert unsigned.signed is False and _codes(unsigned) == {"dnssec.unsigned"}
