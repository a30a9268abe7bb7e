"""The two figures, drawn as SVG at build time (no script, no font or library download): the
timeline of meetings at the precision their dates are known, and the reported trade figures with
each point labelled by its source. Coordinates are rounded so output bytes are stable."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scripts.site.html import esc

WIDTH = 960
ROW = 26
AXIS = 40
COLOURS = ("#1b4f8a", "#a8431a", "#2b6e2f", "#6a3d9a", "#7a5a00")  # all >= 4.5:1 on white
SHAPES = ("circle", "square", "triangle", "diamond")


@dataclass(frozen=True)
class Span:
    """A date as given ('2024', '2024-08' or '2024-08-09') read as the interval it covers."""

    text: str
    start: dt.date
    end: dt.date  # exclusive
    precision: str  # 'year', 'month' or 'day'


def parse_span(text: str, until: str = "") -> Span | None:
    """The interval a reduced-precision date covers, extended to ``until`` when given."""
    first = _interval(text)
    if first is None:
        return None
    last = _interval(until) if until else None
    end = last[1] if last and last[1] > first[1] else first[1]
    label = f"{text} to {until}" if until else text
    return Span(label, first[0], end, first[2])


def _interval(text: str) -> tuple[dt.date, dt.date, str] | None:
    parts = text.split("-")
    try:
        nums = [int(p) for p in parts]
        if len(nums) == 1:
            return dt.date(nums[0], 1, 1), dt.date(nums[0] + 1, 1, 1), "year"
        if len(nums) == 2:
            nxt = dt.date(nums[0] + nums[1] // 12, nums[1] % 12 + 1, 1)
            return dt.date(nums[0], nums[1], 1), nxt, "month"
        if len(nums) == 3:
            day = dt.date(nums[0], nums[1], nums[2])
            return day, day + dt.timedelta(days=1), "day"
    except ValueError:
        return None
    return None


def _num(value: float) -> str:
    """A coordinate with one decimal at most, written the same way on every machine."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class TimelineItem:
    """One meeting on the timeline."""

    label: str
    href: str
    span: Span


def timeline_svg(items: list[TimelineItem]) -> str:
    """A row per dated meeting, in date order; years as gridlines; the mark's shape says the
    precision (a dot for a day, a bar for a month, a hatched bar for a year)."""
    if not items:
        return "<p>No meeting in the dataset has a date.</p>\n"
    first = min(i.span.start.year for i in items)
    last = max(i.span.end.year if i.span.end.month > 1 or i.span.end.day > 1 else i.span.end.year - 1
               for i in items)
    origin, stop = dt.date(first, 1, 1), dt.date(last + 1, 1, 1)
    left, right = 20, WIDTH - 20
    scale = (right - left) / (stop - origin).days

    def x(day: dt.date) -> float:
        return left + (day - origin).days * scale

    height = AXIS + ROW * len(items) + 10
    parts = [_svg_open(height, "timeline-title", "timeline-desc"),
             '<title id="timeline-title">Timeline of the meetings</title>\n'
             '<desc id="timeline-desc">Each row is a meeting placed at its date; the table below '
             "gives the same dates as text.</desc>\n"]
    for year in range(first, last + 2):
        gx = _num(x(dt.date(year, 1, 1)))
        parts.append(f'<line x1="{gx}" y1="{AXIS - 14}" x2="{gx}" y2="{height - 6}" stroke="#c8c8c8"/>')
        if year <= last:
            parts.append(f'<text x="{_num(x(dt.date(year, 7, 1)))}" y="{AXIS - 20}" text-anchor="middle" '
                         f'font-size="13" fill="#222">{year}</text>')
    for row, item in enumerate(items):
        parts.append(_timeline_row(item, AXIS + row * ROW, x(item.span.start), x(item.span.end), right))
    parts.append("</svg>\n")
    return "\n".join(parts)


def _timeline_row(item: TimelineItem, top: int, x0: float, x1: float, right: int) -> str:
    mid = top + ROW / 2
    if item.span.precision == "day" and x1 - x0 < 8:
        mark = f'<circle cx="{_num((x0 + x1) / 2)}" cy="{_num(mid)}" r="5" fill="#1b4f8a"/>'
        x0, x1 = (x0 + x1) / 2 - 5, (x0 + x1) / 2 + 5
    else:
        fill = "#9ab8d9" if item.span.precision == "year" else "#1b4f8a"
        dash = ' stroke-dasharray="4 3"' if item.span.precision == "year" else ""
        mark = (f'<rect x="{_num(x0)}" y="{_num(mid - 6)}" width="{_num(max(x1 - x0, 4))}" height="12" '
                f'fill="{fill}" stroke="#1b4f8a"{dash}/>')
    text = f"{item.label} ({item.span.text})"
    if x1 + 8 + len(text) * 6.5 <= right:
        label = f'<text x="{_num(x1 + 6)}" y="{_num(mid + 4)}" font-size="12" fill="#111">{esc(text)}</text>'
    else:
        label = (f'<text x="{_num(x0 - 6)}" y="{_num(mid + 4)}" font-size="12" fill="#111" '
                 f'text-anchor="end">{esc(text)}</text>')
    return f'<a href="{esc(item.href)}">{mark}{label}</a>'


