"""make_status (the clock's quick constructor) gives the very SlaStatus its __init__ gives."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError, replace
from datetime import UTC, datetime

import pytest

from csi_rules.conditions.parse import parse_condition
from csi_rules.sla.model import Target, Threshold
from csi_rules.sla.status import Crossing, SlaStatus, make_status


def test_make_status_is_the_dataclass_made_by_its_init():
    now = datetime(2016, 3, 1, 9, tzinfo=UTC)
    target = Target(parse_condition({"field": "priority", "eq": 1}), 3600.0, "24x7", 3)
    crossed = (Crossing(Threshold("warn", 50.0, (), 4), now),)
    fields = dict(policy="p", metric="resolution", stage="breached", clock="stopped",
                  target=target, cycle=1, elapsed=4000.0, started_at=now, stopped_at=now,
                  breached_at=now, predicted_breach=None, crossed=crossed, next_change=None,
                  now=now)
    for extra in ({}, {"estimate": "no history available"}):
        made, built = make_status(**fields, **extra), SlaStatus(**fields, **extra)
        assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
        assert made.to_json() == built.to_json() and made.explain() == built.explain()
        assert replace(made, cycle=2) == replace(built, cycle=2)
        assert pickle.loads(pickle.dumps(made)) == built
        with pytest.raises(FrozenInstanceError):
            made.stage = "achieved"  # type: ignore[misc]


def test_make_crossing_is_the_dataclass_made_by_its_init():
    from csi_rules.sla.status import make_crossing

    at = datetime(2016, 3, 1, 9, tzinfo=UTC)
    threshold = Threshold("warn", 50.0, (), 4)
    made, built = make_crossing(threshold, at), Crossing(threshold, at)
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert pickle.loads(pickle.dumps(made)) == built and replace(made, at=at) == built
    with pytest.raises(FrozenInstanceError):
        made.at = at  # type: ignore[misc]
