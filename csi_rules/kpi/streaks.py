"""Find runs of consecutive breached periods per series, without gaps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from csi_rules.conditions.evaluate import apply_operator
from csi_rules.kpi.series import Point


def next_period(day: date, period: str) -> date:
    if period == "day":
        return day + timedelta(days=1)
    if period == "week":
        return day + timedelta(weeks=1)
    month = day.month % 12 + 1
    return date(day.year + (day.month == 12), month, 1)


@dataclass(frozen=True)
class Streak:
    """`length` consecutive breached periods of one series, ending with `points[-1]`."""

    series: tuple[tuple[str, str], ...]
    points: tuple[Point, ...]


def breached_streaks(points: Iterable[Point], metric: str, group_by: list[str], op: str,
                     threshold: float, period: str, consecutive: int) -> list[Streak]:
    """Each streak the moment it reaches `consecutive` periods (once per unbroken run).

    A missing period or one that meets the target ends the run.
    """
    series: dict[tuple[tuple[str, str], ...], list[Point]] = defaultdict(list)
    for p in points:
        if p.metric == metric:
            key = tuple((k, str(p.labels.get(k, ""))) for k in group_by)
            series[key].append(p)
    found = []
    for key, pts in sorted(series.items()):
        pts.sort(key=lambda p: p.period)
        run: list[Point] = []
        for p in pts:
            if run and p.period != next_period(run[-1].period, period):
                run = []
            if apply_operator(op, p.value, threshold):
                run.append(p)
                if len(run) == consecutive:
                    found.append(Streak(key, tuple(run)))
            else:
                run = []
    return sorted(found, key=lambda s: (s.points[-1].period, s.series))
