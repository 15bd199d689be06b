"""External report destinations: <domain>._report._dmarc.<destination>, wildcard, overrides."""

from __future__ import annotations

from mailwarden.dmarc import check_destinations, parse_record
from tests.dmarc.helpers import zone

RECORD = parse_record(
    "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
    "ruf=mailto:auth-reports@thirdparty.example.net"
)


async def test_internal_destination_needs_no_lookup() -> None:
    """A destination in the same organizational domain is authorized without a lookup."""
    resolver = zone({"_dmarc.example.com": "v=DMARC1; p=none"})
    record = parse_record("v=DMARC1; p=none; rua=mailto:r@reports.example.com")
    checks, findings = await check_destinations("example.com", record, resolver)
    assert [(c.external, c.authorized) for c in checks] == [(False, True)]
    assert not any("_report" in name for name, _ in resolver.queries)
    assert findings == ()


async def test_appendix_third_party_authorized() -> None:
    """RFC 9989 appendix B.2.3: thirdparty.example.net publishes example.com._report._dmarc."""
    resolver = zone(
        {
            "_dmarc.example.com": "v=DMARC1; p=none",
            "example.com._report._dmarc.thirdparty.example.net": "v=DMARC1;",
        }
    )
    checks, findings = await check_destinations("example.com", RECORD, resolver)
    ruf = next(c for c in checks if c.tag == "ruf")
    assert ruf.external and ruf.authorized
    assert [f.code for f in findings] == ["dmarc.external-destination-authorized"]


async def test_unauthorized_destination() -> None:
    """Without the authorization record the destination gets an error finding."""
    resolver = zone({"_dmarc.example.com": "v=DMARC1; p=none"})
    checks, findings = await check_destinations("example.com", RECORD, resolver)
    assert [c.authorized for c in checks if c.external] == [False]
    assert findings[0].code == "dmarc.external-destination-unauthorized"
    assert "example.com._report._dmarc.thirdparty.example.net" in findings[0].hint


async def test_wildcard_via_dns() -> None:
    """A wildcard *._report._dmarc record authorizes any domain."""
    resolver = zone({"*._report._dmarc.thirdparty.example.net": "v=DMARC1"})
    checks, _ = await check_destinations("example.com", RECORD, resolver)
    assert [c.authorized for c in checks if c.external] == [True]


async def test_wildcard_checked_explicitly_on_nodata() -> None:
    """When the exact name exists without a DMARC TXT, the wildcard form is asked too."""
    resolver = zone(
        {"*._report._dmarc.thirdparty.example.net": "v=DMARC1"},
        **{"example.com._report._dmarc.thirdparty.example.net": {"A": "192.0.2.1"}},
    )
    checks, _ = await check_destinations("example.com", RECORD, resolver)
    ext = next(c for c in checks if c.external)
    assert ext.authorized and ext.via_wildcard


async def test_override_same_host_only() -> None:
    """An authorization record's ruf replaces the destination only on the same host."""
    resolver = zone(
        {
            "example.com._report._dmarc.thirdparty.example.net": "v=DMARC1; "
            "ruf=mailto:failure-reports@thirdparty.example.net, mailto:x@elsewhere.example"
        }
    )
    checks, _ = await check_destinations("example.com", RECORD, resolver)
    ext = next(c for c in checks if c.external)
    assert [u.uri for u in ext.override] == ["mailto:failure-reports@thirdparty.example.net"]


async def test_dns_error_is_unverified() -> None:
    """A timeout on the authorization lookup leaves it unverified with a warning."""
    resolver = zone({}, **{"example.com._report._dmarc.thirdparty.example.net": {"TIMEOUT": True}})
    checks, findings = await check_destinations("example.com", RECORD, resolver)
    assert [c.authorized for c in checks if c.external] == [None]
    assert findings[0].code == "dmarc.external-destination-dns-error"


async def test_lookups_bounded_for_hostile_record() -> None:
    """100 external rua URIs: at most 10 authorization lookups, the rest skipped."""
    uris = ",".join(f"mailto:r@d{i}.example" for i in range(100))
    record = parse_record(f"v=DMARC1; p=none; rua={uris}")
    resolver = zone({})
    checks, findings = await check_destinations("example.com", record, resolver)
    assert sum(1 for name, _ in resolver.queries if "._report._dmarc." in name) == 10
    assert len(checks) == 32
    assert "dmarc.external-destination-skipped" in [f.code for f in findings]


async def test_uri_without_domain_and_long_name() -> None:
    """A URI naming no host is skipped; a name too long for DNS is unauthorized without a query."""
    long_host = ".".join(["d" * 60] * 3) + ".example"
    record = parse_record(f"v=DMARC1; p=none; rua=urn:x:y, mailto:r@{long_host}")
    resolver = zone({})
    checks, findings = await check_destinations("a" * 60 + ".example.com", record, resolver)
    assert [(c.uri.scheme, c.authorized) for c in checks] == [("mailto", False)]
    assert not any("_report" in name for name, _ in resolver.queries)
    assert findings[0].code == "dmarc.external-destination-unauthorized"
