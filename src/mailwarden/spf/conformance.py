"""Run SPF conformance scenarios (the YAML format of the openspf / RFC 7208 test suites).

A scenario file is a stream of YAML documents, each with ``description``, ``tests`` (name ->
``helo``, ``host``, ``mailfrom``, ``result`` (a word or a list of acceptable words) and
optionally ``explanation``) and ``zonedata`` (the DNS every test of that scenario sees).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mailwarden.dns.zones import ZoneResolver
from mailwarden.errors import InputError
from mailwarden.spf.evaluate import check_mail_from
from mailwarden.spf.result import SpfResult

__all__ = ["CaseOutcome", "ConformanceCase", "Scenario", "load_scenarios", "run_case"]

_NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class ConformanceCase:
    """One test: the client ``host``, ``mail_from`` and ``helo``, and what must come out.

    ``expected`` lists the acceptable results; ``explanation`` is the expected ``exp=`` text
    (``"DEFAULT"`` meaning none), or ``None`` when the test does not check it.
    """

    scenario: str
    name: str
    host: str
    mail_from: str
    helo: str
    expected: tuple[str, ...]
    explanation: str | None = None
    spec: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Scenario:
    """One YAML document: its cases and the zone data they run against."""

    description: str
    cases: tuple[ConformanceCase, ...]
    zonedata: Mapping[str, Any] = field(default_factory=dict)

    def resolver(self) -> ZoneResolver:
        """Return a fresh in-memory resolver holding this scenario's zone data."""
        return ZoneResolver.from_zonedata(self.zonedata)


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """What one case gave: ``passed`` when the result (and explanation) are as expected."""

    case: ConformanceCase
    result: SpfResult
    passed: bool
    problem: str = ""


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Return the scenarios of the YAML file ``path``.

    Raises ``InputError`` naming the file when it cannot be read, is not YAML, or does not
    hold scenarios.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
        documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read scenario file: {error}") from None
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML: {error}") from None
    scenarios = [_scenario(doc, path) for doc in documents]
    if not scenarios:
        raise InputError(f"{path}: holds no scenario")
    return scenarios


def _scenario(document: Any, path: str | Path) -> Scenario:
    if not isinstance(document, dict) or not isinstance(document.get("tests"), dict):
        raise InputError(f"{path}: a scenario needs a 'tests' mapping")
    description = str(document.get("description", "")).strip()
    cases = tuple(_case(description, name, test, path) for name, test in document["tests"].items())
    zonedata = document.get("zonedata") or {}
    if not isinstance(zonedata, dict):
        raise InputError(f"{path}: 'zonedata' of {description!r} is not a mapping")
    scenario = Scenario(description, cases, zonedata)
    try:
        scenario.resolver()
    except (ValueError, TypeError, AttributeError, AssertionError) as error:
        raise InputError(f"{path}: unusable 'zonedata' in {description!r}: {error}") from None
    return scenario


def _case(scenario: str, name: str, test: Any, path: str | Path) -> ConformanceCase:
    if not isinstance(test, dict) or "host" not in test or "result" not in test:
        raise InputError(f"{path}: test {name!r} needs at least 'host' and 'result'")
    expected = test["result"]
    words = tuple(str(w) for w in expected) if isinstance(expected, list) else (str(expected),)
    explanation = test.get("explanation")
    return ConformanceCase(
        scenario, str(name), str(test["host"]), str(test.get("mailfrom") or ""),
        str(test.get("helo") or ""), words,
        None if explanation is None else str(explanation),
        str(test.get("spec", "")), str(test.get("description") or "").strip(),
    )  # fmt: skip


async def run_case(case: ConformanceCase, resolver: ZoneResolver) -> CaseOutcome:
    """Return the outcome of ``case`` evaluated against ``resolver``.

    Explanations are compared case-insensitively: the suites write the reversed IPv6
    nibbles of the ``v-macro-ip6`` case in upper case while RFC 7208 section 7.3 expands
    them in lower case, and DNS names are case-insensitive.
    """
    result = await check_mail_from(
        case.host, case.mail_from, case.helo, resolver=resolver, now=_NOW
    )
    if result.result.value not in case.expected:
        problem = f"expected {'|'.join(case.expected)}, got {result.result.value}"
        return CaseOutcome(case, result, False, problem)
    if case.explanation is not None and result.result.value == "fail":
        want = None if case.explanation == "DEFAULT" else case.explanation
        got = result.explanation
        if (want or "").lower() != (got or "").lower() or (want is None) != (got is None):
            problem = f"expected explanation {case.explanation!r}, got {got!r}"
            return CaseOutcome(case, result, False, problem)
    return CaseOutcome(case, result, True)
