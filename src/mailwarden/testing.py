"""Public helpers for testing code that uses mailwarden: an in-memory resolver and a fixed clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mailwarden.dns.zones import ZoneResolver

__all__ = ["FixedClock", "ZoneResolver"]


@dataclass
class FixedClock:
    """A clock that stands still until moved; call it for the current time (aware, UTC)."""

    now: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self.now += dt.timedelta(seconds=seconds)
