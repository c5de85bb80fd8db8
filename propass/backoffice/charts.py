"""Charts drawn on the server as SVG strings: no script, no library, no style attribute (the
content security policy forbids inline styles); colours come from CSS classes in propass.css.
Every chart names itself with <title> and <desc> for screen readers, and every bar carries its
number in a <title> tooltip; the page shows the same numbers in a table under the chart."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, PLOT_HEIGHT = 720, 190
LEFT, RIGHT, TOP = 64, 16, 40
BOTTOM, BOTTOM_SLANTED = 30, 72  # room for the category labels, upright or slanted
PALETTE_SIZE = 7

Number = int | float | Decimal


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number | None]
    tone: str = ""  # CSS class suffix (chart-<tone>); the palette's next colour when empty


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    percent: bool = False,
) -> SafeString:
    """Bars side by side for each category, one per series; negative values go below the axis."""
    return _chart("grouped", chart_id, title, description, labels, series, percent)


def stacked_bar_chart(
    *, chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series]
) -> SafeString:
    """One bar per category made of the series stacked on each other (values of 0 or more)."""
    return _chart("stacked", chart_id, title, description, labels, series, False)


def histogram(
    *, chart_id: str, title: str, description: str, labels: Sequence[str], values: Sequence[Number]
) -> SafeString:
    """Adjoining bars, one per range, for a distribution."""
    return _chart("histogram", chart_id, title, description, labels, [Series(title, values)], False)


def _number(value: float, *, percent: bool = False, decimals: int | None = None) -> str:
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    text = number_format(round(value, decimals), decimal_pos=decimals, force_grouping=True)
    return f"{text} %" if percent else text


def _ticks(low: float, high: float, *, percent: bool, whole: bool = False) -> tuple[list[float], int]:
    """Round axis values covering [low, high] (0 included) and their number of decimals; whole
    numbers only for counts (`whole`)."""
    if percent:
        return [0, 25, 50, 75, 100], 0
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    raw = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(step, 1)
    start, stop = math.floor(low / step), math.ceil(high / step)
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return [round(i * step, decimals) for i in range(start, stop + 1)], decimals


def _chart(
    mode: str,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    percent: bool,
) -> SafeString:
    ident = escape(chart_id)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_HEIGHT
    slot = plot_w / max(len(labels), 1)
    slanted = len(labels) > 8 or max((len(label) for label in labels), default=0) * 7 > slot
    height = TOP + plot_h + (BOTTOM_SLANTED if slanted else BOTTOM)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" class="chart" role="img" '
        f'aria-labelledby="{ident}-title" aria-describedby="{ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    values = [[float(v or 0) for v in s.values] for s in series]
    if not labels or not series:
        parts.append(
            f'<text class="chart-empty" x="{WIDTH / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle">'
            f"{escape(_('No data for this period.'))}</text></svg>"
        )
        return mark_safe("".join(parts))  # every piece of text is escaped above
    if mode == "stacked":
        totals = [sum(max(v[i], 0.0) for v in values) for i in range(len(labels))]
        low, high = 0.0, max(totals)
    else:
        low, high = min(min(v) for v in values), max(max(v) for v in values)
    # Counts come as int: their axis never shows half a business.
    whole = all(isinstance(v, int) for s in series for v in s.values if v is not None)
    ticks, decimals = _ticks(low, high, percent=percent, whole=whole)
    bottom, top = ticks[0], ticks[-1]

    def y(value: float) -> float:
        return TOP + plot_h * (top - value) / (top - bottom)

    # Grid lines with their values, then the zero line.
    for tick in ticks:
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
        )
        parts.append(
            f'<text class="chart-tick" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"{escape(_number(tick, percent=percent, decimals=decimals))}</text>"
        )
    parts.append(f'<line class="chart-axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>')

    # Legend, when there is more than one series.
    tones = [s.tone or f"s{index % PALETTE_SIZE}" for index, s in enumerate(series)]
    if len(series) > 1:
        x = LEFT
        for s, tone in zip(series, tones, strict=True):
            parts.append(f'<rect class="chart-{escape(tone)}" x="{x}" y="10" width="12" height="12"/>')
            parts.append(f'<text class="chart-legend" x="{x + 16}" y="20">{escape(s.name)}</text>')
            x += 16 + 7 * len(s.name) + 18

    # Bars, each with its number as a tooltip.
    def bar(tone: str, x: float, value: float, base: float, width: float, tip: str) -> None:
        top_y, bottom_y = sorted((y(base + value), y(base)))
        parts.append(
            f'<rect class="chart-{escape(tone)}" x="{x:.1f}" y="{top_y:.1f}" width="{max(width, 1):.1f}" '
            f'height="{bottom_y - top_y:.1f}"><title>{escape(tip)}: {escape(_number(value, percent=percent))}</title>'
            "</rect>"
        )

    for i, label in enumerate(labels):
        x0 = LEFT + i * slot
        if mode == "histogram":
            bar(tones[0], x0 + 0.5, values[0][i], 0.0, slot - 1, label)
        elif mode == "stacked":
            base = 0.0
            for s, tone, v in zip(series, tones, values, strict=True):
                if v[i] > 0:
                    bar(tone, x0 + slot * 0.15, v[i], base, slot * 0.7, f"{label} · {s.name}")
                    base += v[i]
        else:
            width = slot * 0.8 / len(series)
            for j, (s, tone, v) in enumerate(zip(series, tones, values, strict=True)):
                if s.values[i] is not None:
                    bar(tone, x0 + slot * 0.1 + j * width, v[i], 0.0, width, f"{label} · {s.name}")

    # Category labels: all of them when they fit, else every n-th; slanted when many or long.
    every = max(1, math.ceil(len(labels) / 26))
    for i, label in enumerate(labels):
        if i % every:
            continue
        middle = LEFT + (i + 0.5) * slot
        if slanted:
            parts.append(
                f'<text class="chart-label" x="{middle:.1f}" y="{TOP + plot_h + 14}" text-anchor="end" '
                f'transform="rotate(-40 {middle:.1f} {TOP + plot_h + 14})">{escape(label)}</text>'
            )
        else:
            parts.append(
                f'<text class="chart-label" x="{middle:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text is escaped above
