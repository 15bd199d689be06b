"""Enrichment of source IPs: reverse DNS through the resolver, base domain, country and ASN."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import maxminddb
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from mailwarden.cli import cli
from mailwarden.dns import Answer, Status
from mailwarden.errors import ConfigError
from mailwarden.ingest.enrich import SourceEnricher, open_geo_databases
from mailwarden.store import open_store
from mailwarden.store.schema import aggregate_records
from mailwarden.testing import ZoneResolver
from tests.ingest.helpers import report_mails, write_mbox
from tests.ingest.mmdb import write_mmdb

PTR = {
    "1.2.0.192.in-addr.arpa": {"PTR": "mail-yw1.google.com"},
    "2.2.0.192.in-addr.arpa": {"PTR": "o1.sendgrid.example.co.uk"},
    "3.2.0.192.in-addr.arpa": {"TIMEOUT": True},
}


def test_reverse_names_and_base_domains() -> None:
    """PTR names come from the resolver, base domains from the Public Suffix List, once each."""
    resolver = ZoneResolver.from_dict(PTR)
    enrich = SourceEnricher(resolver)
    found = enrich(["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.9", "192.0.2.1"])
    assert found["192.0.2.1"].name == "mail-yw1.google.com"
    assert found["192.0.2.1"].base_domain == "google.com"
    assert found["192.0.2.2"].base_domain == "example.co.uk"
    assert found["192.0.2.3"].name is None and found["192.0.2.9"].name is None
    asked = len(resolver.queries)
    enrich(["192.0.2.1", "192.0.2.2"])
    assert len(resolver.queries) == asked == 4


class SlowResolver:
    """Answers after a long delay, counting how many questions run at once."""

    def __init__(self) -> None:
        self.running = 0
        self.peak = 0

    async def resolve(self, name: str, rdtype: str) -> Answer:
        """Wait, then answer NXDOMAIN."""
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(0.2 if name.startswith("1.") else 30)
        finally:
            self.running -= 1
        return Answer(name, rdtype, Status.NXDOMAIN)


def test_bounded_concurrency_and_time() -> None:
    """At most ``concurrency`` lookups run at once and a batch never exceeds its time budget."""
    resolver = SlowResolver()
    enrich = SourceEnricher(resolver, concurrency=3, budget=0.5)
    found = enrich([f"192.0.2.{i}" for i in range(1, 10)])
    assert resolver.peak == 3
    assert len(found) == 9 and all(info.name is None for info in found.values())


def test_geoip_country_and_asn(tmp_path: Path) -> None:
    """Country and ASN come from user-supplied MaxMind-format databases."""
    country = write_mmdb(tmp_path / "c.mmdb", {"192.0.2.0/24": {"country": {"iso_code": "NL"}}})
    asn = write_mmdb(
        tmp_path / "a.mmdb",
        {
            "192.0.2.0/25": {
                "autonomous_system_number": 64500,
                "autonomous_system_organization": "Example Net",
            }
        },
    )
    assert maxminddb.open_database(str(country)).get("192.0.2.7") == {"country": {"iso_code": "NL"}}
    enrich = SourceEnricher(geo=open_geo_databases([country, asn]))
    found = enrich(["192.0.2.7", "192.0.2.200", "2001:db8::1", "198.51.100.1"])
    assert (found["192.0.2.7"].country, found["192.0.2.7"].asn) == ("NL", 64500)
    assert found["192.0.2.7"].as_org == "Example Net"
    assert (found["192.0.2.200"].country, found["192.0.2.200"].asn) == ("NL", None)
    assert found["2001:db8::1"].country is None and found["198.51.100.1"].country is None


def test_bad_geoip_file(tmp_path: Path) -> None:
    """A file that is not a MaxMind database is a configuration error."""
    bad = tmp_path / "bad.mmdb"
    bad.write_bytes(b"nothing")
    with pytest.raises(ConfigError, match="not a MaxMind database"):
        open_geo_databases([bad])


def test_ingest_with_enrichment(tmp_path: Path) -> None:
    """ingest --rdns --geoip stores names, base domains and countries on the records."""
    zone = tmp_path / "2.0.192.in-addr.arpa.zone"
    lines = "".join(f"{i} PTR mx{i}.mail.example.net.\n" for i in range(1, 255))
    zone.write_text(f"$ORIGIN 2.0.192.in-addr.arpa.\n$TTL 300\n@ SOA ns. h. 1 1 1 1 1\n{lines}")
    geo = write_mmdb(tmp_path / "c.mmdb", {"192.0.2.0/24": {"country": {"iso_code": "DE"}}})
    box = write_mbox(tmp_path / "r.mbox", report_mails(3))
    db = str(tmp_path / "s.db")
    args = ["ingest", str(box), "--db", db, "--rdns", "--zone", str(zone), "--geoip", str(geo)]
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["reports_new"] == 5
    store = open_store(db)
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(
                aggregate_records.c.source_ip,
                aggregate_records.c.source_name,
                aggregate_records.c.source_base_domain,
                aggregate_records.c.country,
            )
        ).all()
    store.close()
    enriched = [r for r in rows if r.source_ip.startswith("192.0.2.")]
    assert enriched and all(r.source_base_domain == "example.net" for r in enriched)
    assert all(r.country == "DE" and r.source_name.startswith("mx") for r in enriched)
    assert all(r.source_name is None for r in rows if not r.source_ip.startswith("192.0.2."))
