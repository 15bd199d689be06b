"""DMARC evaluation: alignment, policy choice, t=y, pct, and RFC 9989's appendix examples."""

from __future__ import annotations

import random

import pytest

from mailwarden.dmarc import DmarcResultCode, Mode, Policy, evaluate_dmarc
from tests.dmarc.helpers import Dkim, Spf, zone

EXAMPLE = {"_dmarc.example.com": "v=DMARC1; p=reject"}


async def run(author: str, records: dict[str, str | list[str]], **kwargs: object):  # type: ignore[no-untyped-def]
    """Evaluate with a resolver holding ``records``."""
    return await evaluate_dmarc(author, resolver=zone(records), **kwargs)  # type: ignore[arg-type]


# RFC 9989 appendix B.1.1 (SPF) and B.1.2 (DKIM)


@pytest.mark.parametrize(
    ("author", "mail_from", "aligned"),
    [
        ("example.com", "example.com", True),
        ("example.com", "child.example.com", True),
        ("child.example.com", "example.net", False),
    ],
)
async def test_appendix_spf_examples(author: str, mail_from: str, aligned: bool) -> None:
    """Appendix B.1.1: strict, relaxed and no SPF alignment."""
    result = await run(author, EXAMPLE, spf=Spf("pass", mail_from))
    assert result.spf_aligned is aligned
    assert result.result == ("pass" if aligned else "fail")


@pytest.mark.parametrize(
    ("author", "d", "aligned"),
    [
        ("example.com", "example.com", True),
        ("child.example.com", "example.com", True),
        ("child.example.com", "example.net", False),
    ],
)
async def test_appendix_dkim_examples(author: str, d: str, aligned: bool) -> None:
    """Appendix B.1.2: strict, relaxed and no DKIM alignment."""
    result = await run(author, EXAMPLE, dkim=[Dkim("pass", d)])
    assert result.dkim_aligned is aligned


async def test_appendix_smtp_session_example() -> None:
    """Appendix B.3.1: SPF mail.example.com and DKIM example.com both align, p=reject avoided."""
    records = {
        "_dmarc.example.com": "v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-feedback@example.com"
    }
    result = await run(
        "example.com",
        records,
        spf=Spf("pass", "mail.example.com"),
        dkim=[Dkim("pass", "example.com")],
    )
    assert result.result is DmarcResultCode.PASS
    assert result.spf_aligned and result.dkim_aligned
    assert result.policy is Policy.REJECT and result.disposition is Policy.NONE


async def test_appendix_simple_tree_walk() -> None:
    """Appendix B.4.1: records at example.com and signing.example.com; both align."""
    records = {
        "_dmarc.example.com": "v=DMARC1; p=reject",
        "_dmarc.signing.example.com": "v=DMARC1; p=none",
    }
    result = await run(
        "example.com",
        records,
        spf=Spf("pass", "example.com"),
        dkim=[Dkim("pass", "signing.example.com")],
    )
    assert result.result is DmarcResultCode.PASS
    assert result.org_domain == "example.com" and result.policy_domain == "example.com"
    dkim = next(a for a in result.alignments if a.method == "dkim")
    assert dkim.aligned and dkim.org_domain == "example.com"


async def test_appendix_deep_tree_walk() -> None:
    """Appendix B.4.2: a 13-label author finds example.com after 8 queries."""
    records = {
        "_dmarc.example.com": "v=DMARC1; p=reject",
        "_dmarc.signing.example.com": "v=DMARC1; p=none",
    }
    resolver = zone(records)
    result = await evaluate_dmarc(
        "a.b.c.d.e.f.g.h.i.j.k.example.com",
        spf=Spf("fail", "example.com"),
        dkim=[Dkim("pass", "signing.example.com")],
        resolver=resolver,
    )
    assert result.org_domain == "example.com" and result.policy_domain == "example.com"
    assert result.result is DmarcResultCode.PASS
    author_queries = [q for q, _ in resolver.queries if q.endswith("k.example.com")]
    assert author_queries == [
        "_dmarc.a.b.c.d.e.f.g.h.i.j.k.example.com",
        "_dmarc.g.h.i.j.k.example.com",
        "_dmarc.h.i.j.k.example.com",
        "_dmarc.i.j.k.example.com",
        "_dmarc.j.k.example.com",
        "_dmarc.k.example.com",
    ]


