"""The year overview as a chart: hours per member, activities and own hours stacked. Pure geometry for an
inline SVG the page renders (no plotting library, no script); the table beside it stays the source of truth,
and the chart's title and description say in words what it shows."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

from services.werkplek.domain.inzet import YearOverview

WIDTH = 320  # viewBox units: on a phone about one unit per pixel, so the 14-unit text stays readable
BAR_AREA = 240  # the longest bar; the rest of the row holds the figure
ROW = 44  # a name line, then its bar
BAR_HEIGHT = 16
TOP = 4
COLOURS = {"activity": "#00567a", "declared": "#b35900"}  # both 4.5:1 or more against white


@dataclass(frozen=True)
class Segment:
    key: str  # "activity" or "declared"
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Bar:
    label: str
    y: float  # the top of the name line
    bar_y: float
    segments: tuple[Segment, ...]
    total: Decimal
    value_x: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    bar_height: int = BAR_HEIGHT


def hours_chart(overview: YearOverview, names: Mapping[str, str]) -> Chart | None:
    """Bars for members with hours, most hours first; None when nobody has any (nothing to draw)."""
    members = sorted((m for m in overview.members if m.hours > 0),
                     key=lambda m: (-m.hours, names.get(m.member, m.member)))
    if not members:
        return None
    most = max(m.hours for m in members)
    bars = []
    for i, m in enumerate(members):
        y = TOP + i * ROW
        x = 0.0
        segments = []
        for key, value in (("activity", m.activity_hours), ("declared", m.declared_hours)):
            if value <= 0:
                continue
            width = round(float(value / most) * BAR_AREA, 1)
            segments.append(Segment(key, x, max(width, 1.0), COLOURS[key]))
            x += width
        bars.append(Bar(names.get(m.member, m.member), y, y + 18, tuple(segments), m.hours, x + 6))
    return Chart(WIDTH, TOP + len(members) * ROW, tuple(bars))
