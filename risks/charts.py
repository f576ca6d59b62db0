"""Geometry of the small level trend on a risk's page, drawn as inline SVG (no script, no CDN)."""

from dataclasses import dataclass

from .models import RiskAssessment, RiskScale


@dataclass
class TrendPoint:
    x: float
    y: float
    level: int
    band: str
    label: str


def level_trend(assessments: list[RiskAssessment], scale: RiskScale, *, width: int = 320, height: int = 90) -> dict | None:
    """The levels of a risk's assessments as points of a line, the highest level of the scale at
    the top; None when there are fewer than two assessments to draw a trend from."""
    if len(assessments) < 2:
        return None
    top = scale.size * scale.size
    margin, step = 8, (width - 16) / (len(assessments) - 1)
    plot = height - 2 * margin
    points = [
        TrendPoint(
            x=round(margin + index * step, 1),
            y=round(margin + plot * (1 - assessment.level / top), 1),
            level=assessment.level,
            band=assessment.band,
            label=f"{assessment.assessed_on:%d/%m/%Y}: {assessment.likelihood} × {assessment.impact} = {assessment.level}",
        )
        for index, assessment in enumerate(assessments)
    ]
    return {
        "points": points,
        "polyline": " ".join(f"{p.x},{p.y}" for p in points),
        "width": width,
        "height": height,
        # Where the bands begin, as horizontal guides.
        "guides": [
            (band, round(margin + plot * (1 - level / top), 1))
            for band, level in (("medium", scale.medium_from), ("high", scale.high_from), ("critical", scale.critical_from))
        ],
    }
