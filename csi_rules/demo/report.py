"""Print what the demo's runner cycle decided and did, grouped the way a service desk reads it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from csi_rules.change.gate import evaluate_gate
from csi_rules.change.schedule import conflicts_with
from csi_rules.demo.live import LiveRun
from csi_rules.policy.model import PolicySet

SECTIONS = (
    ("Routing", ("RoutingPolicy",)),
    ("SLA warnings and breaches", ("SlaPolicy",)),
    ("Escalations", ("EscalationPolicy",)),
    ("CAB routes", ("CabRoutingPolicy",)),
)


def _action_text(action: dict[str, Any]) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in action["params"].items())
    text = f"{action['type']}({params}) → {action['status']}"
    if action["status"] in ("failed", "skipped") and action.get("detail"):
        text += f": {action['detail']}"
    return text


def _short(text: str, width: int = 150) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def print_cycle(run: LiveRun, limit: int = 6) -> None:
    for name, url in run.urls.items():
        print(f"   {name} emulator: {url}")
    tally = run.cycle.to_json()
    print(f"   one runner cycle: {tally}")
    decisions = [e for e in run.audit if e.get("type") == "decision"]
    statuses = Counter(a["status"] for e in decisions for a in e["actions"])
    print(f"   {len(decisions)} decisions logged, actions: {dict(statuses)}")
    for title, kinds in SECTIONS:
        rows = [e for e in decisions if e["policy"]["kind"] in kinds]
        print(f"\n   -- {title}: {len(rows)}")
        for entry in rows[:limit]:
            why = entry.get("explain") or ""
            print(f"     {entry['record']['label']}: {entry['policy']['name']} → "
                  f"{entry['rule'] or 'default'}" + (f"  ({_short(why)})" if why else ""))
            for action in entry["actions"]:
                print(f"         {_short(_action_text(action))}")
        if len(rows) > limit:
            print(f"     ... and {len(rows) - limit} more")


def print_gates(policy_set: PolicySet, run: LiveRun, now: datetime) -> None:
    changes: Sequence[Any] = run.changes
    print(f"\n   -- Go/no-go for {len(changes)} changes on the platforms")
    for change in changes:
        conflicts = conflicts_with(policy_set, change, list(changes))
        result = evaluate_gate(policy_set, change, now, conflicts)
        failed = ", ".join(f"{c.check} ({c.reason})" for c in result.failed) or "all checks pass"
        print(f"     {change.label}: {result.verdict}: {failed}")
        for conflict in conflicts:
            print(f"         conflict: {conflict.explanation}")
