"""An SLA decision's details (`SlaStatus.details`, made in one pass) are exactly
`{**to_json(), "explain": explain()}`: same keys in the same order, same values, same JSON,
for every stage, clock, estimate and crossing, and whichever instant was written before."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from csi_rules.conditions.parse import parse_condition
from csi_rules.sla.model import Target, Threshold
from csi_rules.sla.status import STAGES, Crossing, make_status

WHEN = parse_condition({"field": "priority", "eq": 1})
ZONES = [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=2))]
T0 = datetime(2016, 3, 1, 9, tzinfo=UTC)

instants = st.builds(lambda minutes, zone, us: (T0 + timedelta(minutes=minutes, microseconds=us))
                     .astimezone(zone), st.integers(-10_000, 10_000), st.sampled_from(ZONES),
                     st.sampled_from([0, 1, 500_000]))
maybe = st.none() | instants
thresholds = st.builds(Threshold, st.sampled_from(["warning", "at-risk", "breach"]),
                       st.sampled_from([50.0, 75.0, 100.0, 12.5, 150]), st.just(()),
                       st.just(3))


@settings(max_examples=400, deadline=None)
@given(stage=st.sampled_from(STAGES),
       clock=st.sampled_from(["not_started", "running", "paused", "stopped", "cancelled"]),
       seconds=st.sampled_from([0.0, 900.0, 3600, 14400.0, 108000.0, 1.5]),
       calendar=st.sampled_from(["24x7", "eu-office-hours"]),
       elapsed=st.floats(0, 1e9, allow_nan=False) | st.sampled_from([0.0, 899.9996, 1e7]),
       started=maybe, stopped=maybe, breached=maybe, predicted=maybe, next_change=maybe,
       crossed=st.lists(st.tuples(thresholds, instants), max_size=3),
       now=instants, estimate=st.none() | st.sampled_from(["", "no history available"]),
       cycle=st.integers(0, 3))
def test_details_are_to_json_plus_explain(stage, clock, seconds, calendar, elapsed, started,
                                          stopped, breached, predicted, next_change, crossed,
                                          now, estimate, cycle):
    status = make_status(
        policy="incident-sla", metric="resolution", stage=stage, clock=clock,
        target=Target(WHEN, seconds, calendar, 7), cycle=cycle, elapsed=elapsed,
        started_at=started, stopped_at=stopped, breached_at=breached,
        predicted_breach=predicted, crossed=tuple(Crossing(t, at) for t, at in crossed),
        next_change=next_change, now=now, estimate=estimate)
    want = {**status.to_json(), "explain": status.explain()}
    for _ in range(2):  # the second time with the instant's text kept
        got = status.details()
        assert list(got.items()) == list(want.items())
        assert json.dumps(got) == json.dumps(want)
