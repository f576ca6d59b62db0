"""Geometry of the dashboard's charts, drawn as inline SVG by the templates (no script, no CDN)."""

from dataclasses import dataclass
from decimal import Decimal

from .selectors import Indicators


@dataclass
class Bar:
    x: float
    label: str
    segments: list[tuple[float, float, str, int]]  # (y, height, css class, value)
    total: int
    rate: object


def _slots(count: int, width: int) -> tuple[float, float]:
    """The width of each bar's slot and of the bar in it, for ``count`` bars across ``width``."""
    slot = width / max(count, 1)
    return slot, slot * 0.6


def _bar_x(index: int, slot: float, bar_width: float) -> float:
    return round(index * slot + (slot - bar_width) / 2, 1)


def monthly_bars(months: list[Indicators], *, width: int = 720, height: int = 220) -> dict:
    """Stacked bars per month: resolved on time, resolved late, still open; the rate on top."""
    top = max((m.received for m in months), default=0) or 1
    slot, bar_width = _slots(len(months), width)
    plot_height = height - 40
    bars = []
    for index, month in enumerate(months):
        y = height - 20
        segments = []
        for value, css in ((month.resolved_on_time, "ok"), (month.late, "late"), (month.in_progress, "open")):
            h = plot_height * value / top
            y -= h
            segments.append((round(y, 1), round(h, 1), css, value))
        bars.append(Bar(x=_bar_x(index, slot, bar_width), label=month.label,
                        segments=segments, total=month.received, rate=month.rate))
    return {"bars": bars, "width": width, "height": height, "bar_width": round(bar_width, 1), "baseline": height - 20}


@dataclass
class ValueBar:
    x: float
    y: float
    height: float
    label: str
    value: Decimal | None
    css: str


def value_bars(points: list[tuple[str, Decimal | None, str]], *, target: Decimal | None = None, width: int = 720,
               height: int = 220, top: int = 20, bottom: int = 20) -> dict:
    """One bar per point (label, value or None for no data, css class), on a scale that holds the
    largest value and ``target``; the target, when given, as a horizontal line at ``target_y``.
    ``top`` and ``bottom`` leave room for the values above the bars and the labels below them."""
    largest = max([value for _label, value, _css in points if value is not None] + [target or 0, 0]) or 1
    slot, bar_width = _slots(len(points), width)
    baseline = height - bottom
    plot_height = height - top - bottom

    def y_of(value) -> float:
        return round(baseline - plot_height * float(value) / float(largest), 1)

    bars = []
    for index, (label, value, css) in enumerate(points):
        y = y_of(max(value or 0, 0))  # no data, or a negative value, draws no bar
        bars.append(ValueBar(x=_bar_x(index, slot, bar_width), y=y, height=round(baseline - y, 1), label=label,
                             value=value, css=css))
    return {
        "bars": bars, "width": width, "height": height, "bar_width": round(bar_width, 1), "baseline": baseline,
        "target_y": y_of(target) if target is not None else None,
    }
