"""Collects tolerated deviations as counted warnings, bounded in number."""

from __future__ import annotations

from mailwarden.reports.model import ReportWarning

__all__ = ["WarningLog"]

_MAX_DISTINCT = 200


class WarningLog:
    """Counts warnings by (code, message); keeps at most 200 distinct ones."""

    __slots__ = ("_counts",)

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], int] = {}

    def add(self, code: str, message: str, count: int = 1) -> None:
        """Record ``count`` occurrences of the warning ``code`` / ``message``."""
        key = (code, message)
        counts = self._counts
        if key in counts:
            counts[key] += count
        elif len(counts) < _MAX_DISTINCT:
            counts[key] = count
        else:
            overflow = ("report.too-many-warnings", "further distinct warnings were dropped")
            counts[overflow] = counts.get(overflow, 0) + count

    def clear(self) -> None:
        """Forget every warning (used when a parse restarts)."""
        self._counts.clear()

    def freeze(self) -> tuple[ReportWarning, ...]:
        """Return the warnings so far, in the order first seen."""
        return tuple(ReportWarning(code, msg, n) for (code, msg), n in self._counts.items())
