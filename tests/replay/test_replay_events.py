"""Replay of hand-made histories whose threshold, breach and escalation instants are known."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

POLICIES = """\
apiVersion: csi-rules/v1
kind: SlaPolicy
metadata: {name: desk-sla}
spec:
  clock:
    pause: {field: state, eq: on_hold}
    stop: {field: state, in: [resolved, closed]}
    cancel: {field: state, eq: canceled}
  thresholds:
    - id: warning
      at: 50
      actions:
        - comment: {text: half used, visibility: internal}
    - {id: breach, at: 100}
  metrics:
    - name: resolution
      targets:
        - {when: {field: priority, eq: 1}, target: 1h}
        - {target: 4h}
---
apiVersion: csi-rules/v1
kind: EscalationPolicy
metadata: {name: p1-ladder}
spec:
  when: {field: priority, eq: 1}
  acknowledged: {field: assignee, exists: true}
  stop: {field: state, in: [resolved, closed]}
  levels:
    - {id: lead, after: 10m, target: {group: Desk Leads}}
    - {id: manager, after: 20m, target: {assignee: duty.manager}}
"""

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday; every goal counts 24x7


def at(hhmm: str) -> str:
    hours, minutes = map(int, hhmm.split(":"))
    return (T0.replace(hour=hours, minute=minutes)).isoformat()


def ticket(ident: str, priority: int, states: list[tuple[str, str]],
           changes: list[tuple[str, str, Any, Any]] = (), opened: str = "09:00") -> dict[str, Any]:
    """A record opened at `opened` in state new; `states` are (hh:mm, new state) in order."""
    history, state = [], "new"
    for when, new in states:
        history.append({"at": at(when), "field": "state", "from": state, "to": new})
        state = new
    history += [{"at": at(w), "field": f, "from": a, "to": b} for w, f, a, b in changes]
    final_priority = changes[-1][3] if changes else priority
    return {"id": ident, "kind": "incident", "priority": final_priority, "state": state,
            "opened_at": at(opened), "history": history}


TICKETS = [
    # paused 10:00-11:00: 2h used at 12:00, 4h at 14:00; resolved late at 15:00
    ticket("paused", 3, [("10:00", "on_hold"), ("11:00", "in_progress"),
                         ("15:00", "resolved")]),
    ticket("quick", 3, [("10:30", "resolved")]),
    # P3 until 09:50, then P1 (1h goal): half was used at 09:30, the whole at 10:00
    ticket("raised", 3, [("11:00", "resolved")], [("09:50", "priority", 3, 1)]),
    # resolved at 10:00 (1h used), reopened 12:00-13:30 (2.5h used: half at 13:00)
    ticket("reopened", 3, [("10:00", "resolved"), ("12:00", "in_progress"), ("13:30", "resolved")]),
    ticket("cancelled", 3, [("09:30", "canceled")]),
    ticket("still-open", 3, [], opened="14:30"),
]


@pytest.fixture
def replayed(tmp_path: Path, cli):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "desk.yaml").write_text(POLICIES)
    history = tmp_path / "history.jsonl"
    history.write_text("".join(json.dumps(t) + "\n" for t in TICKETS))

    def run(*extra: str, to: str | None = at("16:00")) -> tuple[list[dict[str, Any]],
                                                                dict[str, Any]]:
        window = ["--to", to] if to else []
        result = cli("replay", "--policies", str(tmp_path / "policies"), "--history",
                     str(history), *window, *extra)
        assert result.code == 0, result.err
        lines = [json.loads(line) for line in result.out.splitlines()]
        return lines[:-1], lines[-1]["summary"]

    return run


def brief(events: list[dict[str, Any]]) -> list[tuple[str, str, str | None, str]]:
    return [(e["at"][11:16], e["record"]["id"], e["rule"], e["outcome"]) for e in events]


def test_events_come_at_the_instants_the_clocks_reach_them_in_time_order(replayed):
    events, _ = replayed()
    assert brief(events) == [
        ("09:30", "cancelled", None, "cancelled"),
        ("09:50", "raised", "warning", "threshold"),  # half of the 1h goal was used before 09:50
        ("09:50", "raised", "lead", "escalation"),  # due at 09:10 and 09:20, P1 only from 09:50
        ("09:50", "raised", "manager", "escalation"),
        ("10:00", "raised", "breach", "threshold"),
        ("10:00", "raised", None, "breached"),
        ("10:00", "reopened", None, "achieved"),
        ("10:30", "quick", None, "achieved"),
        ("12:00", "paused", "warning", "threshold"),
        ("13:00", "reopened", "warning", "threshold"),
        ("13:30", "reopened", None, "achieved"),
        ("14:00", "paused", "breach", "threshold"),
        ("14:00", "paused", None, "breached"),
    ]


def test_each_event_carries_policy_actions_explanation_source_and_a_unique_key(replayed):
    events, _ = replayed()
    warning = next(e for e in events if e["record"]["id"] == "paused" and e["rule"] == "warning")
    assert warning["policy"]["name"] == "desk-sla" and warning["metric"] == "resolution"
    assert warning["actions"] == [{"comment": {"text": "half used", "visibility": "internal"}}]
    assert warning["explanation"] == "resolution: 50% of the 4h target (24x7) used"
    assert warning["source"].endswith("desk.yaml:10")  # the threshold's line
    assert warning["key"] == "paused/desk-sla/resolution/warning/cycle-1"
    raised = next(e for e in events if e["record"]["id"] == "raised" and e["rule"] == "warning")
    assert raised["explanation"].endswith("used when that goal took effect")
    assert len({e["key"] for e in events}) == len(events)


def test_summary_counts_tickets_events_and_how_each_sla_ended(replayed):
    events, summary = replayed()
    assert summary["tickets"] == 6 and summary["events"] == len(events) == 13
    assert summary["events_by_outcome"] == {"threshold": 5, "breached": 2, "achieved": 3,
                                            "cancelled": 1, "escalation": 2}
    assert summary["slas"] == [{"policy": "desk-sla", "metric": "resolution", "achieved": 2,
                                "breached": 2, "cancelled": 1, "open": 1}]
    assert summary["window"] == {"from": None, "to": at("16:00")}


def test_from_and_to_select_a_window_without_forgetting_earlier_history(replayed):
    events, summary = replayed("--from", at("12:00"))
    assert [e["at"][11:16] for e in events] == ["12:00", "13:00", "13:30", "14:00", "14:00"]
    # SLAs decided inside the window, and those still open at its end
    assert summary["slas"] == [{"policy": "desk-sla", "metric": "resolution", "achieved": 1,
                                "breached": 1, "cancelled": 0, "open": 1}]
    early, summary = replayed(to=at("10:15"))  # history after --to is not known yet
    assert brief(early)[-1] == ("10:00", "reopened", None, "achieved")
    assert len(early) == 7 and summary["slas"][0]["open"] == 2  # paused, quick
    assert (summary["records"], summary["tickets"]) == (6, 5)  # still-open opens at 14:30


def test_text_format_lists_events_then_the_summary(tmp_path, cli, replayed):
    replayed()  # writes the files
    result = cli("replay", "--policies", str(tmp_path / "policies"), "--history",
                 str(tmp_path / "history.jsonl"), "--to", at("16:00"), "--format", "text")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "2026-03-02T09:30:00+00:00  cancelled  desk-sla resolution: cancelled"
    assert "    action: comment(text='half used', visibility='internal')" in lines
    summary = next(i for i, line in enumerate(lines) if line.startswith("replayed "))
    assert lines[summary].startswith("replayed 6 tickets (6 records, 6 input rows) up to "
                                     "2026-03-02T16:00:00+00:00: 13 events")
    assert lines[summary + 1:] == [
        "  desk-sla resolution: 2 achieved, 2 breached, 1 cancelled, 1 open",
        "  P1: 1 tickets; resolution 1 breached of 1",
        "  P3: 5 tickets; resolution 1 breached of 5",
    ]


def test_the_end_defaults_to_the_last_instant_in_the_history(replayed):
    events, summary = replayed(to=None)
    assert summary["window"]["to"] == at("15:00")  # "paused" was resolved then
    assert brief(events)[-1] == ("14:00", "paused", None, "breached")
    assert summary["slas"][0]["open"] == 1  # still-open, 30 minutes in


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2026-03-02T09:00"], "--from: '2026-03-02T09:00' has no UTC offset"),
    (["--to", "soon"], "--to: 'soon' is not an ISO 8601 date-time"),
    (["--from", "2026-03-03T00:00:00Z"], "--from 2026-03-03T00:00:00+00:00 is after the end"),
])
def test_bad_window_options_are_one_line_errors(tmp_path, cli, replayed, args, message):
    replayed()
    result = cli("replay", "--policies", str(tmp_path / "policies"), "--history",
                 str(tmp_path / "history.jsonl"), *args)
    assert result.code == 2 and message in result.err and len(result.err.splitlines()) == 1
