"""The dashboard's pages as data: each function turns a :class:`View` into a :class:`Page`.

The HTML templates, the JSON API and the CSV export all render these pages, so the three
always show the same figures.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from mailwarden.audit.spf_builder import SpfSuggestion, build_spf
from mailwarden.audit.spf_networks import MAX_RECORD
from mailwarden.dns import ZoneResolver
from mailwarden.store.audits import latest_audits
from mailwarden.store.queries import (
    DayVolume,
    Period,
    PublishedPolicy,
    Rates,
    SourceRow,
    domain_summaries,
    failure_list,
    iter_sources,
    published_policies,
    rates,
    reporters,
    source_rankings,
    sources,
    tls_daily,
    tls_failure_summary,
    tls_list,
    volume,
)
from mailwarden.web.charts import Series, bar_rows, stacked_bars
from mailwarden.web.redact import redact_row
from mailwarden.web.tables import Column, DataTable, rows_of
from mailwarden.web.view import Chart, Page, View

__all__ = ["LEGITIMATE_LIMIT", "PAGES", "READINESS_DAYS", "SOURCE_LIMIT", "spf_for_senders"]

#: Sources listed in a table (the CSV export and the API use ``limit`` to get more).
SOURCE_LIMIT = 50
#: Rows of report lists shown (the CSV export has them all, the API takes ``limit``).
ROW_LIMIT = 100
#: Days the readiness page looks back from the end of the chosen range.
READINESS_DAYS = 30
#: Most sources passing DMARC that the suggested SPF record covers (the busiest first).
LEGITIMATE_LIMIT = 1000


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _policy_text(policy: PublishedPolicy | None) -> str:
    if policy is None or policy.p is None:
        return "unknown"
    pct = "" if policy.pct in (None, 100) else f" pct={policy.pct}"
    return f"p={policy.p}{pct}"


def _volume_chart(title: str, series_days: list[Any]) -> Chart:
    days = [v.day for v in series_days]
    series = [
        Series("DMARC pass", "pass", tuple(v.passed for v in series_days)),
        Series("fail, delivered", "fail", tuple(v.failed_delivered for v in series_days)),
        Series("fail, quarantined", "quarantine", tuple(v.quarantined for v in series_days)),
        Series("fail, rejected", "reject", tuple(v.rejected for v in series_days)),
    ]
    data = [
        {
            "day": v.day.isoformat(),
            "pass": v.passed,
            "fail_delivered": v.failed_delivered,
            "quarantined": v.quarantined,
            "rejected": v.rejected,
        }
        for v in series_days
    ]
    return Chart("volume", title, stacked_bars(title, days, series), data)


OVERVIEW_COLUMNS = (
    Column("domain", "Domain", link="/domain?domain={domain}"),
    Column("messages", "Messages", "int"),
    Column("dmarc_pass", "DMARC pass", "int"),
    Column("dmarc_pass_rate", "Pass rate", "pct"),
    Column("trend", "Daily pass rate", "spark"),
    Column("policy", "Published policy"),
    Column("verdict", "Audit verdict", "verdict"),
)


def overview(view: View) -> Page:
    """Return the overview: per domain messages, pass rate, trend, policy and audit verdict."""
    engine = view.store.engine
    summaries = domain_summaries(engine, view.period, view.domain)
    policies = published_policies(engine, [s.domain for s in summaries])
    audits = {a.domain: a for a in latest_audits(engine)}
    rows = [
        {
            "domain": s.domain,
            "messages": s.messages,
            "dmarc_pass": s.dmarc_pass,
            "dmarc_pass_rate": _share(s.dmarc_pass, s.messages),
            "trend": [_share(v.passed, v.total) for v in s.trend],
            "policy": _policy_text(policies.get(s.domain)),
            "verdict": audits[s.domain].verdict if s.domain in audits else None,
        }
        for s in summaries
    ]
    page = Page("overview", "Overview")
    page.tables.append(DataTable("domains", "Domains", OVERVIEW_COLUMNS, rows))
    page.charts.append(_volume_chart("Messages per day by DMARC result", _total(summaries, view)))
    return page


def _total(summaries: list[Any], view: View) -> list[DayVolume]:
    """Return the daily volume of all ``summaries`` together."""
    return [
        DayVolume(
            day,
            sum(s.trend[i].passed for s in summaries),
            sum(s.trend[i].failed_delivered for s in summaries),
            sum(s.trend[i].quarantined for s in summaries),
            sum(s.trend[i].rejected for s in summaries),
        )
        for i, day in enumerate(view.period.days())
    ]


def _source_row(source: SourceRow) -> dict[str, Any]:
    """Return ``source`` as a row of :data:`SOURCE_COLUMNS` (pass rates, DMARC failures)."""
    values = _source_values(*dataclasses.astuple(source))
    return dict(zip(SOURCE_KEYS, values, strict=True))


def _source_values(
    ip: str,
    name: str | None,
    base_domain: str | None,
    country: str | None,
    asn: int | None,
    as_org: str | None,
    messages: int,
    spf_pass: int,
    dkim_pass: int,
    dmarc_pass: int,
    quarantined: int,
    rejected: int,
) -> tuple[Any, ...]:
    """Return the values of :data:`SOURCE_COLUMNS` from the fields of a :class:`SourceRow`."""
    return (
        ip,
        name,
        base_domain,
        country,
        asn,
        as_org,
        messages,
        *_pass_rates(messages, spf_pass, dkim_pass, dmarc_pass),
        messages - dmarc_pass,
        quarantined,
        rejected,
    )


@functools.lru_cache(maxsize=4096)
def _pass_rates(messages: int, *passes: int) -> tuple[float | None, ...]:
    """Return each of ``passes`` as a share of ``messages`` (the long tail of one-message
    sources repeats the same few, hence the cache)."""
    if not messages:
        return (None,) * len(passes)
    return tuple(round(n / messages, 4) for n in passes)


def _source_rows(found: list[SourceRow]) -> list[dict[str, Any]]:
    return [_source_row(source) for source in found]


SOURCE_COLUMNS = (
    Column("source_ip", "Source IP", "mono"),
    Column("name", "Reverse DNS"),
    Column("base_domain", "Base domain"),
    Column("country", "Country"),
    Column("asn", "ASN", "int"),
    Column("as_org", "AS organisation"),
    Column("messages", "Messages", "int"),
    Column("spf_pass_rate", "SPF aligned", "pct"),
    Column("dkim_pass_rate", "DKIM aligned", "pct"),
    Column("dmarc_pass_rate", "DMARC pass", "pct"),
    Column("dmarc_fail", "DMARC fail", "int"),
    Column("quarantined", "Quarantined", "int"),
    Column("rejected", "Rejected", "int"),
)

#: The keys of :data:`SOURCE_COLUMNS`, in order.
SOURCE_KEYS = tuple(c.key for c in SOURCE_COLUMNS)

REPORTER_COLUMNS = (
    Column("org_name", "Reporter"),
    Column("reports", "Reports", "int"),
    Column("messages", "Messages", "int"),
)


def _newest(found: list[Any]) -> str:
    if len(found) < ROW_LIMIT:
        return ""
    return f"The newest {len(found)} are shown; Export CSV has them all."


def _top(found: list[Any], limit: int) -> str:
    if len(found) < limit:
        return ""
    return f"The top {len(found)} are shown; Export CSV has every source."


def _limit(view: View, default: int) -> int:
    try:
        return max(1, min(int(view.params.get("limit", default)), 100_000))
    except ValueError:
        return default


def _rates_chart(found: Rates) -> Chart:
    rows = [
        ("DMARC pass", found.share(found.dmarc_pass)),
        ("DKIM aligned pass", found.share(found.dkim_pass)),
        ("SPF aligned pass", found.share(found.spf_pass)),
    ]
    data = {"messages": found.messages, **{label: share for label, share in rows}}
    return Chart("rates", "Aligned pass rates", bar_rows("Aligned pass rates", rows), data)


def domain(view: View) -> Page:
    """Return one domain: volume by DMARC result, aligned pass rates, sources and reporters."""
    page = Page("domain", f"Domain {view.domain}" if view.domain else "Domain")
    if not view.domain:
        page.message = "Choose a domain in the filter above."
        return page
    engine, period, name = view.store.engine, view.period, view.domain
    limit = _limit(view, SOURCE_LIMIT)
    wanted = view.params.get("table")
    if wanted in ("sources", "failing_sources"):  # a CSV export streams only this table
        ranking = "volume" if wanted == "sources" else "failing"

        def stream() -> Iterator[tuple[Any, ...]]:
            found = iter_sources(engine, period, name, ranking=ranking)
            return (_source_values(*values) for values in islice(found, limit))

        page.tables.append(DataTable(wanted, wanted, SOURCE_COLUMNS, stream=stream))
        return page
    page.charts.append(
        _volume_chart("Messages per day by DMARC result", volume(engine, period, name))
    )
    found = rates(engine, period, name)
    page.charts.append(_rates_chart(found))
    page.data["rates"] = {
        "messages": found.messages,
        "dkim_aligned_pass_rate": found.share(found.dkim_pass),
        "spf_aligned_pass_rate": found.share(found.spf_pass),
        "dmarc_pass_rate": found.share(found.dmarc_pass),
    }
    page.data["policy"] = _policy_text(published_policies(engine, [name]).get(name))
    top, failing = source_rankings(engine, period, name, limit=limit)
    page.tables += [
        DataTable("sources", "Top sources", SOURCE_COLUMNS, _source_rows(top), _top(top, limit)),
        DataTable(
            "failing_sources",
            "Failing sources",
            SOURCE_COLUMNS,
            _source_rows(failing),
            _top(failing, limit),
        ),
        DataTable(
            "reporters", "Reporters", REPORTER_COLUMNS, rows_of(reporters(engine, period, name))
        ),
    ]
    return page


def next_step(policy: PublishedPolicy | None) -> str:
    """Return the next DMARC policy step after ``policy`` (``p=quarantine``, ``p=reject`` ...)."""
    word = policy.p if policy is not None else None
    full = policy is None or policy.pct in (None, 100)
    if word in (None, "none"):
        return "p=quarantine"
    if word == "quarantine":
        return "p=reject" if full else "p=quarantine pct=100"
    return "p=reject pct=100" if not full else "none: p=reject is the last step"


def _looks_legitimate(source: SourceRow, domain: str) -> bool:
    """Return True for a failing source that also passes sometimes, or is named in ``domain``."""
    base = (source.base_domain or "").lower()
    return source.dmarc_pass > 0 or (bool(base) and (base == domain or domain.endswith("." + base)))


def _verdict(messages: int, at_risk: int) -> str:
    if not messages:
        return "no data"
    share = at_risk / messages
    if share <= 0.001:
        return "ready"
    return "almost: fix the senders marked yours first" if share <= 0.02 else "not ready"


AFFECTED_COLUMNS = (
    *SOURCE_COLUMNS[:7],
    Column("dmarc_fail", "DMARC fail", "int"),
    Column("dmarc_pass_rate", "DMARC pass", "pct"),
    Column("assessment", "Assessment"),
)


def spf_for_senders(domain: str, addresses: list[str]) -> SpfSuggestion:
    """Return the record builder's SPF record for ``domain`` covering ``addresses`` (built
    offline: address terms need no DNS lookup)."""
    return asyncio.run(build_spf(domain, resolver=ZoneResolver(), addresses=addresses))


def readiness(view: View) -> Page:
    """Return what the next policy step would do over the last 30 days of the range."""
    page = Page("readiness", f"Readiness of {view.domain}" if view.domain else "Readiness")
    if not view.domain:
        page.message = "Choose a domain in the filter above."
        return page
    engine, name = view.store.engine, view.domain
    window = Period(view.period.end - dt.timedelta(days=READINESS_DAYS - 1), view.period.end)
    policy = published_policies(engine, [name]).get(name)
    found = rates(engine, window, name)
    share = found.share(found.dmarc_pass)
    failing = sources(engine, window, name, failing=True, limit=_limit(view, SOURCE_LIMIT))
    at_risk = sum(s.dmarc_fail for s in failing if _looks_legitimate(s, name))
    legitimate = sources(engine, window, name, passing=True, limit=LEGITIMATE_LIMIT)
    suggestion = spf_for_senders(name, [s.source_ip for s in legitimate])
    step = next_step(policy)
    page.data.update(
        {
            "window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
            "policy": _policy_text(policy),
            "next_step": step,
            "messages": found.messages,
            "aligned_pass_messages": found.dmarc_pass,
            "aligned_pass_share": None if share is None else round(share, 4),
            "affected_messages": found.messages - found.dmarc_pass,
            "legitimate_at_risk_messages": at_risk,
            "verdict": _verdict(found.messages, at_risk),
            "legitimate_sources": len(legitimate),
            "spf_record": suggestion.record,
            "spf_record_widened": suggestion.widened,
            "spf_record_too_long": len(suggestion.record) > MAX_RECORD,
        }
    )
    page.charts.append(_rates_chart(found))
    rows = _source_rows(failing)
    for row, source in zip(rows, failing, strict=True):
        row["assessment"] = (
            "yours? passes sometimes or is named in the domain: fix it"
            if _looks_legitimate(source, name)
            else "never passes: spoofing or an unknown sender"
        )
    last = step.startswith("none")
    title = "Sources failing DMARC" if last else f"Sources {step} would quarantine or reject"
    note = "Messages from these sources failed DMARC in the window" + (
        "." if last else ": the next step would quarantine or reject them."
    )
    page.tables.append(DataTable("affected_sources", title, AFFECTED_COLUMNS, rows, note))
    page.template = "readiness.html"
    return page


FAILURE_COLUMNS = (
    Column("id", "#", "int", link="/failures/{id}"),
    Column("arrival", "Arrival"),
    Column("reporter", "Reporter"),
    Column("domain", "Domain"),
    Column("source_ip", "Source IP", "mono"),
    Column("auth_failure", "Failure"),
    Column("feedback_type", "Type"),
    Column("original_mail_from", "Mail from"),
    Column("original_rcpt_to", "Rcpt to"),
    Column("delivery_result", "Delivery"),
)


def failures(view: View) -> Page:
    """Return the failure reports of the range, newest first (addresses redacted on request)."""
    found = failure_list(view.store.engine, view.period, view.domain, limit=_limit(view, ROW_LIMIT))
    rows = rows_of(found)
    if view.redact:
        rows = [redact_row(row) for row in rows]
    page = Page("failures", "Failure reports")
    page.tables.append(
        DataTable("failures", "Failure reports", FAILURE_COLUMNS, rows, _newest(found))
    )
    return page


TLS_COLUMNS = (
    Column("org_name", "Reporter"),
    Column("domain", "Domain"),
    Column("begin", "Begin"),
    Column("end", "End"),
    Column("policies", "Policies"),
    Column("successful_sessions", "Successful", "int"),
    Column("failed_sessions", "Failed", "int"),
    Column("report_id", "Report id", "mono"),
)

TLS_FAILURE_COLUMNS = (
    Column("result_type", "Result type"),
    Column("receiving_mx_hostname", "Receiving MX"),
    Column("sending_mta_ip", "Sending MTA", "mono"),
    Column("failed_sessions", "Failed sessions", "int"),
)


def tls(view: View) -> Page:
    """Return the SMTP TLS reports of the range and their failures by type."""
    engine = view.store.engine
    found = tls_list(engine, view.period, view.domain, limit=_limit(view, ROW_LIMIT))
    sessions = tls_daily(engine, view.period, view.domain)
    days = list(sessions)
    series = [
        Series("successful", "pass", tuple(good for good, _ in sessions.values())),
        Series("failed", "reject", tuple(bad for _, bad in sessions.values())),
    ]
    title = "TLS sessions per day"
    data = [{"day": d.isoformat(), "successful": g, "failed": b} for d, (g, b) in sessions.items()]
    page = Page("tls", "SMTP TLS reports")
    page.charts.append(Chart("sessions", title, stacked_bars(title, days, series), data))
    failures_found = tls_failure_summary(engine, view.period, view.domain)
    page.tables += [
        DataTable("tls_failures", "Failures by type", TLS_FAILURE_COLUMNS, rows_of(failures_found)),
        DataTable("tls_reports", "Reports", TLS_COLUMNS, rows_of(found), _newest(found)),
    ]
    return page


FINDING_COLUMNS = (
    Column("domain", "Domain", link="/domain?domain={domain}"),
    Column("checked_at", "Checked"),
    Column("verdict", "Verdict", "verdict"),
    Column("severity", "Severity", "verdict"),
    Column("code", "Code", "mono"),
    Column("message", "Finding"),
    Column("hint", "Hint", "mono"),
)


def findings(view: View) -> Page:
    """Return the latest ``check`` findings of each domain (of the chosen one)."""
    wanted = [view.domain] if view.domain else None
    audits = latest_audits(view.store.engine, wanted)
    rows = []
    for audit in audits:
        base = {"domain": audit.domain, "checked_at": audit.checked_at, "verdict": audit.verdict}
        rows += [
            {**base, "severity": f.severity, "code": f.code, "message": f.message, "hint": f.hint}
            for f in audit.findings
        ] or [{**base, "severity": None, "code": None, "message": "no findings", "hint": None}]
    page = Page("findings", "Check findings")
    note = "" if audits else "No audit stored yet: run mailwarden check and store its results."
    page.tables.append(
        DataTable("findings", "Latest findings per domain", FINDING_COLUMNS, rows, note)
    )
    return page


QUARANTINE_COLUMNS = (
    Column("id", "#", "int", link="/quarantine/{id}"),
    Column("received_at", "Received"),
    Column("source", "Source"),
    Column("reason", "Reason"),
    Column("size", "Bytes", "int"),
    Column("status", "Status"),
)


def quarantine(view: View) -> Page:
    """Return the inputs kept in the quarantine because they could not be parsed."""
    show_all = view.params.get("all", "") in ("1", "on", "true")
    entries = view.store.quarantine_entries(include_resolved=show_all)
    page = Page("quarantine", "Quarantine")
    page.tables.append(
        DataTable("quarantine", "Unparsed input", QUARANTINE_COLUMNS, rows_of(entries))
    )
    return page


PAGES: dict[str, tuple[str, Callable[[View], Page]]] = {
    "overview": ("Overview", overview),
    "domain": ("Domain", domain),
    "readiness": ("Readiness", readiness),
    "failures": ("Failure reports", failures),
    "tls": ("SMTP TLS", tls),
    "findings": ("Check findings", findings),
    "quarantine": ("Quarantine", quarantine),
}
