"""An SLA threshold's decisions (sla/decision.py: shared status facts plus the crossing) read,
compare, hash, pickle, replace and write as the plain `Decision`s built field by field."""

from __future__ import annotations

import dataclasses
import json
import pickle
from datetime import timedelta

import pytest

from csi_rules.cli.evaluate_json import DecisionText
from csi_rules.decisions import OUTCOME_THRESHOLD, Decision
from csi_rules.sla.decision import ThresholdDecision
from csi_rules.sla.evaluate import sla_decisions
from tests.sla.test_clock import T0, policy_set, record

ENCODE = json.JSONEncoder(check_circular=False).encode


def _plain(d: Decision) -> Decision:
    return Decision(*(getattr(d, f.name) for f in dataclasses.fields(Decision)))


def test_threshold_decisions_are_the_decisions_built_field_by_field(plugins) -> None:
    ps = policy_set(plugins)
    ticket = record(1, [(30, "state", "new", "on_hold"), (60, "state", "on_hold", "new")])
    now = T0 + timedelta(hours=5)
    decisions = sla_decisions(ps, ticket, now)
    assert [d.rule_id for d in decisions] == ["resolution/half", "resolution/breach"]
    text = DecisionText(ENCODE)
    for d in decisions:
        assert type(d) is ThresholdDecision
        plain = _plain(d)
        assert d == plain and plain == d
        for unhashable in (d, plain):  # its details are a dict, as a plain decision's are
            with pytest.raises(TypeError):
                hash(unhashable)
        assert d.outcome == OUTCOME_THRESHOLD and d.reasons == ()
        assert d.key == f"r/sla/{d.rule_id}/cycle-1"
        assert d.details["crossed_at"] == d.details["thresholds_crossed"][
            ["half", "breach"].index(d.rule_id.split("/")[1])]["at"]
        assert d.to_json() == plain.to_json()
        assert text(d) == ENCODE(d.to_json()) == ENCODE(plain.to_json())
        assert d.format_text() == plain.format_text()
        again = pickle.loads(pickle.dumps(d))
        assert type(again) is Decision and again == d
        replaced = dataclasses.replace(d, key="other")
        assert type(replaced) is Decision and replaced.key == "other"
        assert replaced.details == d.details
        with pytest.raises(dataclasses.FrozenInstanceError):
            d.key = "x"  # type: ignore[misc]
    assert decisions[0] != decisions[1]
    assert decisions[0].details is decisions[0].details  # made once, then kept
