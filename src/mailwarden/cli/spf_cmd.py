"""``mailwarden spf check|eval`` and ``mailwarden conformance spf``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from mailwarden.cli.app import EXIT_ENVIRONMENT, EXIT_FAILED, cli
from mailwarden.cli.conformance_cmd import conformance_group
from mailwarden.cli.render import console, echo_json
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.dns import validate_domain
from mailwarden.errors import InputError
from mailwarden.findings import Severity
from mailwarden.spf import (
    LookupNode,
    SpfLintResult,
    SpfResult,
    SpfResultCode,
    authres_spf_clause,
    check_mail_from,
    client_address,
    lint_spf,
    received_spf_header,
)
from mailwarden.spf.conformance import CaseOutcome, load_scenarios, run_case

__all__ = ["spf_group"]

_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


@cli.group("spf")
def spf_group() -> None:
    """Check a domain's SPF policy or evaluate SPF for a connection."""


@spf_group.command("check")
@click.argument("domain")
@global_options
@pass_settings
def check(settings: Settings, domain: str) -> None:
    """Lint the SPF policy of DOMAIN: lookup tree, limits and findings.

    Exit 0 when no finding is an error, 1 otherwise, 3 when DNS did not answer.
    """
    name = validate_domain(domain)
    result = asyncio.run(lint_spf(name, resolver=settings.resolver()))
    if settings.json:
        echo_json(result)
    else:
        _print_lint(result)
    ctx = click.get_current_context()
    if result.tree is not None and (result.tree.error or "").startswith("DNS error"):
        ctx.exit(EXIT_ENVIRONMENT)
    if any(f.severity is Severity.ERROR for f in result.findings):
        ctx.exit(EXIT_FAILED)


def _print_lint(result: SpfLintResult) -> None:
    out = console()
    out.print(f"SPF policy of {result.domain}", style="bold")
    out.print(f"  {escape(result.record or '(no usable record)')}")
    if result.tree is not None and result.tree.record is not None:
        for line in tree_lines(result.tree):
            out.print(line, markup=False)
    over = result.lookups > result.max_lookups
    void_over = result.void_lookups > result.max_void_lookups
    out.print(
        f"DNS lookups: {result.lookups}/{result.max_lookups}{'  (over the limit)' if over else ''}"
        f"   void lookups: {result.void_lookups}/{result.max_void_lookups}"
        f"{'  (over the limit)' if void_over else ''}   all: {result.all or '(none)'}",
        markup=False,
    )
    if not result.findings:
        out.print("No findings.")
        return
    out.print("Findings:")
    for finding in result.findings:
        style = _SEVERITY_STYLE[finding.severity]
        out.print(
            f"  [{style}]{finding.severity.value:<7}[/] {finding.code}  {escape(finding.message)}"
        )
        if finding.hint:
            out.print(f"           fix: {escape(finding.hint)}")


def tree_lines(
    node: LookupNode, prefix: str = "", last: bool = True, root: bool = True
) -> list[str]:
    """Return the lookup tree drawn with box characters, one line per policy."""
    if root:
        lines = [_label(node)]
    else:
        lines = [f"{prefix}{'└── ' if last else '├── '}{_label(node)}"]
        prefix += "    " if last else "│   "
    for index, child in enumerate(node.children):
        lines.extend(tree_lines(child, prefix, index == len(node.children) - 1, False))
    return lines


def _label(node: LookupNode) -> str:
    name = node.term or node.domain
    if node.error:
        return f"{name}  ({node.error})"
    cost = f"{node.total} lookup{'s' if node.total != 1 else ''}"
    below = node.total - node.lookups
    extra = f" ({node.lookups} here + {below} below)" if below else ""
    void = f", {node.void_lookups} void" if node.void_lookups else ""
    return f"{name}  [{cost}{extra}{void}]"