async def test_appendix_psd_example() -> None:
    """Appendix B.4.3: psd=y at bank.example; SPF aligns, DKIM mega.bank.example does not."""
    records = {
        "_dmarc.bank.example": "v=DMARC1; p=reject; psd=y",
        "_dmarc.giant.bank.example": "v=DMARC1; p=quarantine",
    }
    result = await run(
        "giant.bank.example",
        records,
        spf=Spf("pass", "mail.giant.bank.example"),
        dkim=[Dkim("pass", "mail.mega.bank.example")],
    )
    assert result.org_domain == "giant.bank.example"
    assert result.policy_domain == "giant.bank.example" and result.policy is Policy.QUARANTINE
    spf, dkim = result.alignments
    assert spf.aligned and spf.org_domain == "giant.bank.example"
    assert not dkim.aligned and dkim.org_domain == "mega.bank.example"
    assert result.result is DmarcResultCode.PASS


async def test_appendix_subdomain_testing_record() -> None:
    """Appendix B.2.5: p=quarantine with t=y on test.example.com gives disposition none."""
    records = {
        "_dmarc.test.example.com": "v=DMARC1; p=quarantine; "
        "rua=mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net; t=y"
    }
    result = await run("test.example.com", records, spf=Spf("fail", "test.example.com"))
    assert result.result is DmarcResultCode.FAIL
    assert result.policy is Policy.QUARANTINE and result.disposition is Policy.NONE
    assert result.testing


async def test_t_y_lowers_reject_to_quarantine() -> None:
    """t=y lowers reject one step to quarantine."""
    result = await run("example.com", {"_dmarc.example.com": "v=DMARC1; p=reject; t=y"})
    assert (result.policy, result.disposition) == (Policy.REJECT, Policy.QUARANTINE)


async def test_t_y_ignored_in_rfc7489_mode() -> None:
    """In RFC 7489 mode t is an unknown tag: reject stays reject."""
    result = await run(
        "example.com", {"_dmarc.example.com": "v=DMARC1; p=reject; t=y"}, mode="rfc7489"
    )
    assert result.disposition is Policy.REJECT


async def test_no_record_is_none() -> None:
    """Without a record DMARC does not apply: result none, policy null, disposition none."""
    result = await run("example.com", {}, spf=Spf("fail", "example.com"))
    assert result.result is DmarcResultCode.NONE
    assert result.policy is None and result.disposition is Policy.NONE


async def test_failing_message_gets_policy() -> None:
    """Nothing aligned: fail with the record's policy as disposition."""
    result = await run(
        "example.com", EXAMPLE, spf=Spf("pass", "evil.example"), dkim=[Dkim("fail", "example.com")]
    )
    assert result.result is DmarcResultCode.FAIL and result.disposition is Policy.REJECT


async def test_spf_softfail_never_aligns() -> None:
    """Only an SPF pass can align."""
    result = await run("example.com", EXAMPLE, spf=Spf("softfail", "example.com"))
    assert result.result is DmarcResultCode.FAIL and not result.spf_aligned


async def test_strict_alignment() -> None:
    """adkim=s / aspf=s require the identical domain."""
    records = {"_dmarc.example.com": "v=DMARC1; p=reject; adkim=s; aspf=s"}
    result = await run(
        "example.com",
        records,
        spf=Spf("pass", "mail.example.com"),
        dkim=[Dkim("pass", "sub.example.com")],
    )
    assert result.result is DmarcResultCode.FAIL
    exact = await run("example.com", records, dkim=[Dkim("pass", "EXAMPLE.COM.")])
    assert exact.result is DmarcResultCode.PASS


async def test_subdomain_policy_sp() -> None:
    """An existing subdomain under the org's record gets sp."""
    records = {"_dmarc.example.com": "v=DMARC1; p=reject; sp=quarantine; np=none"}
    resolver = zone(records, **{"shop.example.com": {"A": "192.0.2.1"}})
    result = await evaluate_dmarc("shop.example.com", resolver=resolver)
    assert result.policy is Policy.QUARANTINE and result.policy_domain == "example.com"


