"""The SPF linter: lookup tree, totals, the effective all, and every finding code."""

from __future__ import annotations

from typing import Any

import pytest

from mailwarden.findings import Severity
from mailwarden.spf import SpfLintResult, lint_spf
from mailwarden.testing import ZoneResolver


async def _lint(data: dict[str, dict[str, Any]], domain: str = "example.org") -> SpfLintResult:
    return await lint_spf(domain, resolver=ZoneResolver.from_dict(data))


def _codes(result: SpfLintResult) -> set[str]:
    return {finding.code for finding in result.findings}


async def test_clean_policy_tree_and_totals() -> None:
    """A good policy: tree with per-branch costs, totals, -all, valid, no findings."""
    result = await _lint(
        {
            "example.org": {
                "TXT": "v=spf1 mx include:_spf.example.net -all",
                "MX": "10 mx.example.org",
            },
            "mx.example.org": {"A": "192.0.2.1"},
            "_spf.example.net": {"TXT": "v=spf1 include:_b.example.net a:out.example.net ~all"},
            "_b.example.net": {"TXT": "v=spf1 ip4:198.51.100.0/24 -all"},
            "out.example.net": {"A": "198.51.100.9"},
        }
    )
    assert result.valid and not result.findings
    assert (result.lookups, result.void_lookups, result.all) == (4, 0, "-all")
    assert result.tree is not None
    child = result.tree.children[0]
    assert (child.term, child.lookups, child.total) == ("include:_spf.example.net", 2, 2)
    assert child.children[0].total == 0


@pytest.mark.parametrize(
    ("record", "code", "severity"),
    [
        ("v=spf1 ptr -all", "spf.ptr-deprecated", Severity.WARNING),
        ("v=spf1 +all", "spf.all-pass", Severity.ERROR),
        ("v=spf1 ip4:192.0.2.1 all", "spf.all-pass", Severity.ERROR),
        ("v=spf1 ip4:192.0.2.1 ?all", "spf.all-neutral", Severity.WARNING),
        ("v=spf1 ip4:192.0.2.1", "spf.no-all", Severity.WARNING),
        ("v=spf1 ip4:10.0.0.0/12 -all", "spf.ip-range-wide", Severity.WARNING),
        ("v=spf1 ip4:10.0.0.0/7 -all", "spf.ip-range-too-wide", Severity.ERROR),
        ("v=spf1 ip6:2001:db8::/30 -all", "spf.ip-range-wide", Severity.WARNING),
        ("v=spf1 ip4:1.2.3.4/33 -all", "spf.syntax-error", Severity.ERROR),
        ("v=spf1 include:gone.example.org -all", "spf.include-nxdomain", Severity.ERROR),
        ("v=spf1 include:example.org -all", "spf.include-loop", Severity.ERROR),
        ("v=spf1 a:gone.example.org -all", "spf.void-lookup", Severity.WARNING),
        ("v=spf1 redirect=_spf.example.org -all", "spf.redirect-with-all", Severity.WARNING),
    ],
)
async def test_record_findings(record: str, code: str, severity: Severity) -> None:
    """Each kind of problem gives its stable code and severity."""
    result = await _lint(
        {"example.org": {"TXT": record}, "_spf.example.org": {"TXT": "v=spf1 -all"}}
    )
    found = [f for f in result.findings if f.code == code]
    assert found and found[0].severity is severity
    assert found[0].hint


async def test_no_record() -> None:
    """A domain without a record: spf.no-record, not valid, a hint with a record to publish."""
    result = await _lint({"example.org": {"TXT": "google-site-verification=x"}})
    assert _codes(result) == {"spf.no-record"} and not result.valid
    assert "v=spf1" in result.findings[0].hint


async def test_several_records() -> None:
    """Two SPF records: spf.multiple-records quoting both."""
    result = await _lint({"example.org": {"TXT": ["v=spf1 -all", "v=spf1 mx -all"]}})
    assert "spf.multiple-records" in _codes(result) and not result.valid
    assert "v=spf1 mx -all" in result.findings[0].message


async def test_syntax_error_position() -> None:
    """A syntax error names its position and points at it in the hint."""
    result = await _lint({"example.org": {"TXT": "v=spf1 ip4:192.0.2.1 a:museum -all"}})
    (finding,) = [f for f in result.findings if f.code == "spf.syntax-error"]
    assert "at position 23" in finding.message
    assert finding.hint.splitlines()[1].index("^") - 6 == 20


async def test_too_many_lookups() -> None:
    """Eleven DNS-querying terms over an include chain: spf.too-many-lookups with the total."""
    data: dict[str, dict[str, Any]] = {
        "example.org": {"TXT": "v=spf1 include:a.example.org include:b.example.org -all"},
        "a.example.org": {"TXT": "v=spf1 " + " ".join(["exists:%{i}.x.example.org"] * 5) + " -all"},
        "b.example.org": {"TXT": "v=spf1 " + " ".join(["exists:%{i}.y.example.org"] * 4) + " -all"},
    }
    result = await _lint(data)
    assert result.lookups == 11 and "spf.too-many-lookups" in _codes(result)
    assert not result.valid