@spf_group.command("eval")
@click.option("--ip", "ip", required=True, help="Address of the connecting client.")
@click.option("--mail-from", "mail_from", default="", help="MAIL FROM address (empty: HELO).")
@click.option("--helo", default=None, help="HELO/EHLO name the client gave.")
@click.option("--receiver", default="mailwarden", show_default=True, help="Name of this host.")
@click.option("--header", is_flag=True, help="Print Received-SPF and Authentication-Results.")
@click.option("--trace", is_flag=True, help="Print every evaluation step.")
@global_options
@pass_settings
def evaluate(
    settings: Settings,
    ip: str,
    mail_from: str,
    helo: str | None,
    receiver: str,
    header: bool,
    trace: bool,
) -> None:
    """Evaluate SPF for a client IP, MAIL FROM and HELO; print the result and the reason.

    Exit 0 for pass, 1 for any other result, 3 for temperror.
    """
    address = client_address(ip)
    if not mail_from.strip("<> ") and not helo:
        raise InputError("give --mail-from, or --helo for the HELO identity")
    result = asyncio.run(
        check_mail_from(address, mail_from, helo, resolver=settings.resolver(), receiver=receiver)
    )
    headers = _headers(result, receiver) if header else None
    if settings.json:
        payload: dict[str, Any] = {"result": result}
        if headers is not None:
            payload["headers"] = headers
        echo_json(payload)
    else:
        _print_eval(result, headers, trace)
    if result.result is SpfResultCode.TEMPERROR:
        click.get_current_context().exit(EXIT_ENVIRONMENT)
    if result.result is not SpfResultCode.PASS:
        click.get_current_context().exit(EXIT_FAILED)


def _headers(result: SpfResult, receiver: str) -> dict[str, str]:
    return {
        "received_spf": received_spf_header(result, receiver=receiver),
        "authentication_results": f"Authentication-Results: {receiver}; "
        + authres_spf_clause(result, receiver=receiver),
    }


def _print_eval(result: SpfResult, headers: dict[str, str] | None, trace: bool) -> None:
    click.echo(f"result: {result.result.value}")
    click.echo(f"reason: {result.reason}")
    click.echo(f"domain: {result.domain} ({result.identity})")
    if result.mechanism:
        click.echo(f"mechanism: {result.mechanism}")
    if result.explanation:
        click.echo(f"explanation: {result.explanation}")
    click.echo(f"lookups: {result.lookups}/10, void lookups: {result.void_lookups}/2")
    if trace:
        for step in result.trace:
            term = f" {step.term}" if step.term else ""
            click.echo(f"  {'  ' * step.depth}{step.domain}{term}: {step.note}")
    if headers:
        click.echo(headers["received_spf"])
        click.echo(headers["authentication_results"])


@conformance_group.command("spf")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@global_options
@pass_settings
def conformance_spf(settings: Settings, files: tuple[Path, ...]) -> None:
    """Run SPF scenario FILES (YAML: zonedata + tests); print failures and a count line.

    Exit 0 when every test passed, 1 otherwise, 2 for an unreadable file.
    """
    outcomes = asyncio.run(_run_files(files))
    failed = [o for o in outcomes if not o.passed]
    passed = len(outcomes) - len(failed)
    if settings.json:
        echo_json(
            {
                "passed": passed,
                "failed": len(failed),
                "failures": [_failure_row(o) for o in failed],
            }
        )
    else:
        for outcome in failed:
            row = _failure_row(outcome)
            click.echo(
                f"FAIL {row['scenario']} / {row['test']}: expected {row['expected']}, "
                f"got {row['got']} ({row['problem']})"
            )
        click.echo(f"{passed} passed, {len(failed)} failed")
    if failed:
        click.get_current_context().exit(EXIT_FAILED)


async def _run_files(files: tuple[Path, ...]) -> list[CaseOutcome]:
    outcomes: list[CaseOutcome] = []
    for path in files:
        for scenario in load_scenarios(path):
            resolver = scenario.resolver()
            for case in scenario.cases:
                outcomes.append(await run_case(case, resolver))
    return outcomes


def _failure_row(outcome: CaseOutcome) -> dict[str, str]:
    return {
        "scenario": outcome.case.scenario,
        "test": outcome.case.name,
        "expected": "|".join(outcome.case.expected),
        "got": outcome.result.result.value,
        "problem": outcome.problem,
    }
