"""Policy discovery: the RFC 9989 tree walk (8 queries at most, psd=y|n|u) and RFC 7489's PSL."""

from __future__ import annotations

from mailwarden.dmarc import (
    Mode,
    RecordFetcher,
    discover_policy,
    find_org_domain,
    psl_org_domain,
    walk_names,
)
from tests.dmarc.helpers import zone


def test_walk_names_short() -> None:
    """A short name is walked label by label down to the TLD."""
    assert walk_names("a.mail.example.com") == [
        "a.mail.example.com",
        "mail.example.com",
        "example.com",
        "com",
    ]


def test_walk_names_long_skips_to_seven_labels() -> None:
    """RFC 9989 section 4.10's example: 13 labels give exactly the 8 listed queries."""
    assert walk_names("a.b.c.d.e.f.g.h.i.j.mail.example.com") == [
        "a.b.c.d.e.f.g.h.i.j.mail.example.com",
        "g.h.i.j.mail.example.com",
        "h.i.j.mail.example.com",
        "i.j.mail.example.com",
        "j.mail.example.com",
        "mail.example.com",
        "example.com",
        "com",
    ]


def test_walk_names_eight_labels() -> None:
    """Eight labels: the author, then its parent (7 labels), 8 queries in all."""
    names = walk_names("a.b.c.d.e.f.example.com")
    assert len(names) == 8 and names[1] == "b.c.d.e.f.example.com"


async def test_deep_walk_query_count() -> None:
    """A 100-label author domain costs at most 8 DMARC queries (plus none other)."""
    resolver = zone({"_dmarc.example.com": "v=DMARC1; p=reject"})
    author = ".".join(["x"] * 98) + ".example.com"
    found = await discover_policy(author, RecordFetcher(resolver))
    assert found.policy_domain == "example.com"
    assert len(resolver.queries) == 8


async def test_author_record_wins() -> None:
    """A record at the author domain is the policy record; p applies."""
    resolver = zone(
        {
            "_dmarc.mail.example.com": "v=DMARC1; p=quarantine",
            "_dmarc.example.com": "v=DMARC1; p=reject",
        }
    )
    found = await discover_policy("mail.example.com", RecordFetcher(resolver))
    assert found.policy_domain == "mail.example.com" and not found.is_subdomain_policy
    assert found.org_domain == "example.com"


async def test_org_is_fewest_labels() -> None:
    """RFC 9989 4.10.2: with records at mail.example.com and example.com, the org is example.com."""
    resolver = zone(
        {"_dmarc.mail.example.com": "v=DMARC1; p=none", "_dmarc.example.com": "v=DMARC1; p=reject"}
    )
    org = await find_org_domain("a.mail.example.com", RecordFetcher(resolver))
    assert org.org_domain == "example.com"


async def test_psd_n_stops_walk() -> None:
    """A record with psd=n is the organizational domain and stops the walk."""
    resolver = zone(
        {
            "_dmarc.mail.example.com": "v=DMARC1; p=none; psd=n",
            "_dmarc.example.com": "v=DMARC1; p=reject",
        }
    )
    org = await find_org_domain("a.mail.example.com", RecordFetcher(resolver))
    assert org.org_domain == "mail.example.com"
    assert ("_dmarc.example.com", "TXT") not in resolver.queries


async def test_psd_y_org_one_below() -> None:
    """RFC 9989 4.10.2's last example: psd=y at com makes example.com the org domain."""
    resolver = zone({"_dmarc.com": "v=DMARC1; p=reject; psd=y"})
    org = await find_org_domain("a.mail.example.com", RecordFetcher(resolver))
    assert org.org_domain == "example.com"


async def test_psd_y_at_start_is_itself() -> None:
    """A psd=y record at the start of the walk makes the start its own org domain."""
    resolver = zone({"_dmarc.bank.example": "v=DMARC1; p=reject; psd=y"})
    org = await find_org_domain("bank.example", RecordFetcher(resolver))
    assert org.org_domain == "bank.example"


async def test_no_record_org_is_start() -> None:
    """Without any record the organizational domain is the start itself."""
    org = await find_org_domain("a.example.com", RecordFetcher(zone({})))
    assert org.org_domain == "a.example.com" and org.records == ()


