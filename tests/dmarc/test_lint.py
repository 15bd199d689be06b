"""lint_dmarc: the audit entry point used by `mailwarden dmarc check` and the domain audit."""

from __future__ import annotations

import pytest

from mailwarden.dmarc import Policy, lint_dmarc
from mailwarden.errors import InputError
from tests.dmarc.helpers import zone


async def test_lint_good_record() -> None:
    """A good record: valid, policies, rua, and tag meanings."""
    resolver = zone(
        {"_dmarc.example.com": "v=DMARC1; p=reject; sp=quarantine; rua=mailto:r@example.com"}
    )
    result = await lint_dmarc("example.com", resolver=resolver)
    assert result.valid and result.policy is Policy.REJECT
    assert result.subdomain_policy is Policy.QUARANTINE
    assert result.rua == ("mailto:r@example.com",)
    assert result.external_rua_authorized is None
    assert [m.tag for m in result.meanings] == ["v", "p", "sp", "rua"]
    assert not [f for f in result.findings if f.severity == "error"]


async def test_lint_no_record() -> None:
    """No record: invalid with dmarc.no-record and the record to publish."""
    result = await lint_dmarc("example.com", resolver=zone({}))
    assert not result.valid and result.record is None
    assert result.findings[-1].code == "dmarc.no-record"
    assert "_dmarc.example.com" in result.findings[-1].hint


async def test_lint_inherited() -> None:
    """A subdomain without its own record inherits the parent's, with sp as its policy."""
    resolver = zone({"_dmarc.example.com": "v=DMARC1; p=reject; sp=none"})
    result = await lint_dmarc("shop.example.com", resolver=resolver)
    assert result.policy_domain == "example.com" and result.policy is Policy.NONE
    assert "dmarc.inherited" in [f.code for f in result.findings]


async def test_lint_external_rua_unauthorized() -> None:
    """An external rua without authorization sets external_rua_authorized False."""
    resolver = zone({"_dmarc.example.net": "v=DMARC1; p=none; rua=mailto:r@example.com"})
    result = await lint_dmarc("example.net", resolver=resolver)
    assert result.external_rua_authorized is False


async def test_lint_multiple_records() -> None:
    """Several records: none applies, both findings present."""
    resolver = zone({"_dmarc.example.com": ["v=DMARC1; p=reject", "v=DMARC1; p=none"]})
    result = await lint_dmarc("example.com", resolver=resolver)
    assert {"dmarc.multiple-records", "dmarc.no-record"} <= {f.code for f in result.findings}


async def test_lint_bad_domain() -> None:
    """A malformed domain raises InputError."""
    with pytest.raises(InputError):
        await lint_dmarc("a..b", resolver=zone({}))


async def test_lint_psd_policy_meaning() -> None:
    """A domain governed by a public suffix record says so."""
    resolver = zone({"_dmarc.bank.example": "v=DMARC1; p=reject; psd=y"})
    result = await lint_dmarc("giant.bank.example", resolver=resolver)
    assert result.policy_domain == "bank.example"
    assert any("public suffix" in m.meaning for m in result.meanings)


async def test_lint_dns_error() -> None:
    """A lookup that times out gives dmarc.dns-error and no record."""
    resolver = zone({}, **{"_dmarc.example.com": {"TIMEOUT": True}})
    result = await lint_dmarc("example.com", resolver=resolver)
    assert result.record is None
    assert result.findings[-1].code == "dmarc.dns-error"
