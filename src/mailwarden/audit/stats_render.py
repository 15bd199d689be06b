"""Statistics rendered as a Markdown table or a self-contained HTML report with SVG charts."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

__all__ = ["stats_rows", "to_html", "to_markdown"]


def stats_rows(stats: Mapping[str, Any]) -> list[tuple[str, str, int, float]]:
    """Return ``(section, label, count, percent)`` rows in reading order."""
    total = int(stats.get("domains", 0))
    rows: list[tuple[str, str, int, float]] = [
        ("Scan", "domains scanned", total, 100.0 if total else 0.0)
    ]

    def add(section: str, label: str, count: int) -> None:
        rows.append((section, label, count, round(100.0 * count / total, 2) if total else 0.0))

    for error, count in stats.get("errors", {}).items():
        add("Scan", f"not checked: {error}", count)
    mx = stats.get("mx", {})
    add("MX", "with MX", mx.get("present", 0))
    add("MX", "null MX", mx.get("null_mx", 0))
    spf = stats.get("spf", {})
    for key in ("present", "valid", "invalid", "absent"):
        add("SPF", key, spf.get(key, 0))
    for cause, count in spf.get("invalid_causes", {}).items():
        add("SPF", f"invalid: {cause.replace('_', ' ')}", count)
    for qualifier, count in spf.get("all", {}).items():
        add("SPF", f"ends in {qualifier}", count)
    dmarc = stats.get("dmarc", {})
    for key in ("present", "valid", "invalid", "absent"):
        add("DMARC", key, dmarc.get(key, 0))
    for policy, count in dmarc.get("policy", {}).items():
        add("DMARC", f"p={policy}", count)
    for key in ("with_rua", "with_ruf", "external_rua_authorized", "external_rua_unauthorized"):
        add("DMARC", key.replace("_", " "), dmarc.get(key, 0))
    dkim = stats.get("dkim", {})
    add("DKIM", "key found at a common selector", dkim.get("found", 0))
    for group in ("selectors", "key_types", "key_sizes"):
        for name, count in dkim.get(group, {}).items():
            add("DKIM", f"{group.replace('_', ' ')[:-1]} {name}", count)
    for area, label in (("mta_sts", "MTA-STS"), ("tls_rpt", "TLS-RPT"), ("bimi", "BIMI")):
        add(label, "present", stats.get(area, {}).get("present", 0))
        add(label, "valid", stats.get(area, {}).get("valid", 0))
    add("DNSSEC", "signed", stats.get("dnssec", {}).get("signed", 0))
    add("DNSSEC", "authenticated", stats.get("dnssec", {}).get("authenticated", 0))
    return rows


def to_markdown(stats: Mapping[str, Any]) -> str:
    """Return the statistics as a Markdown table (section, measure, count, percent)."""
    lines = ["| area | measure | domains | percent |", "| --- | --- | ---: | ---: |"]
    for section, label, count, percent in stats_rows(stats):
        lines.append(f"| {section} | {label} | {count:,} | {percent:.1f}% |")
    return "\n".join(lines) + "\n"


def to_html(stats: Mapping[str, Any], *, title: str = "Email authentication survey") -> str:
    """Return one self-contained HTML page (inline CSS and SVG bar charts, no external files)."""
    sections: dict[str, list[tuple[str, int, float]]] = {}
    for section, label, count, percent in stats_rows(stats):
        sections.setdefault(section, []).append((label, count, percent))
    body = "\n".join(_section_html(name, rows) for name, rows in sections.items())
    return _PAGE.format(title=html.escape(title), total=int(stats.get("domains", 0)), body=body)


def _section_html(name: str, rows: list[tuple[str, int, float]]) -> str:
    bar_height, width = 22, 360
    bars = []
    for index, (label, count, percent) in enumerate(rows):
        y = index * bar_height
        length = max(0.0, min(100.0, percent)) / 100 * width
        bars.append(
            f'<text x="0" y="{y + 15}" class="l">{html.escape(label)}</text>'
            f'<rect x="260" y="{y + 4}" width="{length:.1f}" height="14" rx="2"/>'
            f'<text x="{266 + length:.1f}" y="{y + 15}" class="v">{count:,} ({percent:.1f}%)</text>'
        )
    height = len(rows) * bar_height + 4
    svg = (
        f'<svg role="img" aria-label="{html.escape(name)}" viewBox="0 0 760 {height}" '
        f'width="760" height="{height}">{"".join(bars)}</svg>'
    )
    table = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{count:,}</td><td>{percent:.1f}%</td></tr>"
        for label, count, percent in rows
    )
    return (
        f"<section><h2>{html.escape(name)}</h2>{svg}"
        f"<table><tr><th>measure</th><th>domains</th><th>percent</th></tr>{table}</table></section>"
    )


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 800px; color: #1d2330; }}
h1 {{ font-size: 1.5em; }}
h2 {{ font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ccd; }}
svg rect {{ fill: #3f6fb5; }} svg text {{ font-size: 12px; fill: #1d2330; }}
table {{ border-collapse: collapse; margin-top: .5em; }}
td, th {{ padding: 2px 10px; border-bottom: 1px solid #e4e6ee; text-align: left; }}
td + td, th + th {{ text-align: right; }}
</style></head><body>
<h1>{title}</h1>
<p>{total:,} domains scanned. Percentages are of all domains scanned.</p>
{body}
</body></html>
"""