def _svg_open(height: float, title_id: str, desc_id: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_num(height)}" '
            f'width="{WIDTH}" height="{_num(height)}" role="img" '
            f'aria-labelledby="{title_id} {desc_id}" font-family="sans-serif">')


@dataclass(frozen=True)
class Point:
    """One reported figure for the chart, in the chart's unit."""

    series: str
    period: str  # category on the x axis ('' for a target with no year)
    value: float
    is_target: bool
    source: str
    row_id: str


def trade_svg(points: list[Point], unit: str) -> str:
    """Reported values by period: one column per period, points in a column side by side,
    each labelled with its source; targets drawn hollow."""
    if not points:
        return "<p>No trade figures in the dataset.</p>\n"
    periods = sorted({p.period for p in points}, key=lambda s: (s == "", s))
    series = sorted({p.series for p in points})
    top_value = _nice_max(max(p.value for p in points))
    left, right, top, bottom = 70, WIDTH - 20, 80, 400
    col = (right - left) / len(periods)

    def y(v: float) -> float:
        return bottom - (bottom - top) * v / top_value

    parts = [_svg_open(bottom + 110 + 22 * len(series), "trade-title", "trade-desc"),
             '<title id="trade-title">Reported trade figures</title>\n'
             f'<desc id="trade-desc">Values in {esc(unit)}, by period; each point is labelled with the '
             "source that reports it. The table below lists the same figures.</desc>\n"]
    parts += _y_axis(top_value, left, right, y, unit)
    for i, period in enumerate(periods):
        centre = left + col * (i + 0.5)
        label = period or "target, year not stated"
        parts.append(f'<text x="{_num(centre)}" y="{bottom + 20}" text-anchor="middle" font-size="12" '
                     f'fill="#222">{esc(label)}</text>')
        column = sorted((p for p in points if p.period == period), key=lambda p: (p.series, p.source, p.row_id))
        for j, point in enumerate(column):
            px = centre + (j - (len(column) - 1) / 2) * 24
            parts.append(_point(point, px, y(point.value), series.index(point.series)))
    parts += _legend(series, bottom + 44)
    parts.append("</svg>\n")
    return "\n".join(parts)


def _nice_max(value: float) -> float:
    step = 5.0
    while value / step > 8:
        step *= 2
    return step * (int(value / step) + 1)


def _y_axis(top_value: float, left: int, right: int, y, unit: str) -> list[str]:
    step = top_value / 5
    out = []
    for k in range(6):
        v = step * k
        gy = _num(y(v))
        out.append(f'<line x1="{left}" y1="{gy}" x2="{right}" y2="{gy}" stroke="#d0d0d0"/>')
        out.append(f'<text x="{left - 8}" y="{_num(y(v) + 4)}" text-anchor="end" font-size="12" '
                   f'fill="#222">{_num(v)}</text>')
    out.append(f'<text x="14" y="{_num(y(top_value / 2))}" font-size="12" fill="#222" text-anchor="middle" '
               f'transform="rotate(-90 14 {_num(y(top_value / 2))})">{esc(unit)}</text>')
    return out


def _shape(kind: int, x: float, y: float, colour: str, hollow: bool) -> str:
    fill = "#ffffff" if hollow else colour
    style = f'fill="{fill}" stroke="{colour}" stroke-width="2"'
    shape = SHAPES[kind % len(SHAPES)]
    if shape == "circle":
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="6" {style}/>'
    if shape == "square":
        return f'<rect x="{_num(x - 5.5)}" y="{_num(y - 5.5)}" width="11" height="11" {style}/>'
    if shape == "triangle":
        pts = f"{_num(x)},{_num(y - 7)} {_num(x + 7)},{_num(y + 5)} {_num(x - 7)},{_num(y + 5)}"
        return f'<polygon points="{pts}" {style}/>'
    pts = f"{_num(x)},{_num(y - 7)} {_num(x + 7)},{_num(y)} {_num(x)},{_num(y + 7)} {_num(x - 7)},{_num(y)}"
    return f'<polygon points="{pts}" {style}/>'


def _point(point: Point, x: float, y: float, kind: int) -> str:
    colour = COLOURS[kind % len(COLOURS)]
    shape = _shape(kind, x, y, colour, point.is_target)
    lx, ly = _num(x + 4), _num(y - 10)  # read upwards from just above the point: never overlaps a neighbour
    label = (f'<text class="source-label" x="{lx}" y="{ly}" font-size="12" fill="#111" '
             f'transform="rotate(-90 {lx} {ly})">{esc(point.source)}</text>')
    tip = f"<title>{esc(point.series)}: {_num(point.value)} ({esc(point.source)})</title>"
    return f"<g>{tip}{shape}{label}</g>"


def _legend(series: list[str], top: int) -> list[str]:
    out = []
    for k, name in enumerate(series):
        y = top + 22 * k
        out.append(_shape(k, 80, y, COLOURS[k % len(COLOURS)], False))
        out.append(f'<text x="94" y="{y + 4}" font-size="12" fill="#111">{esc(name)}</text>')
    y = top + 22 * len(series)
    out.append(_shape(0, 80, y, "#444444", True))
    out.append(f'<text x="94" y="{y + 4}" font-size="12" fill="#111">hollow: a target, not a reported value</text>')
    return out
