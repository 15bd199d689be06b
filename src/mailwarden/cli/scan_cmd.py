"""``mailwarden scan``: survey a list of domains into a resumable JSON Lines file."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import click

from mailwarden.audit.distributed import ResolverSpec
from mailwarden.audit.domain import AuditOptions
from mailwarden.audit.domainlist import parse_domain_list
from mailwarden.audit.scan import (
    ScanConfig,
    ScanCounters,
    bulk_gc,
    completed_domains,
    scan_domains,
)
from mailwarden.cli.app import EXIT_USAGE, cli
from mailwarden.cli.check_cmd import no_nxdomain_cut_option, parse_checks, parse_selectors
from mailwarden.cli.render import err_console
from mailwarden.cli.settings import FiniteFloatRange, Settings, global_options, pass_settings
from mailwarden.dns import FastResolver, Resolver
from mailwarden.dns.throttle import ThrottledResolver
from mailwarden.errors import InputError
from mailwarden.inputs import MAX_LIST_BYTES, read_input

__all__ = ["scan"]

EXIT_INTERRUPTED = 130


@cli.command("scan")
@click.argument("domains_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Results file, one JSON object per domain (the `check --json` schema).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Domains checked at once (each domain's lookups go one after another).",
)
@click.option("--qps", type=FiniteFloatRange(min=1), help="Cap on DNS queries per second.")
@click.option("--checks", "checks_value", help="Areas to check, comma-separated (default: all).")
@click.option("--selectors", help="DKIM selectors to probe, comma-separated.")
@click.option(
    "--deadline",
    type=FiniteFloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds one domain may take before it is recorded as `deadline`.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=1,
    show_default=True,
    help="Retries of a domain whose lookups timed out or failed.",
)
@click.option("--resume", is_flag=True, help="Skip domains already in the results file and append.")
@click.option("--overwrite", is_flag=True, help="Replace an existing results file.")
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Worker processes on this machine (use one per core to use them all).",
)
@click.option(
    "--dask",
    "dask_address",
    metavar="SCHEDULER_ADDRESS",
    help="Partition the list across a dask.distributed cluster.",
)
@no_nxdomain_cut_option
@global_options
@pass_settings
def scan(
    settings: Settings,
    domains_file: Path,
    out_path: Path,
    concurrency: int,
    qps: float | None,
    checks_value: str | None,
    selectors: str | None,
    deadline: float,
    retries: int,
    resume: bool,
    overwrite: bool,
    workers: int,
    dask_address: str | None,
    no_nxdomain_cut: bool,
) -> None:
    """Check every domain in DOMAINS_FILE (one a line, or `rank,domain` CSV) into --out.

    Each finished domain is written at once, so an interrupt (Ctrl-C, SIGTERM) leaves a valid
    file that --resume continues. Exit 0 when done, 2 for unusable input, 130 when interrupted.
    """
    text = read_input(domains_file, limit=MAX_LIST_BYTES).decode("utf-8", errors="replace")
    listing = parse_domain_list(text.splitlines())
    for problem in listing.problems:
        err_console().print(f"mailwarden: {domains_file}: {problem} (skipped)", markup=False)
    if out_path.exists() and out_path.samefile(domains_file):
        raise InputError(f"--out {out_path} is the domains file itself: choose another file")
    if out_path.exists() and out_path.stat().st_size and not (resume or overwrite):
        raise InputError(
            f"{out_path} exists: use --resume to continue it or --overwrite to replace it"
        )
    done = completed_domains(out_path) if resume else set()
    todo = [d for d in listing.domains if d not in done]
    config = ScanConfig(
        concurrency,
        deadline,
        retries,
        options=AuditOptions(
            parse_checks(checks_value),
            parse_selectors(selectors),
            nxdomain_cut=not no_nxdomain_cut,
            parallel=False,  # the domains in flight overlap their lookups already
        ),
    )
    spec = ResolverSpec(
        tuple(settings.nameservers), tuple(settings.zones), settings.live, settings.timeout, qps
    )
    if dask_address or workers > 1:
        with bulk_gc():
            _scan_partitioned(todo, spec, config, out_path, resume, dask_address, workers)
        return
    inner, client = spec.build(max_in_flight=max(256, concurrency * 4))
    resolver, queries = _counted(inner, client)
    with _open_results(out_path, resume) as out:
        try:
            with bulk_gc():
                interrupted, counters = asyncio.run(
                    _run(todo, resolver, queries, out, config, skipped=len(done))
                )
        finally:
            if client is not None:
                client.close()
    sent = queries()
    _summary(counters.done, sent, counters.started, counters.errors)
    if interrupted:
        err_console().print(
            f"mailwarden: interrupted; {out_path} holds every finished domain: "
            "rerun with --resume to continue",
            markup=False,
        )
        click.get_current_context().exit(EXIT_INTERRUPTED)
    if listing.problems and not todo:
        click.get_current_context().exit(EXIT_USAGE)


def _counted(inner: Resolver, client: FastResolver | None) -> tuple[Resolver, Callable[[], int]]:
    """Return the resolver to scan with and a function giving the DNS queries sent so far: the
    client's count, or with zone files only (no client) a counting wrapper's."""
    if client is not None:
        return inner, lambda: client.queries_sent
    counter = ThrottledResolver(inner)
    return counter, lambda: counter.queries


async def _run(
    todo: list[str],
    resolver: Resolver,
    queries: Callable[[], int],
    out: IO[str],
    config: ScanConfig,
    *,
    skipped: int,
) -> tuple[bool, ScanCounters]:
    """Scan ``todo``; return whether a signal interrupted it, and the counters."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, task.cancel)
    counters = ScanCounters(started=time.monotonic())
    progress = _progress(len(todo), skipped)
    try:
        with progress:
            task_id = progress.add_task("scan", total=len(todo), rate="", errors=0)

            def update(_audit: object) -> None:
                elapsed = max(time.monotonic() - counters.started, 1e-6)
                progress.update(
                    task_id,
                    completed=counters.done,
                    rate=f"{counters.done / elapsed:,.0f} dom/s {queries() / elapsed:,.0f} q/s",
                    errors=counters.errors,
                )

            on_result = None if isinstance(progress, _NoProgress) else update

            await scan_domains(
                todo,
                resolver=resolver,
                out=out,
                config=config,
                counters=counters,
                on_result=on_result,
            )
    except asyncio.CancelledError:
        return True, counters
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    return False, counters