async def test_psd_policy_used_when_org_has_none() -> None:
    """A PSD record (psd=y) applies when the org domain publishes nothing; sp for subdomains."""
    resolver = zone({"_dmarc.bank.example": "v=DMARC1; p=reject; sp=quarantine; psd=y"})
    found = await discover_policy("mail.giant.bank.example", RecordFetcher(resolver))
    assert found.policy_domain == "bank.example"
    assert found.org_domain == "giant.bank.example"
    assert found.record is not None and found.is_subdomain_policy


async def test_multiple_records_mean_none() -> None:
    """Two DMARC records at one name count as none, with a finding."""
    resolver = zone({"_dmarc.example.com": ["v=DMARC1; p=reject", "v=DMARC1; p=none"]})
    found = await discover_policy("example.com", RecordFetcher(resolver))
    assert found.record is None
    assert [f.code for f in found.findings] == ["dmarc.multiple-records"]


async def test_non_dmarc_txt_ignored() -> None:
    """A TXT record not starting with v=DMARC1 beside the real one is ignored."""
    resolver = zone({"_dmarc.example.com": ["hello", "v=DMARC1; p=reject"]})
    found = await discover_policy("example.com", RecordFetcher(resolver))
    assert found.record is not None and found.record.p == "reject"


async def test_timeout_is_temperror() -> None:
    """A lookup timing out gives temperror, not none."""
    resolver = zone({}, **{"_dmarc.example.com": {"TIMEOUT": True}})
    found = await discover_policy("example.com", RecordFetcher(resolver))
    assert found.temperror and found.record is None
    assert [f.code for f in found.findings] == ["dmarc.dns-error"]


async def test_nonexistent_author_checked_only_for_np() -> None:
    """The author's existence is queried only when the record has np."""
    plain = zone({"_dmarc.example.com": "v=DMARC1; p=reject"})
    await discover_policy("ghost.example.com", RecordFetcher(plain))
    assert ("ghost.example.com", "A") not in plain.queries
    with_np = zone({"_dmarc.example.com": "v=DMARC1; p=quarantine; np=reject"})
    found = await discover_policy("ghost.example.com", RecordFetcher(with_np))
    assert ("ghost.example.com", "A") in with_np.queries
    assert found.author_exists is False


async def test_existing_author_with_np() -> None:
    """An author domain that exists is not treated as non-existent."""
    resolver = zone(
        {"_dmarc.example.com": "v=DMARC1; p=quarantine; np=reject"},
        **{"mail.example.com": {"A": "192.0.2.1"}},
    )
    found = await discover_policy("mail.example.com", RecordFetcher(resolver))
    assert found.author_exists is True


def test_psl_org_domain() -> None:
    """RFC 7489 mode uses the bundled Public Suffix List."""
    assert psl_org_domain("a.b.example.co.uk") == "example.co.uk"
    assert psl_org_domain("mail.example.com") == "example.com"
    assert psl_org_domain("co.uk") == "co.uk"


async def test_rfc7489_discovery() -> None:
    """RFC 7489: the author's record, else the PSL org domain's, two queries at most."""
    resolver = zone({"_dmarc.example.co.uk": "v=DMARC1; p=reject"})
    found = await discover_policy("a.b.example.co.uk", RecordFetcher(resolver), mode=Mode.RFC7489)
    assert found.policy_domain == "example.co.uk"
    assert resolver.queries == [
        ("_dmarc.a.b.example.co.uk", "TXT"),
        ("_dmarc.example.co.uk", "TXT"),
    ]


async def test_rfc7489_ignores_intermediate() -> None:
    """RFC 7489 does not walk: a record at an intermediate name is not found."""
    resolver = zone({"_dmarc.b.example.com": "v=DMARC1; p=reject"})
    found = await discover_policy("a.b.example.com", RecordFetcher(resolver), mode=Mode.RFC7489)
    assert found.record is None
    nine = await discover_policy("a.b.example.com", RecordFetcher(resolver))
    assert nine.policy_domain == "b.example.com"


async def test_name_too_long_for_dmarc_prefix() -> None:
    """An author domain too long for a _dmarc prefix is skipped, not a DNS error."""
    author = ".".join(["a" * 60] * 4)[:240] + ".example.com"
    resolver = zone({"_dmarc.example.com": "v=DMARC1; p=reject"})
    found = await discover_policy(author, RecordFetcher(resolver))
    assert not found.temperror and found.policy_domain == "example.com"
    assert all(len(name) <= 253 for name, _ in resolver.queries)
