"""Plain stand-ins for SPF and DKIM results: DMARC only needs their shapes."""

from __future__ import annotations

from dataclasses import dataclass

from mailwarden.testing import ZoneResolver


@dataclass(frozen=True)
class Spf:
    """An SPF result of the shape DMARC takes."""

    result: str
    domain: str


@dataclass(frozen=True)
class Dkim:
    """A DKIM signature result of the shape DMARC takes."""

    result: str
    domain: str
    selector: str = "s1"


def zone(records: dict[str, str | list[str]], **extra: dict[str, object]) -> ZoneResolver:
    """Return a resolver with TXT ``records`` (name -> text or texts) and ``extra`` entries."""
    data: dict[str, dict[str, object]] = {}
    for name, texts in records.items():
        values = texts if isinstance(texts, list) else [texts]
        data[name] = {"TXT": [[v] for v in values]}
    for name, entry in extra.items():
        data.setdefault(name, {}).update(entry)
    return ZoneResolver.from_dict(data)
