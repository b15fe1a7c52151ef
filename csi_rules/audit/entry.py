"""What one audit entry holds: the decision (record, policy version, rule, reasons) and what
each of its actions did. Built here so the runner and the store agree on one shape."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

ENTRY_DECISION = "decision"
ENTRY_POLICY_RELOAD = "policy_reload"
ENTRY_ENGINE_DISAGREEMENT = "engine_disagreement"
ENTRY_DRY_RUN_CYCLE = "dry_run_cycle"


def decision_entry(decision: Mapping[str, Any], adapter: str, at: datetime,
                   actions: Iterable[Mapping[str, Any]], *, dry_run: bool) -> dict[str, Any]:
    """`decision` is Decision.to_json(); `actions` one mapping per action with its result."""
    return {
        "type": ENTRY_DECISION,
        "at": at.isoformat(),
        "adapter": adapter,
        "dry_run": dry_run,
        "record": dict(decision["record"]),
        "policy": dict(decision["policy"]),
        "rule": decision.get("rule"),
        "source": decision.get("source"),
        "outcome": decision.get("outcome"),
        "decision_key": decision.get("key"),
        "evaluated_at": decision.get("now"),
        "reasons": list(decision.get("reasons", ())),
        **({"explain": decision["details"]["explain"]}
           if isinstance(decision.get("details"), Mapping) and "explain" in decision["details"]
           else {}),
        **_first_sight(decision.get("details")),
        "actions": [dict(a) for a in actions],
    }


def _first_sight(details: Any) -> dict[str, Any]:
    """A catch-up decision's `first_seen` and `missed` crossings (runtime.backlog)."""
    if not isinstance(details, Mapping):
        return {}
    return {k: details[k] for k in ("first_seen", "missed") if k in details}


def action_result(key: str, type_: str, params: Mapping[str, Any], status: str, detail: str,
                  platform_ref: str = "", attempts: int = 0) -> dict[str, Any]:
    return {"key": key, "type": type_, "params": dict(params), "status": status,
            "detail": detail, "platform_ref": platform_ref, "attempts": attempts}


def reload_entry(at: datetime, version: str, policies: Iterable[tuple[str, str, str]]
                 ) -> dict[str, Any]:
    """A policy set taking over: its version and each policy's (name, kind, content hash)."""
    return {"type": ENTRY_POLICY_RELOAD, "at": at.isoformat(), "version": version,
            "record": {"id": "", "label": ""},
            "policies": [{"name": n, "kind": k, "version": v} for n, k, v in policies]}


def disagreement_entry(at: datetime, record: str, detail: str, engines: tuple[str, str]
                       ) -> dict[str, Any]:
    """The verifying engine decided a live record differently from the deciding one."""
    return {"type": ENTRY_ENGINE_DISAGREEMENT, "at": at.isoformat(),
            "record": {"id": "", "label": record}, "engines": list(engines), "detail": detail}


def dry_run_cycle_entry(at: datetime, cycle: Mapping[str, Any]) -> dict[str, Any]:
    """What a dry-run cycle read and decided (CycleReport.to_json()): a dry run moves no
    watermark, so this is how `csi-rules status` can tell what it saw afterwards."""
    keep = ("synced", "records", "decisions", "actions", "errors", "first_seen", "set_aside")
    return {"type": ENTRY_DRY_RUN_CYCLE, "at": at.isoformat(), "record": {"id": "", "label": ""},
            **{k: cycle[k] for k in keep if k in cycle}}
