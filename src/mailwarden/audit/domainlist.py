"""Reading the domain lists a survey starts from: plain lists and ``rank,domain`` CSV."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mailwarden.dns import validate_domain
from mailwarden.errors import InputError

__all__ = ["DomainList", "parse_domain_list"]


@dataclass(frozen=True, slots=True)
class DomainList:
    """The domains to scan (A-labels, in input order, without duplicates), the lines skipped
    with their reasons (``line N: why``), and how many duplicates were dropped."""

    domains: tuple[str, ...]
    problems: tuple[str, ...]
    duplicates: int


def parse_domain_list(lines: Iterable[str]) -> DomainList:
    """Return the domains in ``lines``: one domain a line or ``rank,domain`` CSV rows.

    Blank lines and ``#`` comments are ignored, a CSV header row (``rank,domain``) is skipped,
    IDNs are converted to A-labels, duplicates are dropped, and each malformed line is reported
    with its number and skipped.
    """
    domains: dict[str, None] = {}
    problems: list[str] = []
    duplicates = 0
    for number, raw in _numbered(lines):
        field = _domain_field(raw)
        if field is None:
            continue
        try:
            domain = validate_domain(field)
        except InputError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        if domain in domains:
            duplicates += 1
        else:
            domains[domain] = None
    return DomainList(tuple(domains), tuple(problems), duplicates)


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(lines, start=1):
        yield number, line.split("#", 1)[0].strip().lstrip("\ufeff")


def _domain_field(line: str) -> str | None:
    if not line:
        return None
    if "," not in line:
        return line
    first, _, rest = line.partition(",")
    second = rest.split(",", 1)[0].strip().strip('"')
    if first.strip().lower() == "rank" or second.lower() == "domain":
        return None
    return second if first.strip().isdigit() else first.strip().strip('"')
