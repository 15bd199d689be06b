"""ZoneResolver: zone files, dicts and SPF-suite zonedata answer like an authoritative server."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailwarden.dns import MXRecord, Status, TXTRecord
from mailwarden.errors import ZoneError
from mailwarden.testing import ZoneResolver

ZONE = """$ORIGIN example.com.
$TTL 600
@        IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@        IN NS  ns1
@        IN TXT "v=spf1 " "ip4:192.0.2.0/24 -all"
@        IN MX  10 mx
mx       IN A   192.0.2.25
a.b      IN A   192.0.2.1
www      IN CNAME mx
*.w      IN TXT "wild"
loop1    IN CNAME loop2
loop2    IN CNAME loop1
"""


@pytest.fixture
def zone() -> ZoneResolver:
    """A resolver holding the test zone."""
    return ZoneResolver.from_text(ZONE, "example.com")


async def test_txt_keeps_character_strings(zone: ZoneResolver) -> None:
    """A multi-string TXT record keeps its strings apart; texts() joins them."""
    answer = await zone.resolve("example.com", "TXT")
    assert answer.status is Status.NOERROR
    assert answer.records == (TXTRecord((b"v=spf1 ", b"ip4:192.0.2.0/24 -all")),)
    assert answer.texts() == ["v=spf1 ip4:192.0.2.0/24 -all"]
    assert answer.ttl == 600


async def test_nxdomain_and_nodata(zone: ZoneResolver) -> None:
    """A missing name is NXDOMAIN; an existing name without the type is NODATA."""
    assert (await zone.resolve("nope.example.com", "A")).status is Status.NXDOMAIN
    assert (await zone.resolve("mx.example.com", "TXT")).status is Status.NODATA


async def test_empty_non_terminal_is_nodata(zone: ZoneResolver) -> None:
    """The parent of a name with records exists, so it answers NODATA, not NXDOMAIN."""
    assert (await zone.resolve("b.example.com", "A")).status is Status.NODATA


async def test_cname_is_followed(zone: ZoneResolver) -> None:
    """A CNAME is followed and the canonical name reported."""
    answer = await zone.resolve("WWW.example.com.", "A")
    assert answer.addresses() == ["192.0.2.25"]
    assert answer.canonical_name == "mx.example.com"


async def test_cname_loop_is_servfail(zone: ZoneResolver) -> None:
    """A CNAME loop ends in SERVFAIL rather than hanging."""
    assert (await zone.resolve("loop1.example.com", "A")).status is Status.SERVFAIL


async def test_wildcard_matches_missing_names(zone: ZoneResolver) -> None:
    """A wildcard answers names below it that do not exist."""
    assert (await zone.resolve("x.w.example.com", "TXT")).texts() == ["wild"]
    assert (await zone.resolve("x.w.example.com", "A")).status is Status.NODATA


async def test_mx_sorted(zone: ZoneResolver) -> None:
    """MX records come back typed."""
    answer = await zone.resolve("example.com", "MX")
    assert answer.mx() == [MXRecord(10, "mx.example.com")]


def test_null_mx_exchange_is_empty() -> None:
    """A null MX (``0 .``) from a zone file has the empty exchange, as from a dict."""
    zone = ZoneResolver.from_text("@ 300 IN MX 0 .\n", "example.net")
    assert zone.lookup("example.net", "MX").mx() == [MXRecord(0, "")]
    assert zone.lookup("example.net", "MX").records[0].to_text() == "0 ."


async def test_queries_are_recorded(zone: ZoneResolver) -> None:
    """Every question is recorded, normalized, so tests can count lookups."""
    await zone.resolve("Example.COM.", "txt")
    await zone.resolve("nope.example.com", "A")
    assert zone.queries == [("example.com", "TXT"), ("nope.example.com", "A")]


def test_zone_file_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    """A malformed record raises ZoneError with file:line of the bad line."""
    path = tmp_path / "db.example.com"
    path.write_text("$TTL 300\n@ IN A 192.0.2.1\nwww IN A 1.2.3\n\n")
    with pytest.raises(ZoneError) as info:
        ZoneResolver.from_zone_files(path)
    assert info.value.line == 3
    assert str(info.value).startswith(f"{path}:3: ")


def test_zone_file_generate_bomb_is_refused(tmp_path: Path) -> None:
    """A $GENERATE range of 100 million records is a ZoneError naming its line, not a hang."""
    path = tmp_path / "db.example.com"
    path.write_text("$TTL 300\n@ IN A 192.0.2.1\n$GENERATE 1-100000000 h$ A 192.0.2.2\n")
    with pytest.raises(ZoneError, match="over 65,536") as info:
        ZoneResolver.from_zone_files(path)
    assert info.value.line == 3


def test_zone_file_small_generate_is_loaded(tmp_path: Path) -> None:
    """A $GENERATE line within the limit still makes its records."""
    path = tmp_path / "db.example.com"
    path.write_text("$TTL 300\n$GENERATE 1-10/2 h$ A 192.0.2.2\n")
    zone = ZoneResolver.from_zone_files(path)
    assert zone.lookup("h9.example.com", "A").status.name == "NOERROR"
    assert zone.lookup("h2.example.com", "A").status.name == "NXDOMAIN"


def test_zone_origin_from_file_name(tmp_path: Path) -> None:
    """Without $ORIGIN the origin comes from the file name."""
    path = tmp_path / "example.net.zone"
    path.write_text('$TTL 300\n@ IN TXT "hello"\n')
    zone = ZoneResolver.from_zone_files(path)
    assert zone.lookup("example.net", "TXT").texts() == ["hello"]
    assert zone.covers("sub.example.net") and not zone.covers("example.org")


def test_unreadable_zone_file(tmp_path: Path) -> None:
    """A missing file is a ZoneError naming it."""
    with pytest.raises(ZoneError, match="cannot read"):
        ZoneResolver.from_zone_files(tmp_path / "db.missing.example")


def test_from_dict_forms() -> None:
    """Dict data accepts strings, lists, MX tuples and a TIMEOUT flag."""
    zone = ZoneResolver.from_dict(
        {
            "example.org": {"TXT": ["one", ["two-a", "two-b"]], "MX": (5, "mx.example.org")},
            "slow.example.org": {"TIMEOUT": True, "A": "192.0.2.9"},
        }
    )
    assert zone.lookup("example.org", "TXT").texts() == ["one", "two-atwo-b"]
    assert zone.lookup("example.org", "MX").mx()[0].preference == 5
    assert zone.lookup("slow.example.org", "A").addresses() == ["192.0.2.9"]
    assert zone.lookup("slow.example.org", "TXT").status is Status.TIMEOUT


def test_from_zonedata_copies_spf_to_txt() -> None:
    """SPF-suite zonedata: SPF records are served as TXT unless TXT is listed (or NONE)."""
    zone = ZoneResolver.from_zonedata(
        {
            "spfonly.example.net": [{"SPF": "v=spf1 -all"}, {"TXT": "NONE"}],
            "copied.example.net": [{"SPF": "v=spf1 +all"}],
            "split.example.net": [{"SPF": ["v=spf1 ip4:", "192.0.2.5 -all"]}],
            "txttimeout.example.net": [{"SPF": "v=spf1 -all"}, {"TXT": "NONE"}, "TIMEOUT"],
            "mx.example.net": [{"MX": [0, ""]}],
        }
    )
    assert zone.lookup("spfonly.example.net", "TXT").status is Status.NODATA
    assert zone.lookup("copied.example.net", "TXT").texts() == ["v=spf1 +all"]
    assert zone.lookup("split.example.net", "TXT").txt_strings() == [
        (b"v=spf1 ip4:", b"192.0.2.5 -all")
    ]
    assert zone.lookup("txttimeout.example.net", "TXT").status is Status.TIMEOUT
    assert zone.lookup("txttimeout.example.net", "SPF").status is Status.NOERROR
    assert zone.lookup("mx.example.net", "MX").mx() == [MXRecord(0, "")]


def test_loads_the_rfc7208_suite_zonedata(shared_dir: Path) -> None:
    """Every scenario's zonedata in the RFC 7208 suite loads."""
    import yaml

    path = shared_dir / "conformance" / "spf" / "rfc7208-tests.yml"
    scenarios = list(yaml.safe_load_all(path.read_text()))
    resolvers = [ZoneResolver.from_zonedata(s["zonedata"]) for s in scenarios]
    assert len(resolvers) == 16
    assert all(r.names() for r in resolvers)