async def test_too_many_void_lookups() -> None:
    """Three terms naming nothing: spf.too-many-void-lookups and the void total."""
    record = "v=spf1 a:n1.example.org a:n2.example.org mx:n3.example.org -all"
    result = await _lint({"example.org": {"TXT": record}})
    assert result.void_lookups == 3 and "spf.too-many-void-lookups" in _codes(result)


async def test_string_over_255() -> None:
    """A single character-string over 255 octets: spf.string-too-long with a split record."""
    record = "v=spf1 " + " ".join(f"ip4:192.0.2.{n}" for n in range(30)) + " -all"
    result = await _lint({"example.org": {"TXT": [record]}})
    (finding,) = [f for f in result.findings if f.code == "spf.string-too-long"]
    assert f"{len(record)} octets" in finding.message
    assert finding.hint.count('" "') == 1


async def test_answer_over_512_octets() -> None:
    """TXT records that together exceed 512 octets: spf.txt-too-large."""
    others = [[f"verification-{n}=" + "x" * 200] for n in range(3)]
    result = await _lint({"example.org": {"TXT": [["v=spf1 -all"], *others]}})
    assert "spf.txt-too-large" in _codes(result) and result.valid


async def test_effective_all_follows_redirect() -> None:
    """The all term of a redirect target is the effective one; no spf.no-all."""
    result = await _lint(
        {
            "example.org": {"TXT": "v=spf1 redirect=_spf.example.org"},
            "_spf.example.org": {"TXT": "v=spf1 ip4:192.0.2.0/24 ~all"},
        }
    )
    assert result.all == "~all" and not result.findings and result.lookups == 1


async def test_include_without_record() -> None:
    """An include whose target publishes no SPF record is an error."""
    data = {
        "example.org": {"TXT": "v=spf1 include:example.net -all"},
        "example.net": {"A": "192.0.2.1"},
    }
    result = await _lint(data)
    assert "spf.include-no-record" in _codes(result) and not result.valid


async def test_dns_error_is_a_finding() -> None:
    """A timeout on an included domain is reported, not raised."""
    data = {
        "example.org": {"TXT": "v=spf1 include:slow.example.net -all"},
        "slow.example.net": {"TIMEOUT": True},
    }
    result = await _lint(data)
    assert "spf.dns-error" in _codes(result)


async def test_mx_hosts_that_do_not_exist_are_void() -> None:
    """MX hosts that do not exist count as void lookups, as receivers count them."""
    data = {
        "example.org": {
            "TXT": "v=spf1 mx -all",
            "MX": ["10 gone1.example.org", "20 gone2.example.org"],
        },
        "example.net": {"TXT": "v=spf1 include:example.org a:nohost.example.net -all"},
    }
    result = await _lint(data, "example.net")
    assert result.void_lookups == 3 and "spf.too-many-void-lookups" in _codes(result)


async def test_too_many_mx_hosts() -> None:
    """An mx target with 11 MX hosts is spf.mx-too-many."""
    hosts = [f"{n} mx{n}.example.org" for n in range(11)]
    result = await _lint({"example.org": {"TXT": "v=spf1 mx -all", "MX": hosts}})
    assert "spf.mx-too-many" in _codes(result) and not result.valid


async def test_domain_that_does_not_exist() -> None:
    """A domain that does not exist: spf.no-record saying so."""
    result = await _lint({"example.net": {"A": "192.0.2.1"}}, "example.org")
    assert [f.message for f in result.findings] == ["example.org does not exist"]


async def test_exponential_include_tree_is_bounded() -> None:
    """Records that each include ten others: the walk stops at 100 policies."""
    data: dict[str, dict[str, Any]] = {}
    for level in range(4):
        for n in range(10**level):
            name = f"n{level}-{n}.example.org" if level else "example.org"
            kids = " ".join(f"include:n{level + 1}-{n * 10 + k}.example.org" for k in range(10))
            data[name] = {"TXT": f"v=spf1 {kids} -all"}
    resolver = ZoneResolver.from_dict(data)
    result = await lint_spf("example.org", resolver=resolver)
    assert "spf.too-many-lookups" in _codes(result) and not result.valid
    assert len(resolver.queries) <= 100


async def test_thousand_a_terms_are_bounded() -> None:
    """A record of a thousand a: terms is linted with a bounded number of queries."""
    record = "v=spf1 " + " ".join(f"a:h{n}.example.org" for n in range(1000)) + " -all"
    resolver = ZoneResolver.from_dict({"example.org": {"TXT": record}})
    result = await lint_spf("example.org", resolver=resolver)
    assert result.lookups == 1000 and "spf.too-many-lookups" in _codes(result)
    assert len(resolver.queries) <= 1 + 2 * 50


async def test_include_of_a_pass_all_policy() -> None:
    """Including a policy that ends in +all lets everyone pass: spf.include-all-pass."""
    data = {
        "example.org": {"TXT": "v=spf1 include:lax.example.net -all"},
        "lax.example.net": {"TXT": "v=spf1 ip4:192.0.2.0/24 +all"},
    }
    result = await _lint(data)
    assert "spf.include-all-pass" in _codes(result) and result.all == "-all"
