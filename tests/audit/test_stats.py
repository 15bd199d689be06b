"""Statistics over scan results and their Markdown and HTML forms."""

from __future__ import annotations

from typing import Any

from mailwarden.audit.stats import compute_stats
from mailwarden.audit.stats_render import to_html, to_markdown


def _result(domain: str, **areas: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"domain": domain, "error_class": None, "findings": []}
    base.update(areas)
    return base


RESULTS = [
    _result(
        "a.example",
        mx={"hosts": ["mx.a.example"], "null_mx": False},
        spf={"record": "v=spf1 -all", "valid": True, "all": "-all"},
        dmarc={
            "record": "v=DMARC1; p=reject",
            "valid": True,
            "policy": "reject",
            "rua": ["mailto:x@a.example"],
            "ruf": [],
            "external_rua_authorized": None,
        },
        dkim={
            "selectors": [{"selector": "s1", "key_type": "rsa", "key_bits": 2048, "valid": True}]
        },
        mta_sts={"record": "v=STSv1; id=1", "valid": True},
        tls_rpt={"record": None, "valid": False},
        bimi={"record": None, "valid": False},
        dnssec={"signed": True, "authenticated": False},
    ),
    _result(
        "b.example",
        mx={"hosts": [], "null_mx": True},
        spf={"record": "v=spf1 include:x include:y", "valid": False, "all": None},
        dmarc={
            "record": "v=DMARC1; p=none",
            "valid": True,
            "policy": "none",
            "rua": ["mailto:r@other.example"],
            "ruf": ["mailto:f@b.example"],
            "external_rua_authorized": False,
        },
        dkim={"selectors": []},
        findings=[{"code": "spf.too-many-lookups"}],
    ),
    _result(
        "c.example", spf={"record": None, "valid": False}, dmarc={"record": None, "valid": False}
    ),
    {"domain": "gone.example", "error_class": "nxdomain", "findings": []},
]


def test_counts() -> None:
    """Each documented key counts the right domains."""
    stats = compute_stats(RESULTS)
    assert stats["domains"] == 4
    assert stats["errors"] == {"nxdomain": 1}
    assert (stats["spf"]["present"], stats["spf"]["valid"], stats["spf"]["absent"]) == (2, 1, 1)
    assert stats["spf"]["invalid_causes"] == {"too_many_lookups": 1}
    assert stats["spf"]["all"] == {"-all": 1}
    assert (stats["dmarc"]["present"], stats["dmarc"]["valid"]) == (2, 2)
    assert stats["dmarc"]["policy"] == {"none": 1, "quarantine": 0, "reject": 1}
    assert stats["dmarc"]["with_rua"] == 2 and stats["dmarc"]["with_ruf"] == 1
    assert stats["dmarc"]["external_rua_unauthorized"] == 1
    assert stats["dkim"]["found"] == 1 and stats["dkim"]["key_sizes"] == {"rsa-2048": 1}
    assert stats["mx"]["present"] == 1 and stats["mx"]["null_mx"] == 1
    assert stats["mta_sts"]["valid"] == 1 and stats["dnssec"]["signed"] == 1


def test_percentages() -> None:
    """Percentages are of all domains scanned."""
    stats = compute_stats(RESULTS)
    assert stats["percent"]["spf"]["present"] == 50.0
    assert stats["percent"]["dmarc"]["policy"]["reject"] == 25.0


def test_empty() -> None:
    """No results give zero counts, not a division error."""
    stats = compute_stats([])
    assert stats["domains"] == 0 and stats["spf"]["present"] == 0
    assert stats["percent"]["spf"]["present"] == 0.0


def test_markdown_and_html() -> None:
    """The Markdown table and the HTML report carry the numbers; HTML escapes names."""
    stats = compute_stats(RESULTS)
    markdown = to_markdown(stats)
    assert "| DMARC | p=reject | 1 | 25.0% |" in markdown
    page = to_html(stats, title="<survey>")
    assert "&lt;survey&gt;" in page and "<survey>" not in page
    assert "<svg" in page and "http" not in page.replace("https://", "").lower().split("<body>")[0]
