"""``mailwarden stats``: the statistics of a scan's results."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from mailwarden.audit.stats import compute_stats
from mailwarden.audit.stats_render import stats_rows, to_html, to_markdown
from mailwarden.cli.app import cli
from mailwarden.cli.render import console, echo_json, err_console
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.errors import InputError
from mailwarden.inputs import input_lines, open_input

__all__ = ["stats"]


@cli.command("stats")
@click.argument("results", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--markdown", is_flag=True, help="Print a Markdown table.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a self-contained HTML report with charts to this file.",
)
@global_options
@pass_settings
def stats(settings: Settings, results: Path, markdown: bool, html_path: Path | None) -> None:
    """Summarize the scan results in RESULTS (JSON Lines): counts and percentages per area."""
    data = compute_stats(_read_results(results))
    if html_path is not None:
        page = to_html(data, title=f"Email authentication survey: {results.name}")
        try:
            html_path.write_text(page)
        except OSError as exc:
            raise InputError(f"--html {html_path}: cannot write: {exc.strerror or exc}") from None
        err_console().print(f"wrote {html_path}", markup=False)
    if settings.json:
        echo_json(data, pretty=True)
    elif markdown:
        click.echo(to_markdown(data), nl=False)
    elif html_path is None:
        _print_table(data)


def _read_results(path: Path) -> Iterator[dict[str, Any]]:
    with open_input(path) as handle:
        for number, line in input_lines(handle, str(path)):
            if not line.strip():
                continue
            try:
                value = json.loads(line.decode("utf-8"))
            except ValueError:
                raise InputError(f"{path}:{number}: not a UTF-8 JSON line") from None
            if not isinstance(value, dict) or "domain" not in value:
                raise InputError(f"{path}:{number}: not a scan result (no domain)")
            yield value


def _print_table(data: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title="scan statistics")
    for column, justify in (
        ("area", "left"),
        ("measure", "left"),
        ("domains", "right"),
        ("%", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for section, label, count, percent in stats_rows(data):
        table.add_row(section, label, f"{count:,}", f"{percent:.1f}")
    console().print(table)
