"""A ticket whose history is not available is judged from what it says now (resolved_at,
closed_at, opened_at), and its explanation says that is an estimate."""

from __future__ import annotations

from datetime import timedelta

from csi_rules.policy.loader import load_text
from csi_rules.policy.model import PolicySet
from csi_rules.records import parse_record
from csi_rules.sla.evaluate import sla_statuses
from tests.sla.test_clock import T0

POLICY = """
apiVersion: csi-rules/v1
kind: SlaPolicy
metadata: {name: sla}
spec:
  clock:
    pause: {field: state, eq: on_hold}
    stop: {field: state, in: [resolved, closed]}
  thresholds:
    - {id: half, at: 50}
    - {id: breach, at: 100}
  metrics:
    - name: resolution
      targets:
        - {target: 4h}
"""


def policy_set(plugins) -> PolicySet:
    docs, findings = load_text(POLICY, "sla.yaml")
    assert not findings
    return PolicySet([plugins.kinds.get("SlaPolicy").build(docs[0])])


def bare(**fields):
    """A record as an adapter without history access gives it: no `history` key."""
    return parse_record({"id": "r", "kind": "incident", "priority": 2,
                         "opened_at": T0.isoformat(), **fields})


def one(plugins, rec, minutes):
    (s,) = sla_statuses(policy_set(plugins), rec, T0 + timedelta(minutes=minutes))
    return s


def test_a_resolved_ticket_without_history_stops_its_clock_at_resolved_at(plugins):
    rec = bare(state="resolved", resolved_at=(T0 + timedelta(minutes=150)).isoformat())
    s = one(plugins, rec, 24 * 60)  # looked at a day later
    assert (s.stage, s.clock) == ("achieved", "stopped")
    assert s.elapsed == 150 * 60.0  # not 0 s (resolved since opening), not a day (until now)
    assert s.stopped_at == T0 + timedelta(minutes=150)
    assert [c.threshold.id for c in s.crossed] == ["half"]
    assert "no history available" in s.explain() and "resolved at" in s.explain()
    assert s.to_json()["estimate"].startswith("no history available: assumed in_progress")


def test_a_closed_ticket_without_history_passes_through_resolved(plugins):
    rec = bare(state="closed", resolved_at=(T0 + timedelta(hours=5)).isoformat(),
               closed_at=(T0 + timedelta(days=3)).isoformat())
    s = one(plugins, rec, 10 * 24 * 60)
    assert s.stage == "breached" and s.stopped_at == T0 + timedelta(hours=5)
    assert s.elapsed == 5 * 3600.0  # resolved stopped it; closing did not restart it


def test_an_on_hold_ticket_without_history_says_what_it_assumed(plugins):
    s = one(plugins, bare(state="on_hold"), 300)
    assert s.clock == "paused"
    assert f"assumed on_hold since {T0.isoformat().replace('+00:00', 'Z')}" in s.explain()


def test_a_ticket_with_history_is_not_an_estimate(plugins):
    rec = parse_record({"id": "r", "kind": "incident", "priority": 2, "state": "resolved",
                        "opened_at": T0.isoformat(),
                        "resolved_at": (T0 + timedelta(minutes=150)).isoformat(),
                        "history": [{"at": (T0 + timedelta(minutes=60)).isoformat(),
                                     "field": "state", "from": "in_progress",
                                     "to": "resolved"}]})
    s = one(plugins, rec, 300)
    assert s.elapsed == 60 * 60.0 and s.stopped_at == T0 + timedelta(minutes=60)
    assert "estimate" not in s.explain() and "estimate" not in s.to_json()


def test_an_adapter_can_say_the_history_it_sent_is_incomplete(plugins):
    rec = parse_record({"id": "r", "kind": "incident", "priority": 2, "state": "resolved",
                        "opened_at": T0.isoformat(), "history": [],
                        "resolved_at": (T0 + timedelta(minutes=90)).isoformat(),
                        "raw": {"history_unavailable": True}})
    s = one(plugins, rec, 300)
    assert s.elapsed == 90 * 60.0 and "no history available" in s.explain()