async def test_nonexistent_subdomain_np() -> None:
    """An author domain giving NXDOMAIN gets np."""
    records = {"_dmarc.example.com": "v=DMARC1; p=none; sp=none; np=reject"}
    result = await run("ghost.example.com", records)
    assert result.policy is Policy.REJECT and result.disposition is Policy.REJECT


async def test_rua_without_p_treated_as_none() -> None:
    """A record with rua but no valid p is applied as p=none."""
    result = await run("example.com", {"_dmarc.example.com": "v=DMARC1; rua=mailto:r@example.com"})
    assert result.result is DmarcResultCode.FAIL and result.policy is Policy.NONE


async def test_unusable_record_no_dmarc() -> None:
    """A record without valid p or rua gives no DMARC processing: result none."""
    result = await run("example.com", {"_dmarc.example.com": "v=DMARC1; p=bogus"})
    assert result.result is DmarcResultCode.NONE and result.policy is None


@pytest.mark.parametrize(("draw", "expected"), [(0.1, Policy.REJECT), (0.9, Policy.QUARANTINE)])
async def test_pct_sampling_rfc7489(draw: float, expected: Policy) -> None:
    """RFC 7489 pct=50: in the sample the policy applies, outside it one step less."""

    class Fixed(random.Random):
        def random(self) -> float:
            return draw

    result = await run(
        "example.com",
        {"_dmarc.example.com": "v=DMARC1; p=reject; pct=50"},
        mode=Mode.RFC7489,
        rng=Fixed(),
    )
    assert result.disposition is expected
    assert result.sampled_out is (expected is Policy.QUARANTINE)


async def test_pct_ignored_in_rfc9989_mode() -> None:
    """RFC 9989 removed pct: pct=0 does not lower the policy."""
    result = await run("example.com", {"_dmarc.example.com": "v=DMARC1; p=reject; pct=0"})
    assert result.disposition is Policy.REJECT


async def test_temperror_on_dns_failure() -> None:
    """A DNS timeout during discovery gives temperror."""
    resolver = zone({}, **{"_dmarc.example.com": {"TIMEOUT": True}})
    result = await evaluate_dmarc("example.com", resolver=resolver)
    assert result.result is DmarcResultCode.TEMPERROR


async def test_temperror_from_spf_without_alignment() -> None:
    """An SPF temperror with nothing aligned leaves DMARC at temperror."""
    result = await run("example.com", EXAMPLE, spf=Spf("temperror", "example.com"))
    assert result.result is DmarcResultCode.TEMPERROR


async def test_invalid_author_domain_permerror() -> None:
    """A malformed author domain string gives permerror and reject, never pass."""
    result = await run("bad..example", EXAMPLE, spf=Spf("pass", "bad..example"))
    assert result.result is DmarcResultCode.PERMERROR and result.disposition is Policy.REJECT


async def test_idn_author_and_identifier() -> None:
    """A U-label identifier aligns with the A-label author domain."""
    records = {"_dmarc.xn--bcher-kva.example": "v=DMARC1; p=reject"}
    result = await run("bücher.example", records, dkim=[Dkim("pass", "BÜCHER.example")])
    assert result.author_domain == "xn--bcher-kva.example"
    assert result.result is DmarcResultCode.PASS


async def test_rfc7489_relaxed_uses_psl() -> None:
    """RFC 7489 relaxed alignment compares PSL registrable domains without extra queries."""
    records = {"_dmarc.example.co.uk": "v=DMARC1; p=reject"}
    resolver = zone(records)
    result = await evaluate_dmarc(
        "example.co.uk",
        dkim=[Dkim("pass", "mail.example.co.uk")],
        resolver=resolver,
        mode="rfc7489",
    )
    assert result.result is DmarcResultCode.PASS
    assert resolver.queries == [("_dmarc.example.co.uk", "TXT")]


