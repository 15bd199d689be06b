"""The shared dmarc-authheaders messages, with DNS data written for them (tests/data/dmarc).

SPF and DKIM results are given as inputs here (DMARC never recomputes them); the end-to-end
runs through `mailwarden verify` live in tests/test_verify.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailwarden.dmarc import author_domains, evaluate_dmarc, parse_header_block
from mailwarden.testing import ZoneResolver
from tests.dmarc.helpers import Dkim, Spf

DATA = Path(__file__).resolve().parents[1] / "data" / "dmarc"

# message, SPF result, DKIM results, expected (result, policy, disposition, author, org)
CASES = [
    ("test.message", Spf("pass", "example.com"), [],
     ("pass", "reject", "none", "example.com", "example.com")),
    ("test.message_signed", Spf("fail", "other.example"), [Dkim("pass", "example.com", "test")],
     ("pass", "reject", "none", "example.com", "example.com")),
    ("testcomma.message", Spf("none", "other.example"), [Dkim("pass", "example.com", "test")],
     ("pass", "reject", "none", "example.com", "example.com")),
    ("test.bad.message", Spf("fail", "bad.example.com"), [],
     ("none", None, "none", "bad.example.com", "example.com")),
    ("test.gov.message", Spf("none", "example.gov"), [],
     ("fail", "reject", "reject", "example.gov", "example.gov")),
    ("test.message_multi", Spf("fail", "x.example"), [Dkim("pass", "example.com", "test")],
     ("fail", "reject", "reject", "example.org", "example.org")),
    ("test.message_multi2", Spf("fail", "x.example"), [Dkim("pass", "example.com", "test")],
     ("fail", "reject", "reject", "example.org", "example.org")),
    ("test.message_np1", Spf("fail", "x.example"), [Dkim("fail", "example.biz", "test")],
     ("fail", "quarantine", "quarantine", "sub.example.biz", "example.biz")),
    ("test.message_np2", Spf("fail", "x.example"), [Dkim("fail", "example.biz", "test")],
     ("fail", "reject", "reject", "sub2.example.biz", "example.biz")),
    ("test.message_sub", Spf("fail", "x.example"), [Dkim("pass", "example.com", "test")],
     ("fail", "none", "none", "sub.example.net", "example.net")),
    ("test_nop.message", Spf("pass", "x.example"), [],
     ("fail", "none", "none", "nop.example.org", "example.org")),
    ("test.nofrom.message", Spf("pass", "bad.example.com"), [],
     ("permerror", None, "reject", None, None)),
]  # fmt: skip


@pytest.fixture(scope="module")
def resolver() -> ZoneResolver:
    """The zones written for the shared messages."""
    return ZoneResolver.from_zone_files(*sorted(DATA.glob("*.zone")))


@pytest.mark.parametrize(("name", "spf", "dkim", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_conformance_message(
    shared_dir: Path,
    resolver: ZoneResolver,
    name: str,
    spf: Spf,
    dkim: list[Dkim],
    expected: tuple[str, str | None, str, str | None, str | None],
) -> None:
    """Each shared message gives the documented DMARC verdict."""
    message = (shared_dir / "conformance" / "dmarc-authheaders" / name).read_bytes()
    author = author_domains(parse_header_block(message))
    result = await evaluate_dmarc(author, spf=spf, dkim=dkim, resolver=resolver)
    got = (
        result.result.value,
        result.policy.value if result.policy else None,
        result.disposition.value,
        result.author_domain,
        result.org_domain,
    )
    assert got == expected
