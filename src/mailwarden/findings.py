"""Findings: what a check found, with a stable code that tests and dashboards key on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Finding", "Severity", "worst_severity"]


class Severity(StrEnum):
    """How serious a finding is."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Return 2 for error, 1 for warning, 0 for info (higher is worse)."""
        return {Severity.ERROR: 2, Severity.WARNING: 1, Severity.INFO: 0}[self]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem or observation.

    ``code`` is a stable dotted identifier (``spf.too-many-lookups``); ``message`` is one
    sentence for people; ``hint`` is the concrete fix (often the record to publish).
    """

    code: str
    severity: Severity
    message: str
    hint: str = ""


def worst_severity(findings: tuple[Finding, ...] | list[Finding]) -> Severity | None:
    """Return the most serious severity among ``findings``, or ``None`` when there are none."""
    if not findings:
        return None
    return max((f.severity for f in findings), key=lambda s: s.rank)