async def test_author_from_message_bytes_or_headers() -> None:
    """evaluate_dmarc also takes the message or its header fields."""
    message = b"From: Test <t@example.com>\r\nSubject: x\r\n\r\nbody"
    by_bytes = await run(message, EXAMPLE, spf=Spf("pass", "example.com"))  # type: ignore[arg-type]
    by_headers = await run(
        [("From", " t@example.com")],
        EXAMPLE,
        spf=Spf("pass", "example.com"),  # type: ignore[arg-type]
    )
    assert by_bytes.result is DmarcResultCode.PASS and by_headers.author_domain == "example.com"


async def test_several_authors_all_pass() -> None:
    """Several author domains that all pass give pass."""
    records = {
        "_dmarc.example.com": "v=DMARC1; p=reject",
        "_dmarc.example.org": "v=DMARC1; p=reject",
    }
    message = b"From: a@example.com, b@example.org\r\n\r\n"
    result = await run(
        message,  # type: ignore[arg-type]
        records,
        dkim=[Dkim("pass", "example.com"), Dkim("pass", "example.org")],
    )
    assert result.result is DmarcResultCode.PASS
    assert result.author_domains == ("example.com", "example.org")


async def test_np_existence_lookup_timeout() -> None:
    """When the author's existence cannot be learnt, np cannot be chosen: temperror."""
    resolver = zone(
        {"_dmarc.example.com": "v=DMARC1; p=none; np=reject"},
        **{"ghost.example.com": {"TIMEOUT": True}},
    )
    result = await evaluate_dmarc("ghost.example.com", resolver=resolver)
    assert result.result is DmarcResultCode.TEMPERROR


async def test_existence_known_from_dmarc_lookup() -> None:
    """A _dmarc name that exists proves the author exists: no extra A query."""
    resolver = zone(
        {"_dmarc.example.com": "v=DMARC1; p=none; np=reject", "_dmarc.mail.example.com": "hi"}
    )
    result = await evaluate_dmarc("mail.example.com", resolver=resolver)
    assert result.policy is Policy.NONE
    assert ("mail.example.com", "A") not in resolver.queries


async def test_rfc7489_dns_error() -> None:
    """RFC 7489 mode: a timeout on the author's record is temperror."""
    resolver = zone({}, **{"_dmarc.example.com": {"TIMEOUT": True}})
    result = await evaluate_dmarc("example.com", resolver=resolver, mode="rfc7489")
    assert result.result is DmarcResultCode.TEMPERROR


async def test_empty_or_invalid_identifiers_never_align() -> None:
    """An empty SPF domain or a DKIM d= with a bad IDN never aligns."""
    result = await run(
        "example.com", EXAMPLE, spf=Spf("pass", ""), dkim=[Dkim("pass", "xn--zz--.example.com")]
    )
    assert result.result is DmarcResultCode.FAIL


async def test_error_above_own_record_identical_identifier_passes() -> None:
    """A timeout above the author's own record does not matter when d= is the author domain."""
    resolver = zone(
        {"_dmarc.mail.example.com": "v=DMARC1; p=reject"},
        **{"_dmarc.example.com": {"TIMEOUT": True}},
    )
    result = await evaluate_dmarc(
        "mail.example.com", dkim=[Dkim("pass", "mail.example.com")], resolver=resolver
    )
    assert result.result is DmarcResultCode.PASS


async def test_error_above_own_record_relaxed_is_temperror() -> None:
    """When relaxed alignment needs the unknown organizational domain, the result is temperror."""
    resolver = zone(
        {"_dmarc.mail.example.com": "v=DMARC1; p=reject"},
        **{"_dmarc.example.com": {"TIMEOUT": True}},
    )
    result = await evaluate_dmarc(
        "mail.example.com", dkim=[Dkim("pass", "example.com")], resolver=resolver
    )
    assert result.result is DmarcResultCode.TEMPERROR


async def test_error_above_own_record_strict_fails() -> None:
    """With strict alignment on both methods the organizational domain is not needed."""
    resolver = zone(
        {"_dmarc.mail.example.com": "v=DMARC1; p=reject; adkim=s; aspf=s"},
        **{"_dmarc.example.com": {"TIMEOUT": True}},
    )
    result = await evaluate_dmarc(
        "mail.example.com", dkim=[Dkim("pass", "example.com")], resolver=resolver
    )
    assert result.result is DmarcResultCode.FAIL and result.disposition is Policy.REJECT