def _scan_partitioned(
    todo: list[str],
    spec: ResolverSpec,
    config: ScanConfig,
    out_path: Path,
    resume: bool,
    dask_address: str | None,
    workers: int,
) -> None:
    """Scan in partitions on a dask cluster or on local worker processes."""
    from mailwarden.audit.distributed import scan_in_processes, scan_with_dask

    started = time.monotonic()
    with _open_results(out_path, resume) as out:
        try:
            if dask_address:
                totals = scan_with_dask(dask_address, todo, spec=spec, config=config, out=out)
            else:
                totals = scan_in_processes(todo, spec=spec, config=config, out=out, workers=workers)
        except KeyboardInterrupt:
            err_console().print(
                f"mailwarden: interrupted; {out_path} holds every finished partition: "
                "rerun with --resume to continue",
                markup=False,
            )
            click.get_current_context().exit(EXIT_INTERRUPTED)
    _summary(totals.domains, totals.queries, started)


def _open_results(out_path: Path, resume: bool) -> IO[str]:
    """Open the results file for appending (``resume``) or writing; raise ``InputError``
    naming it when it cannot be opened (missing directory, a directory, no permission)."""
    try:
        return out_path.open("a" if resume else "w", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--out {out_path}: cannot write: {exc.strerror or exc}") from None


def _summary(done: int, queries: int, started: float, errors: int | None = None) -> None:
    elapsed = max(time.monotonic() - started, 1e-6)
    not_checked = f", {errors:,} not checked" if errors is not None else ""
    err_console().print(
        f"mailwarden: scanned {done:,} domains in {elapsed:,.1f}s "
        f"({done / elapsed:,.0f} domains/s), {queries:,} DNS queries sent "
        f"({queries / elapsed:,.0f}/s){not_checked}",
        markup=False,
        highlight=False,
    )


class _NoProgress:
    """What the scan uses of a progress bar, doing nothing: no terminal, nothing to show."""

    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def add_task(self, _description: str, **_fields: Any) -> int:
        """Return a task id."""
        return 0

    def update(self, _task_id: int, **_fields: Any) -> None:
        """Do nothing."""


def _progress(total: int, skipped: int) -> Any:
    """Return the progress bar on a terminal (rich is imported only then), else a no-op."""
    if not total or not sys.stderr.isatty():
        return _NoProgress()
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    description = f"scanning ({skipped} already done)" if skipped else "scanning"
    return Progress(
        TextColumn(description),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[rate]}"),
        TextColumn("errors {task.fields[errors]}"),
        TimeRemainingColumn(),
        console=err_console(),
        transient=False,
    )
