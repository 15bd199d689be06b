"""``mailwarden report parse``: read DMARC aggregate, failure and SMTP TLS reports."""

from __future__ import annotations

import csv as csvlib
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

import click

from mailwarden.cli.app import EXIT_USAGE, cli
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.errors import InputError
from mailwarden.inputs import read_input
from mailwarden.reports import (
    AggregateRecord,
    AggregateStream,
    FailureReport,
    InvalidReport,
    Limits,
    ReportItem,
    TlsReport,
    open_reports,
)
from mailwarden.serialize import to_jsonable

__all__ = ["report_group"]

CSV_COLUMNS = (
    "type",
    "file",
    "org_name",
    "report_id",
    "begin",
    "end",
    "domain",
    "source_ip",
    "count",
    "disposition",
    "dkim",
    "spf",
    "header_from",
    "envelope_from",
    "envelope_to",
    "reasons",
    "dkim_results",
    "spf_results",
)


@cli.group("report")
def report_group() -> None:
    """Read DMARC aggregate, DMARC failure and SMTP TLS reports."""


@report_group.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--csv", "as_csv", is_flag=True, help="Print one CSV row per record.")
@global_options
@pass_settings
def parse(settings: Settings, files: tuple[str, ...], as_csv: bool) -> None:
    """Parse report FILEs (XML, JSON, gzip, zip, base64 or mail; - for standard input) and
    print every report.

    --json prints one JSON object per report per line; --csv one row per record. A file
    that cannot be parsed is named on stderr with the reason, the others are still
    printed, and the exit code is 2.
    """
    if as_csv and settings.json:
        raise click.UsageError("--json and --csv cannot be combined")
    out = sys.stdout
    writer = csvlib.writer(out, lineterminator="\n") if as_csv else None
    if writer is not None:
        writer.writerow(CSV_COLUMNS)
    failed = 0
    for name in files:
        try:
            data, source = _input(name)
            for item in open_reports(data, source=source):
                if writer is not None:
                    writer.writerows(_csv_rows(item, name))
                elif settings.json:
                    _write_json(out, item)
                else:
                    _write_text(out, item)
        except (InvalidReport, InputError) as error:
            failed += 1
            click.echo(f"mailwarden: error: {error}", err=True)
        except OSError as error:
            failed += 1
            click.echo(f"mailwarden: error: {name}: {error.strerror or error}", err=True)
        except Exception as error:  # a parser bug must not hide the other files' reports
            failed += 1
            click.echo(f"mailwarden: error: {name}: cannot parse ({error!r})", err=True)
    if failed:
        click.get_current_context().exit(EXIT_USAGE)


def _input(name: str) -> tuple[bytes | str, str]:
    """Return what ``open_reports`` reads for the command-line argument ``name`` and how to
    name it: the path itself, or for ``-`` the bytes of standard input (``InputError`` past
    the raw-input bound)."""
    if name != "-":
        return name, name
    return read_input("-", limit=Limits().max_input_bytes, stdin=True), "standard input"


# JSON -------------------------------------------------------------------------------------


def _head(item: ReportItem) -> dict[str, Any]:
    if isinstance(item, AggregateStream):
        meta, policy = item.metadata, item.policy
        head: dict[str, Any] = {
            "type": "aggregate",
            "org_name": meta.org_name,
            "report_id": meta.report_id,
            "begin": meta.begin,
            "end": meta.end,
            "domain": policy.domain,
            "policy": {k: v for k, v in to_jsonable(policy).items() if k != "domain"},
            "email": meta.email,
            "extra_contact_info": meta.extra_contact_info,
            "generator": meta.generator,
            "errors": meta.errors,
            "schema": item.schema,
        }
    else:
        identity = item.identity
        head = {
            "type": identity.kind,
            "org_name": identity.org_name,
            "report_id": identity.report_id,
            "begin": identity.begin,
            "end": identity.end,
            "domain": identity.domain,
            "policy": {},
        }
        body = to_jsonable(item)
        body.pop("warnings", None)
        head.update((k, v) for k, v in body.items() if k not in head)
    head["source"] = item.source
    return to_jsonable(head)  # type: ignore[no-any-return]


