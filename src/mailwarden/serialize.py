"""One serializer from results to JSON-ready values, shared by the CLI, the web API, the store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import ipaddress
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["dumps", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Return ``value`` as JSON-ready data (dicts, lists, strings, numbers, booleans, None).

    Dataclasses become dicts of their fields, enums their values, datetimes ISO 8601 strings
    (UTC with a ``Z`` when aware), bytes are decoded as UTF-8 with replacement, IP addresses and
    networks their text form; tuples, lists, sets and frozensets become lists.
    Raises ``TypeError`` for anything else that JSON cannot represent.
    """
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, enum.Enum):
            return value.value
        return value
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((to_jsonable(v) for v in value), key=repr)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(
        value,
        ipaddress.IPv4Address
        | ipaddress.IPv6Address
        | ipaddress.IPv4Network
        | ipaddress.IPv6Network,
    ):
        return str(value)
    raise TypeError(f"cannot serialize {type(value).__name__} to JSON")


def dumps(value: Any, *, indent: int | None = None) -> str:
    """Return ``value`` serialized as a JSON string (see :func:`to_jsonable`)."""
    return json.dumps(to_jsonable(value), indent=indent, ensure_ascii=False)
