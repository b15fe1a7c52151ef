"""Go/no-go gate checks: each looks at one change and says whether it passes, and why not.

Every check returns a reason a change manager can act on. Checks take `now` and whatever
context they need (calendars, CAB catalogues, conflicts) as arguments; none reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.conditions.ast import Condition
from csi_rules.conditions.evaluate import evaluate, explain
from csi_rules.records.fields import RISK_LEVELS
from csi_rules.records.model import MISSING, Record


@dataclass(frozen=True)
class GateContext:
    """What checks may consult besides the change itself."""

    now: datetime
    calendar: Callable[[str], Any]
    change_models: Mapping[str, Mapping[str, Any]]
    conflicts: Sequence[Any] | None  # conflicts involving this change; None: no schedule given


Verdict = tuple[bool, str]  # passed, reason (the reason also explains a pass)


def _empty(value: Any) -> bool:
    return value is MISSING or (isinstance(value, str | list | tuple) and not
                                (value.strip() if isinstance(value, str) else value))


def required_fields(change: Record, params: Mapping[str, Any], ctx: GateContext) -> Verdict:
    missing = [f for f in params["fields"] if _empty(change.get(f))]
    if missing:
        return False, f"empty or missing: {', '.join(missing)}"
    return True, f"present: {', '.join(params['fields'])}"


def approval(change: Record, params: Mapping[str, Any], ctx: GateContext) -> Verdict:
    states = params.get("states", ["approved"])
    state = change.get("approval")
    if state in states:
        return True, f"approval is {state}"
    shown = "missing" if state is MISSING else repr(state)
    return False, f"approval is {shown}, needs {' or '.join(states)}"


def _window(change: Record) -> tuple[datetime, datetime] | str:
    start, end = change.get("planned_start"), change.get("planned_end")
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return "the change has no planned window (planned_start and planned_end)"
    if end <= start:
        return f"the planned window ends ({end.isoformat()}) before it starts ({start.isoformat()})"
    return start, end


def in_window(change: Record, params: Mapping[str, Any], ctx: GateContext) -> Verdict:
    window = _window(change)
    if isinstance(window, str):
        return False, window
    start, end = window
    if start <= ctx.now < end:
        return True, f"now is inside the approved window {start.isoformat()} – {end.isoformat()}"
    when = "before" if ctx.now < start else "after"
    return False, (f"now ({ctx.now.isoformat()}) is {when} the approved window "
                   f"{start.isoformat()} – {end.isoformat()}")


def no_freeze(change: Record, params: Mapping[str, Any], ctx: GateContext) -> Verdict:
    window = _window(change)
    if isinstance(window, str):
        return False, window
    start, end = window
    kinds = set(params.get("kinds", ["freeze", "blackout"]))
    calendar = ctx.calendar(params["calendar"])
    hits = [w for w in calendar.exclusions
            if w.kind in kinds and w.start < end and start < w.end]
    if hits:
        names = "; ".join(f"{w.kind} '{w.name}' {w.start.isoformat()} – {w.end.isoformat()}"
                          for w in hits)
        return False, f"the planned window overlaps {names}"
    return True, f"no {'/'.join(sorted(kinds))} window in {params['calendar']} overlaps"


def _rank(risk: Any) -> int | None:
    return RISK_LEVELS.index(risk) if risk in RISK_LEVELS else None


def risk_bound(change: Record, params: Mapping[str, Any], ctx: GateContext) -> Verdict:
    kind = change.get("change_type")
    bound = params["max"].get(kind) if isinstance(kind, str) else None
    if bound is None:
        return False, f"no risk bound for change type {kind if kind is not MISSING else 'missing'}"
    risk = change.get("risk")
    if _rank(risk) is None:
        return False, "the change has no risk assessment"
    if RISK_LEVELS.index(risk) > RISK_LEVELS.index(bound):
        return False, f"risk {risk} exceeds the bound {bound} for {kind} changes"
    return True, f"risk {risk} is within {bound} for {kind} changes"


def change_model(change: Record, params: Mapping[str, Any], ctx: GateContext) -> Verdict:
    kind = change.get("change_type")
    if not isinstance(kind, str) or not kind:
        return False, "the change has no change_type, so it cannot be told apart from a standard change"
    if kind != "standard":
        return True, "not a standard change"
    field = params.get("field", "raw.change_model")
    name = change.get(field)
    model = ctx.change_models.get(name) if isinstance(name, str) else None
    if model is None:
        known = ", ".join(sorted(ctx.change_models)) or "none"
        shown = "missing" if name is MISSING else name
        return False, f"standard change without a catalogue model ({field}={shown}; known: {known})"
    limit = model.get("maxRisk")
    risk = _rank(change.get("risk"))
    if limit and (risk is None or risk > RISK_LEVELS.index(limit)):
        return False, f"risk {change.get('risk')} exceeds model {name}'s limit {limit}"
    return True, f"model {name} allows it"


def no_conflicts(change: Record, params: Mapping[str, Any], ctx: GateContext) -> Verdict:
    if ctx.conflicts is None:
        return False, "cannot check conflicts: no schedule given (--schedule FILE)"
    notes = getattr(ctx.conflicts, "notes", ())
    if not ctx.conflicts:
        return True, "; ".join(["no conflicting changes in the schedule", *notes])
    return False, "; ".join(getattr(c, "explanation", str(c)) for c in ctx.conflicts)


def condition(change: Record, params: Mapping[str, Any], ctx: GateContext) -> Verdict:
    cond: Condition = params["__condition"]
    if evaluate(cond, change.get):
        return True, "holds: " + "; ".join(r.format() for r in explain(cond, change.get))
    failed = [r.format() for r in explain(cond, change.get) if not r.result]
    return False, "; ".join(failed) or "condition does not hold"


CHECKS: dict[str, Callable[[Record, Mapping[str, Any], GateContext], Verdict]] = {
    "required_fields": required_fields,
    "approval": approval,
    "in_window": in_window,
    "no_freeze": no_freeze,
    "risk_bound": risk_bound,
    "change_model": change_model,
    "no_conflicts": no_conflicts,
    "condition": condition,
}
