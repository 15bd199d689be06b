"""Redact e-mail addresses in failure reports: the local part becomes ``[redacted]``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["redact_row", "redact_text"]

_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:@]+@(?=[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)")


def redact_text(text: str) -> str:
    """Return ``text`` with the local part of every e-mail address replaced by ``[redacted]``."""
    return _ADDRESS.sub("[redacted]@", text)


def redact_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of ``row`` with addresses redacted in every text value."""
    return {key: redact_text(v) if isinstance(v, str) else v for key, v in row.items()}
