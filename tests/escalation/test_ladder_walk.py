"""A ladder's walk over a ticket's snapshots: rungs due before acknowledgement fire, the walk
ends when someone takes the ticket or it is resolved, and the major-incident trigger; the same
answers however often the same values come back (the verdicts are remembered by value)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csi_rules.escalation.evaluate import escalation_decisions
from csi_rules.policy.validate import load_policy_set
from csi_rules.records import parse_record
from csi_rules.sla.timeline import snapshots
from tests.conftest import POLICIES

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=3)


def _ticket(n: int, history: list[tuple[int, str, object, object]], **fields: object):
    return parse_record({
        "id": f"t{n}", "kind": "incident", "priority": 1, "state": "new",
        "opened_at": T0.isoformat(), **fields,
        "history": [{"at": (T0 + timedelta(minutes=m)).isoformat(), "field": f, "from": a,
                     "to": b} for m, f, a, b in history]})


def _rules(policy_set, ticket) -> list[str | None]:
    decisions = escalation_decisions(policy_set, ticket, NOW, list(snapshots(ticket, NOW)))
    return [d.rule_id for d in decisions if d.policy == "unacknowledged-high-priority"]


def test_rungs_fire_until_the_ticket_is_taken_or_resolved(plugins) -> None:
    policy_set = load_policy_set([str(POLICIES / "escalation")], plugins)
    for n in range(3):  # the same values again: the same answers
        taken = _ticket(n, [(25, "assignee", None, "ann")], assignee="ann")
        assert _rules(policy_set, taken) == ["resolver-group", "on-call"]
        resolved = _ticket(n, [(15, "state", "new", "resolved")], state="resolved")
        assert _rules(policy_set, resolved) == ["resolver-group"]
        untouched = _ticket(n, [])
        assert _rules(policy_set, untouched) == [
            "resolver-group", "on-call", "duty-manager", "on-call#1", "duty-manager#1",
            "on-call#2", "duty-manager#2"]
        low = _ticket(n, [], priority=3)
        assert _rules(policy_set, low) == []
        gold = _ticket(n, [(5, "assignee", None, "ann")], assignee="ann", service_tier="gold")
        assert _rules(policy_set, gold) == ["major-incident"]
