"""KPI policies over a series → one decision per breached run, keyed so it fires once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time

from csi_rules.decisions import Decision
from csi_rules.kpi.series import Point
from csi_rules.kpi.streaks import breached_streaks
from csi_rules.policy.model import PolicySet

OUTCOME_TREND = "trend"


def kpi_decisions(policy_set: PolicySet, points: Sequence[Point]) -> list[Decision]:
    out = []
    for policy in policy_set.of_kind("KpiPolicy"):
        spec = policy.compiled
        streaks = breached_streaks(points, spec["metric"], spec.get("groupBy", []),
                                   spec["breach"]["op"], spec["breach"]["value"],
                                   spec.get("period", "week"), spec["consecutive"])
        for streak in streaks:
            label = ", ".join(f"{k}={v}" for k, v in streak.series) or spec["metric"]
            first, last = streak.points[0], streak.points[-1]
            values = ", ".join(f"{p.period.isoformat()}: {p.value:g}" for p in streak.points)
            explain = (f"{spec['metric']} for {label} was {spec['breach']['op']} "
                       f"{spec['breach']['value']:g} for {len(streak.points)} consecutive "
                       f"{spec.get('period', 'week')}s ({values})")
            at = datetime.combine(last.period, time(), UTC)
            out.append(Decision(
                label, label, policy.name, policy.kind, policy.content_hash,
                spec["metric"], policy.source, OUTCOME_TREND, policy.default_actions, (), at,
                {"series": dict(streak.series), "periods": [p.period.isoformat()
                                                            for p in streak.points],
                 "explain": explain},
                f"{policy.name}/{label}/{first.period.isoformat()}"))
    return out
