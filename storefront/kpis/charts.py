"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, readable at a glance.

Pure: numbers and labels in, markup out. Each chart carries a <title> and a <desc> that
say the figures in words, and every point its own <title>, for screen readers and
hovering; the page shows the same figures as text beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Band:
    """A horizontal zone of the chart (in the values' scale) and its CSS class."""

    low: Fraction
    high: Fraction | None  # None: up to the top
    css: str


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def line_chart(
    values: Sequence[Fraction | None],
    labels: Sequence[str],
    *,
    title: str,
    bands: Sequence[Band] = (),
    width: int = 320,
    height: int = 90,
) -> Markup:
    """A line over `values` (None: a gap), one dot and one label per value, over `bands`."""
    pad = 6
    known = [v for v in values if v is not None]
    bound_tops = [band.high if band.high is not None else band.low for band in bands]
    top = max([*known, *bound_tops, Fraction(0)]) * Fraction(11, 10) or Fraction(1)
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(value: Fraction) -> float:
        return height - pad - float(value / top) * (height - 2 * pad)

    parts = [_band(band, y, width, height) for band in bands]
    segments, current = [], []
    for i, value in enumerate(values):
        if value is None:
            segments, current = ([*segments, current] if current else segments), []
            continue
        current.append(f"{_num(pad + i * step)},{_num(y(value))}")
    segments = [*segments, current] if current else segments
    parts += [f'<polyline class="chart-line" points="{" ".join(s)}"/>' for s in segments]
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        if value is not None:
            x, dot_y = _num(pad + i * step), _num(y(value))
            parts.append(
                f'<circle class="chart-dot" cx="{x}" cy="{dot_y}" r="2.5">'
                f"<title>{escape(label)}</title></circle>"
            )
    desc = "; ".join(labels)
    return _svg(title, desc, width, height, parts)


def _band(band: Band, y, width: int, height: int) -> str:
    top = 0.0 if band.high is None else max(y(band.high), 0.0)
    bottom = min(y(band.low), float(height))
    return (
        f'<rect class="{escape(band.css)}" x="0" y="{_num(top)}" width="{width}" '
        f'height="{_num(max(bottom - top, 0.0))}"/>'
    )


def bar_chart(
    bars: Sequence[tuple[str, int, str]], *, title: str, width: int = 320, bar_height: int = 22
) -> Markup:
    """Horizontal bars: (name, amount, amount as text) each, longest for the largest."""
    largest = max((amount for _name, amount, _text in bars), default=0) or 1
    label_width, gap = 110, 6
    height = len(bars) * (bar_height + gap) + gap
    parts = []
    for i, (name, amount, text) in enumerate(bars):
        top = gap + i * (bar_height + gap)
        length = (width - label_width - 90) * amount / largest
        baseline = f"{top + bar_height * 0.7:.0f}"
        parts.append(
            f'<text class="chart-label" x="0" y="{baseline}">{escape(name)}</text>'
            f'<rect class="chart-bar" x="{label_width}" y="{top}" width="{_num(length)}" '
            f'height="{bar_height}"><title>{escape(name)}: {escape(text)}</title></rect>'
            f'<text class="chart-value" x="{_num(label_width + length + 4)}" '
            f'y="{baseline}">{escape(text)}</text>'
        )
    desc = "; ".join(f"{name}: {text}" for name, _amount, text in bars)
    return _svg(title, desc, width, height, parts)


def _svg(title: str, desc: str, width: int, height: int, parts: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{''.join(parts)}</svg>"
    )
