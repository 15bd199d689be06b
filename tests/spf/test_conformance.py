"""The SPF conformance suites, one pytest id per case.

RFC 7208 suite: every case must give an accepted answer. RFC 4408 suite: every case must give
an answer the older suite accepts; where RFC 7208 deliberately changed the answer (listed in
``RFC7208_CHANGES`` and in docs/spf.md) the answer must also be the RFC 7208 one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailwarden.spf.conformance import ConformanceCase, Scenario, load_scenarios, run_case

SUITES = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "spf"
RFC7208 = SUITES / "rfc7208-tests.yml"
RFC4408 = SUITES / "rfc4408-tests.yml"

_TYPE_SPF = "RFC 7208 section 3.1 / 4.4: SPF (type 99) records are no longer consulted, only TXT"
RFC7208_CHANGES = {
    "cidr6-0-ip4": "RFC 7208 section 5: an IPv4 client never matches ip6 terms",
    "cidr6-ip4": "RFC 7208 section 5: an IPv4-mapped IPv6 client is IPv4 and never matches ip6",
    "exists-dnserr": "RFC 7208 section 4.4 / 5: a DNS error in a mechanism lookup is temperror",
    "mx-limit": "RFC 7208 section 4.6.4: more than 10 MX names is a permerror",
    "multispf2": _TYPE_SPF,
    "multitxt1": _TYPE_SPF,
    "nospftxttimeout": _TYPE_SPF,
    "spfonly": _TYPE_SPF,
    "spfoverride": _TYPE_SPF,
    "spftimeout": _TYPE_SPF,
    "txtonly": _TYPE_SPF,
    "txttimeout": _TYPE_SPF,
    "upper-macro": "not a rule change: the RFC 7208 suite's sender adds '~', '-', '_' and '.' "
    "to check the whole unreserved set",
}


def _cases(path: Path) -> list[tuple[Scenario, ConformanceCase]]:
    if not path.is_file():
        return []
    return [(scenario, case) for scenario in load_scenarios(path) for case in scenario.cases]


def _ids(pairs: list[tuple[Scenario, ConformanceCase]]) -> list[str]:
    return [f"{case.scenario.lower().replace(' ', '-')}/{case.name}" for _, case in pairs]


CASES_7208 = _cases(RFC7208)
CASES_4408 = _cases(RFC4408)


def test_suites_are_present() -> None:
    """The shared suites are found and hold the expected number of cases."""
    if not SUITES.is_dir():
        pytest.skip(f"shared conformance suites not found at {SUITES}")
    assert len(CASES_7208) == 203
    assert len(CASES_4408) == 191


@pytest.mark.parametrize(("scenario", "case"), CASES_7208, ids=_ids(CASES_7208))
async def test_rfc7208(scenario: Scenario, case: ConformanceCase) -> None:
    """The RFC 7208 suite case gives an accepted result (and explanation)."""
    outcome = await run_case(case, scenario.resolver())
    assert outcome.passed, f"{outcome.problem}: {outcome.result.reason}"


@pytest.mark.parametrize(("scenario", "case"), CASES_4408, ids=_ids(CASES_4408))
async def test_rfc4408(scenario: Scenario, case: ConformanceCase) -> None:
    """The RFC 4408 suite case passes; deliberate RFC 7208 changes give the new answer."""
    outcome = await run_case(case, scenario.resolver())
    assert outcome.passed, f"{outcome.problem}: {outcome.result.reason}"
    if case.name in RFC7208_CHANGES:
        newer = {c.name: c for _, c in CASES_7208}[case.name]
        assert outcome.result.result.value in newer.expected, RFC7208_CHANGES[case.name]


def test_changes_list_matches_the_suites() -> None:
    """RFC7208_CHANGES names exactly the shared cases whose expected answers differ."""
    if not CASES_4408 or not CASES_7208:
        pytest.skip("shared conformance suites not found")
    newer = {case.name: case for _, case in CASES_7208}
    differ = {
        case.name
        for _, case in CASES_4408
        if case.name in newer
        and (
            set(case.expected) != set(newer[case.name].expected)
            or case.explanation != newer[case.name].explanation
        )
    }
    assert differ == set(RFC7208_CHANGES)
