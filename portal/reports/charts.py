"""Charts rendered on the server as inline SVG markup: no JavaScript, allowed by the CSP (no
inline style: only SVG presentation attributes), and readable without colour — every bar
carries its value as text (the same text as the table: "21.0 h", "100%") and a hatch pattern, axes
are labelled, and the SVG has a title and a description for screen readers. Pages should still show
the numbers in a table.

Colour: the attributes hold the staff blue as a fallback; the marks also carry classes
(`chart-ink`, `chart-fill`) that the stylesheet paints in the portal's accent (`--accent`), so a
client's chart is teal and a supplier's purple. A value of None is "no data": no bar, the label says
so (never a bar of 0 that looks like a real zero).
"""
from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Callable, Sequence

from markupsafe import Markup, escape

TEXT = "#1b2230"
MUTED = "#5b6474"
GRID = "#dde2e9"
INK = "#1d4f91"
FILL = "#e8eff8"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (1 for nothing), for round axis ticks."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def compact(value: float) -> str:
    """12 → "12", 12500 → "12.5k", 3400000 → "3.4M" (for labels where space is short)."""
    v = float(value)
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            text = f"{v / size:.1f}".rstrip("0").rstrip(".")
            return f"{text}{unit}"
    return f"{v:.0f}" if v == int(v) else f"{v:.2f}"


NO_DATA = "no data"
#: Round steps between axis ticks (× 10^k): 0, 6, 12, 18, 24 rather than 0, 6.25, 12.50, …
STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def axis_top(value: float) -> float:
    """The top of a measure axis: 4 × a round step, so all five ticks are round numbers."""
    if value <= 0:
        return 1.0
    quarter = value / 4
    power = 10 ** math.floor(math.log10(quarter))
    step = next(s * power for s in STEPS if s * power >= quarter - 1e-12)
    return 4 * step


def _tick(value: float) -> str:
    return compact(round(value)) if value == round(value) else f"{value:.3f}".rstrip("0").rstrip(".")


def count_ceiling(value: float) -> int:
    """The top of a count axis: 4 × a whole step (step = ceil(max / 4), at least 1), so the five
    ticks 0, step, … 4 × step are whole numbers."""
    return 4 * max(1, math.ceil(value / 4))


def _id(raw: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", raw.lower()) or "chart"


def bar_chart(points: Sequence[tuple[str, Decimal | int | float | None]], *, title: str, description: str = "",
              value_text: Callable[[float], str] = compact, chart_id: str = "chart", counts: bool | None = None,
              width: int = 720, height: int = 300) -> Markup:
    """A vertical bar chart of (label, value) pairs as an <svg> element (values ≥ 0, or None: no data).

    `value_text` writes each bar's label (pass the table's formatter so both read the same);
    `counts` (default: every value is an int) gives whole-number axis ticks.
    """
    cid = _id(chart_id)
    n = max(len(points), 1)
    left, right, top = 56, 12, 26
    slot_guess = (width - left - right) / n
    rotate = slot_guess < 56
    bottom = 64 if rotate else 36
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / n
    known = [float(v) for _, v in points if v is not None]
    if counts is None:
        counts = all(isinstance(v, int) and not isinstance(v, bool) for _, v in points if v is not None)
    top_value = float(count_ceiling(max(known, default=0.0))) if counts else axis_top(max(known, default=0.0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" font-family="{FONT}" font-size="12">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description or _describe(points, value_text))}</desc>',
        f'<defs><pattern id="{cid}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect class="chart-fill" width="6" height="6" fill="{FILL}"/>'
        f'<line class="chart-ink" x1="0" y1="0" x2="0" y2="6" stroke="{INK}" stroke-width="2.5"/></pattern></defs>',
    ]
    for i in range(5):
        tick = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" '
                     f'stroke-width="1"/>')
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
                     f'{escape(_tick(tick))}</text>')
    for i, (text, value) in enumerate(points):
        bar_w = min(slot * 0.62, 64)
        x = left + i * slot + (slot - bar_w) / 2
        cx = left + i * slot + slot / 2
        if value is None:  # no data: no bar, and a muted label saying so
            parts.append(f'<g class="chart-no-data"><title>{escape(text)}: {NO_DATA}</title>')
            parts.append(f'<text x="{cx:.1f}" y="{top + plot_h - 6:.1f}" text-anchor="middle" fill="{MUTED}" '
                         f'font-size="11" font-style="italic">{NO_DATA}</text>')
        else:
            v = float(value)
            label = value_text(v)
            if len(label) * 6.6 > slot and len(compact(v)) < len(label):
                label = compact(v)  # too wide for its slot (many bars): the short form; the title holds it all
            h = plot_h * v / top_value
            y = top + plot_h - h
            parts.append(f'<g><title>{escape(text)}: {escape(value_text(v))}</title>')
            if h > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                             f'class="chart-bar chart-ink" fill="url(#{cid}-hatch)" stroke="{INK}" '
                             f'stroke-width="1.5"/>')
            parts.append(f'<text x="{cx:.1f}" y="{y - 6:.1f}" text-anchor="middle" fill="{TEXT}" font-size="11" '
                         f'font-weight="600">{escape(label)}</text>')
        ly = top + plot_h + 16
        if rotate:
            parts.append(f'<text x="{cx:.1f}" y="{ly:.1f}" text-anchor="end" fill="{TEXT}" font-size="11" '
                         f'transform="rotate(-40 {cx:.1f} {ly:.1f})">{escape(text)}</text>')
        else:
            parts.append(f'<text x="{cx:.1f}" y="{ly:.1f}" text-anchor="middle" fill="{TEXT}">{escape(text)}</text>')
        parts.append("</g>")
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
                 f'stroke="{TEXT}" stroke-width="1.5"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _describe(points, value_text) -> str:
    if not points:
        return "No data."
    return "; ".join(f"{label}: {NO_DATA if value is None else value_text(float(value))}"
                     for label, value in points) + "."
