"""Geometry of the dashboard's charts, drawn as inline SVG by the templates (no script, no CDN)."""

from dataclasses import dataclass

from .selectors import Indicators


@dataclass
class Bar:
    x: float
    label: str
    segments: list[tuple[float, float, str, int]]  # (y, height, css class, value)
    total: int
    rate: object


def monthly_bars(months: list[Indicators], *, width: int = 720, height: int = 220) -> dict:
    """Stacked bars per month: resolved on time, resolved late, still open; the rate on top."""
    top = max((m.received for m in months), default=0) or 1
    slot = width / max(len(months), 1)
    bar_width = slot * 0.6
    plot_height = height - 40
    bars = []
    for index, month in enumerate(months):
        y = height - 20
        segments = []
        for value, css in ((month.resolved_on_time, "ok"), (month.late, "late"), (month.in_progress, "open")):
            h = plot_height * value / top
            y -= h
            segments.append((round(y, 1), round(h, 1), css, value))
        bars.append(Bar(x=round(index * slot + (slot - bar_width) / 2, 1), label=month.label,
                        segments=segments, total=month.received, rate=month.rate))
    return {"bars": bars, "width": width, "height": height, "bar_width": round(bar_width, 1), "baseline": height - 20}
