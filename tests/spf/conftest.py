"""Helpers for the SPF tests: zones from dicts and a one-call check."""

from __future__ import annotations

from typing import Any

from mailwarden.spf import SpfLimits, SpfResult, check_mail_from
from mailwarden.testing import ZoneResolver


def zones(data: dict[str, dict[str, Any]]) -> ZoneResolver:
    """Return a ZoneResolver over ``{name: {TYPE: value}}``."""
    return ZoneResolver.from_dict(data)


async def spf(
    data: dict[str, dict[str, Any]] | ZoneResolver,
    ip: str,
    mail_from: str,
    helo: str = "mail.example.org",
    **limits: Any,
) -> SpfResult:
    """Return check_mail_from over ``data`` with optional ``SpfLimits`` fields."""
    resolver = data if isinstance(data, ZoneResolver) else zones(data)
    return await check_mail_from(ip, mail_from, helo, resolver=resolver, limits=SpfLimits(**limits))