def _record_json(record: AggregateRecord) -> dict[str, Any]:
    """Return the JSON form of one aggregate record (the ``records`` entries of --json)."""
    return {
        "source_ip": record.source_ip,
        "count": record.count,
        "disposition": record.disposition,
        "dkim": record.dkim,
        "spf": record.spf,
        "reasons": [{"type": r.type, "comment": r.comment} for r in record.reasons],
        "header_from": record.header_from,
        "envelope_from": record.envelope_from,
        "envelope_to": record.envelope_to,
        "auth_results": {
            "dkim": [_auth(a, "selector") for a in record.auth_results if a.method == "dkim"],
            "spf": [_auth(a, "scope") for a in record.auth_results if a.method == "spf"],
        },
        "extensions": [list(pair) for pair in record.extensions],
    }


def _auth(result: Any, key: str) -> dict[str, Any]:
    return {
        "domain": result.domain,
        key: getattr(result, key),
        "result": result.result,
        "human_result": result.human_result,
    }


def _write_json(out: TextIO, item: ReportItem) -> None:
    """Write one report as one line, streaming aggregate records as they are parsed."""
    head = _head(item)
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [')
    error: InvalidReport | None = None
    if isinstance(item, AggregateStream):
        try:
            for index, record in enumerate(item.records()):
                out.write(("," if index else "") + json.dumps(_record_json(record)))
        except InvalidReport as exc:
            error = exc
    warnings = json.dumps(to_jsonable(item.warnings), ensure_ascii=False)
    tail = f', "error": {json.dumps(error.reason)}' if error else ""
    out.write(f'], "warnings": {warnings}{tail}}}\n')
    if error is not None:
        raise error


# CSV --------------------------------------------------------------------------------------


def _csv_rows(item: ReportItem, name: str) -> Iterator[list[Any]]:
    identity = item.identity
    common = [
        identity.kind.value,
        item.source or name,
        identity.org_name,
        identity.report_id,
        _iso(identity.begin),
        _iso(identity.end),
        identity.domain,
    ]
    if isinstance(item, AggregateStream):
        for r in item.records():
            yield [*common, *_record_cells(r)]
    elif isinstance(item, FailureReport):
        yield [*common, item.source_ip or "", 1, item.delivery_result or "", "", "", ""]
    else:
        yield from _tls_rows(item, common)


def _record_cells(r: AggregateRecord) -> list[Any]:
    return [
        r.source_ip,
        r.count,
        r.disposition,
        r.dkim,
        r.spf,
        r.header_from,
        r.envelope_from or "",
        r.envelope_to or "",
        " ".join(f"{x.type}:{x.comment or ''}".rstrip(":") for x in r.reasons),
        " ".join(f"{a.domain}:{a.selector or ''}:{a.result}" for a in r.dkim_results),
        " ".join(f"{a.domain}:{a.scope or ''}:{a.result}" for a in r.spf_results),
    ]


def _tls_rows(item: TlsReport, common: list[Any]) -> Iterator[list[Any]]:
    for policy in item.policies:
        row = [*common[:6], policy.policy_domain]
        for d in policy.failure_details:
            yield [*row, d.sending_mta_ip or "", d.failed_session_count, d.result_type]
        if not policy.failure_details:
            yield [*row, "", policy.successful_session_count, policy.policy_type]


def _iso(value: Any) -> str:
    return str(to_jsonable(value)) if value is not None else ""


# text -------------------------------------------------------------------------------------


def _write_text(out: TextIO, item: ReportItem) -> None:
    identity = item.identity
    period = f"{_iso(identity.begin)} .. {_iso(identity.end)}"
    if isinstance(item, AggregateStream):
        records = messages = 0
        for r in item.records():
            records += 1
            messages += r.count
        summary = f"{records} records, {messages} messages"
    elif isinstance(item, FailureReport):
        summary = f"source {item.source_ip or '?'}, auth failure {','.join(item.auth_failure)}"
    else:
        summary = f"{len(item.policies)} policies"
    out.write(
        f"{identity.kind.value} {identity.org_name} {identity.report_id} "
        f"domain {identity.domain} {period}: {summary}\n"
    )
    for w in item.warnings:
        out.write(f"  warning {w.code} ({w.count}x): {w.message}\n")
