"""Results of ``mailwarden check`` kept in the store, so the dashboard shows the latest per domain.

One row per audit run and domain: the overall verdict, the published DMARC policy, the findings
and the whole ``check --json`` object. The table is created when missing (``CREATE TABLE IF
NOT EXISTS``) in its own metadata; it is small and append-only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Index,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from mailwarden.errors import StorageError
from mailwarden.store.dashboard import create_once
from mailwarden.store.dberrors import describe_db_error
from mailwarden.store.schema import Key

__all__ = [
    "AuditFinding",
    "AuditRecord",
    "audit_metadata",
    "audit_results",
    "latest_audits",
    "record_audit",
]

audit_metadata = MetaData()

audit_results = Table(
    "audit_results",
    audit_metadata,
    Column("id", Key, primary_key=True, autoincrement=True),
    Column("domain", String(255), nullable=False),
    Column("checked_at", DateTime(), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("dmarc_policy", String(32)),
    Column("findings", Text, nullable=False, server_default="[]"),
    Column("result", Text, nullable=False, server_default="{}"),
    Index("ix_audit_results_domain_checked_at", "domain", "checked_at"),
)

_RANK = {"fail": 2, "warn": 1, "pass": 0}


@dataclass(frozen=True, slots=True)
class AuditFinding:
    """One finding of a stored audit: stable code, severity, message and hint."""

    code: str
    severity: str
    message: str
    hint: str = ""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """The latest stored audit of one domain."""

    domain: str
    checked_at: dt.datetime
    verdict: str
    dmarc_policy: str | None
    findings: tuple[AuditFinding, ...]


def _ensure(engine: Engine) -> None:
    create_once(engine, audit_metadata)


def overall_verdict(result: Mapping[str, Any]) -> str:
    """Return the worst of the per-area ``verdicts`` of a ``check --json`` object (``pass``)."""
    verdicts = result.get("verdicts") or {}
    words = [str(v) for v in verdicts.values()] if isinstance(verdicts, Mapping) else []
    if result.get("error_class"):
        words.append("fail")
    return max(words, key=lambda w: _RANK.get(w, 0), default="pass")


def record_audit(engine: Engine, result: Mapping[str, Any], checked_at: dt.datetime) -> None:
    """Store one domain's ``check --json`` object (with ``domain``); raise ``StorageError``."""
    findings = result.get("findings") or []
    dmarc = result.get("dmarc") or {}
    row = {
        "domain": str(result["domain"]).lower().rstrip("."),
        "checked_at": checked_at.replace(tzinfo=None, microsecond=0),
        "verdict": overall_verdict(result),
        "dmarc_policy": dmarc.get("policy") if isinstance(dmarc, Mapping) else None,
        "findings": json.dumps(findings, ensure_ascii=False),
        "result": json.dumps(result, ensure_ascii=False, default=str),
    }
    try:
        _ensure(engine)
        with engine.begin() as connection:
            connection.execute(insert(audit_results), row)
    except SQLAlchemyError as error:
        raise StorageError(
            f"cannot store the audit of {row['domain']}: {describe_db_error(error)}"
        ) from error


def latest_audits(engine: Engine, domains: Sequence[str] | None = None) -> list[AuditRecord]:
    """Return the newest stored audit of each domain (of ``domains`` when given), by domain.

    Raises ``StorageError`` when the database fails.
    """
    a = audit_results.c
    newest = select(a.domain, func.max(a.checked_at).label("at")).group_by(a.domain)
    if domains is not None:
        newest = newest.where(a.domain.in_(list(domains)))
    latest = newest.subquery()
    query = (
        select(a.domain, a.checked_at, a.verdict, a.dmarc_policy, a.findings, a.id)
        .join(latest, (a.domain == latest.c.domain) & (a.checked_at == latest.c.at))
        .order_by(a.domain, a.id.desc())
    )
    try:
        _ensure(engine)
        with engine.connect() as connection:
            rows = list(connection.execute(query))
    except SQLAlchemyError as error:
        raise StorageError(f"cannot read stored audits: {describe_db_error(error)}") from error
    found: dict[str, AuditRecord] = {}
    for domain, checked_at, verdict, policy, findings, _key in rows:
        if domain not in found:
            found[domain] = AuditRecord(domain, checked_at, verdict, policy, _findings(findings))
    return list(found.values())


def _findings(text: str) -> tuple[AuditFinding, ...]:
    try:
        items = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(
        AuditFinding(
            str(item.get("code", "")),
            str(item.get("severity", "")),
            str(item.get("message", "")),
            str(item.get("hint", "") or ""),
        )
        for item in items
        if isinstance(item, dict)
    )
