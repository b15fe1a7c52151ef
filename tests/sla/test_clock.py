"""SLA clock behaviour over histories: pauses, reopen, changing goals, sticky breaches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csi_rules.policy.loader import load_text
from csi_rules.policy.model import PolicySet
from csi_rules.records import parse_record
from csi_rules.sla.evaluate import sla_statuses

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def policy_set(plugins, on_reopen: str = "resume") -> PolicySet:
    text = f"""
apiVersion: csi-rules/v1
kind: SlaPolicy
metadata: {{name: sla}}
spec:
  clock:
    pause: {{field: state, eq: on_hold}}
    stop: {{field: state, eq: resolved}}
    onReopen: {on_reopen}
  thresholds:
    - {{id: half, at: 50}}
    - {{id: breach, at: 100}}
  metrics:
    - name: resolution
      targets:
        - {{when: {{field: priority, eq: 1}}, target: 1h}}
        - {{target: 4h}}
"""
    docs, findings = load_text(text, "sla.yaml")
    assert not findings
    kind = plugins.kinds.get("SlaPolicy")
    return PolicySet([kind.build(docs[0])])


def record(priority: int, history: list[tuple[int, str, object, object]], **fields):
    return parse_record({
        "id": "r", "kind": "incident", "priority": priority, "opened_at": T0.isoformat(),
        **fields,
        "history": [{"at": (T0 + timedelta(minutes=m)).isoformat(), "field": f, "from": a, "to": b}
                    for m, f, a, b in history]})


def status(plugins, rec, minutes: int, on_reopen: str = "resume"):
    (s,) = sla_statuses(policy_set(plugins, on_reopen), rec, T0 + timedelta(minutes=minutes))
    return s


def test_pause_stops_the_clock_and_next_change_is_none_while_paused(plugins):
    rec = record(2, [(60, "state", "in_progress", "on_hold")], state="on_hold")
    s = status(plugins, rec, 300)
    assert (s.stage, s.clock, s.elapsed) == ("paused", "paused", 3600.0)
    assert s.next_change is None and s.predicted_breach is None


def test_reopen_resumes_by_default_and_restarts_a_cycle_when_configured(plugins):
    hist = [(60, "state", "in_progress", "resolved"), (120, "state", "resolved", "in_progress")]
    rec = record(2, hist, state="in_progress")
    resumed = status(plugins, rec, 150)
    assert (resumed.stage, resumed.cycle, resumed.elapsed) == ("in_progress", 1, 90 * 60.0)
    restarted = status(plugins, rec, 150, "restart")
    assert (restarted.stage, restarted.cycle, restarted.elapsed) == ("in_progress", 2, 30 * 60.0)


def test_a_priority_raised_later_applies_its_goal_from_the_change(plugins):
    rec = record(1, [(90, "priority", 2, 1)])
    s = status(plugins, rec, 100)
    assert s.stage == "breached"
    assert s.breached_at == T0 + timedelta(minutes=90)  # 90 min used when the 1h goal began


def test_a_breach_stays_when_the_priority_is_lowered_afterwards(plugins):
    rec = record(3, [(70, "priority", 1, 3)])
    s = status(plugins, rec, 80)
    assert s.target.seconds == 4 * 3600  # the goal now in effect
    assert s.stage == "breached" and s.breached_at == T0 + timedelta(hours=1)


def test_next_change_is_the_next_threshold_so_a_runner_knows_when_to_wake(plugins):
    s = status(plugins, record(2, []), 30)
    assert s.next_change == T0 + timedelta(hours=2)  # 50% of 4h
    assert s.predicted_breach == T0 + timedelta(hours=4)
    later = status(plugins, record(2, []), 150)
    assert [c.threshold.id for c in later.crossed] == ["half"]
    assert later.next_change == T0 + timedelta(hours=4)


events = st.lists(st.tuples(st.integers(1, 600), st.sampled_from(["state", "priority"])),
                  max_size=8)


@settings(max_examples=150, deadline=None)
@given(events, st.integers(0, 700), st.integers(0, 700))
def test_breach_never_reverts_as_now_moves_on(plugins, changes, a, b):
    states = ["in_progress", "on_hold", "resolved"]
    hist = []
    current = {"state": "in_progress", "priority": 2}
    for i, (minute, field) in enumerate(sorted(changes)):
        new = states[i % 3] if field == "state" else (1 if current["priority"] != 1 else 3)
        hist.append((minute, field, current[field], new))
        current[field] = new
    rec = record(current["priority"], hist, state=current["state"])
    early, late = sorted((a, b))
    s1, s2 = status(plugins, rec, early), status(plugins, rec, late)
    if s1.stage == "breached":
        assert s2.stage == "breached" and s2.breached_at == s1.breached_at
    assert s2.elapsed >= s1.elapsed - 1e-6


def test_a_finished_sla_keeps_the_goal_it_finished_under(plugins):
    # resolved after 3h as a P3 (4h goal), made P1 (1h goal) a day later: still achieved
    rec = record(1, [(180, "state", "in_progress", "resolved"), (1440, "priority", 3, 1)],
                 state="resolved")
    s = status(plugins, rec, 1500)
    assert (s.stage, s.target.seconds) == ("achieved", 4 * 3600)
    assert [c.threshold.id for c in s.crossed] == ["half"]
