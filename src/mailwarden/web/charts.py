"""Small SVG charts drawn on the server: no JavaScript, nothing fetched, works offline.

Every label is escaped; the charts carry ``role="img"`` with a text title so that screen
readers (and tests) can tell what they show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Series", "bar_rows", "sparkline", "stacked_bars"]

WIDTH = 760
HEIGHT = 240
PAD_LEFT = 56
PAD_BOTTOM = 28
PAD_TOP = 12


@dataclass(frozen=True, slots=True)
class Series:
    """One stacked series: a name, a CSS class for its colour and a value per day."""

    name: str
    css: str
    values: tuple[int, ...]


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _nice_max(value: int) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def _compact(value: int) -> str:
    for size, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= size:
            return _fmt(value / size) + suffix
    return str(value)


def stacked_bars(title: str, days: Sequence[dt.date], series: Sequence[Series]) -> Markup:
    """Return an SVG chart with one bar per day, ``series`` stacked bottom to top."""
    totals = [sum(s.values[i] for s in series) for i in range(len(days))]
    top = _nice_max(max(totals, default=0))
    plot_w = WIDTH - PAD_LEFT - 8
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / max(len(days), 1)
    bar = max(slot * 0.8, 1.0)
    parts = [_open(title, WIDTH, HEIGHT + 24)]
    parts += _grid(top, plot_w, plot_h)
    for index, day in enumerate(days):
        x = PAD_LEFT + index * slot + (slot - bar) / 2
        y: float = PAD_TOP + plot_h
        for s in series:
            value = s.values[index]
            if value <= 0:
                continue
            h = value / top * plot_h
            y -= h
            label = f"{day.isoformat()} {s.name}: {value:,}"
            parts.append(
                f'<rect class="{escape(s.css)}" x="{_fmt(x)}" y="{_fmt(y)}" '
                f'width="{_fmt(bar)}" height="{_fmt(max(h, 0.5))}">'
                f"<title>{escape(label)}</title></rect>"
            )
    parts += _day_labels(days, slot)
    parts += _legend(series, HEIGHT + 14)
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(title: str, width: int, height: int, css: str = "chart") -> str:
    return (
        f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )


def _grid(top: int, plot_w: float, plot_h: float) -> list[str]:
    parts = []
    for step in range(5):
        value = top * step / 4
        y = PAD_TOP + plot_h - plot_h * step / 4
        parts.append(
            f'<line class="grid" x1="{PAD_LEFT}" x2="{_fmt(PAD_LEFT + plot_w)}" '
            f'y1="{_fmt(y)}" y2="{_fmt(y)}"/>'
            f'<text class="axis" x="{PAD_LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end">'
            f"{escape(_compact(int(value)))}</text>"
        )
    return parts


def _day_labels(days: Sequence[dt.date], slot: float) -> list[str]:
    if not days:
        return []
    every = max(1, round(len(days) / 8))
    parts = []
    for index in range(0, len(days), every):
        x = PAD_LEFT + index * slot + slot / 2
        parts.append(
            f'<text class="axis" x="{_fmt(x)}" y="{HEIGHT - 8}" text-anchor="middle">'
            f"{escape(days[index].strftime('%b %d'))}</text>"
        )
    return parts


def _legend(series: Sequence[Series], y: int) -> list[str]:
    parts = []
    x = PAD_LEFT
    for s in series:
        parts.append(
            f'<rect class="{escape(s.css)}" x="{x}" y="{y - 9}" width="10" height="10"/>'
            f'<text class="legend" x="{x + 14}" y="{y}">{escape(s.name)}</text>'
        )
        x += 24 + 7 * len(s.name)
    return parts


def sparkline(title: str, values: Sequence[float | None], *, width: int = 120) -> Markup:
    """Return a small line chart of ``values`` in 0..1 (``None`` leaves a gap), its scale
    running from just below the lowest value to 1."""
    height = 28
    step = width / max(len(values) - 1, 1)
    known = [v for v in values if v is not None]
    low = max(0.0, min(known, default=0.0) - 0.02)
    span = max(1.0 - low, 0.01)
    points: list[list[str]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            points.append([])
            continue
        y = 2 + (1 - (max(low, min(1.0, value)) - low) / span) * (height - 4)
        points[-1].append(f"{_fmt(index * step)},{_fmt(y)}")
    lines = "".join(
        f'<polyline class="spark" points="{" ".join(p)}"/>' for p in points if len(p) > 1
    )
    dots = "".join(
        f'<circle class="spark-dot" cx="{p[0].split(",")[0]}" cy="{p[0].split(",")[1]}" r="1.5"/>'
        for p in points
        if len(p) == 1
    )
    return Markup(
        f'<svg class="chart spark" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{lines}{dots}</svg>'
    )


def bar_rows(title: str, rows: Sequence[tuple[str, float | None]]) -> Markup:
    """Return horizontal bars, one per ``(label, share 0..1)``; ``None`` reads ``no data``."""
    width, row_h, label_w = 520, 30, 150
    height = row_h * len(rows) + 6
    plot = width - label_w - 60
    parts = [_open(title, width, height, "chart bars")]
    for index, (label, share) in enumerate(rows):
        y = 4 + index * row_h
        value = 0.0 if share is None else max(0.0, min(1.0, share))
        text = "no data" if share is None else f"{share * 100:.1f}%"
        css = "good" if value >= 0.98 else "warn" if value >= 0.9 else "bad"
        parts.append(
            f'<text class="legend" x="0" y="{y + 16}">{escape(label)}</text>'
            f'<rect class="track" x="{label_w}" y="{y + 4}" width="{plot}" height="16" rx="3"/>'
            f'<rect class="{css}" x="{label_w}" y="{y + 4}" width="{_fmt(max(plot * value, 0.5))}"'
            f' height="16" rx="3"><title>{escape(label)}: {escape(text)}</title></rect>'
            f'<text class="legend" x="{label_w + plot + 8}" y="{y + 16}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
