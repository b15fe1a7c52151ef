"""POST /v1/gate: the change gate for pipelines; the same checks and verdict as `csi-rules gate`.

Body: `{"change": RECORD, "schedule": [RECORD, ...]?, "now": ISO8601?}`. 200 with the verdict
(go, go-with-warnings or no-go: a no-go is an answer, not an error); 400/422 for bad input.
`?format=text|markdown` returns the CLI's text renderings instead of JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csi_rules import safe_json
from csi_rules.change.gate import evaluate_gate
from csi_rules.change.render import RENDERERS
from csi_rules.change.schedule import conflicts_with
from csi_rules.errors import CsiRulesError
from csi_rules.records.model import parse_record
from csi_rules.server.context import ServerContext
from csi_rules.server.responses import Answer, problem


def gate(ctx: ServerContext, body: bytes, fmt: str = "json") -> Answer:
    if fmt not in RENDERERS:
        return problem(400, f"format must be one of {', '.join(RENDERERS)}")
    try:
        payload: Any = safe_json.loads(body)
    except ValueError as exc:  # JSONDecodeError, or JsonRefused: too deep, too large, not UTF-8
        return problem(400, f"body is not JSON we accept: {getattr(exc, 'msg', exc)}")
    if not isinstance(payload, dict) or "change" not in payload:
        return problem(400, "body must be an object with a 'change' record")
    unknown = sorted(set(payload) - {"change", "schedule", "now"})
    if unknown:
        return problem(400, f"unknown key(s) {', '.join(unknown)} (allowed: change, schedule, now)")
    try:
        change = parse_record(payload["change"], "change")
        schedule = payload.get("schedule")
        others = None
        if schedule is not None:
            if not isinstance(schedule, list):
                return problem(400, "'schedule' must be a list of change records")
            others = [parse_record(r, f"schedule[{i}]") for i, r in enumerate(schedule)]
        now = ctx.clock.now()
        if "now" in payload:
            now = datetime.fromisoformat(str(payload["now"]))
            if now.tzinfo is None:
                return problem(400, "'now' has no UTC offset (add 'Z' or '+01:00')")
    except ValueError as exc:
        return problem(400, f"'now': {exc}")
    except CsiRulesError as exc:
        return problem(400, str(exc))
    policy_set = ctx.policy_set()
    if not any(change.kind in p.applies_to for p in policy_set.of_kind("GatePolicy")):
        return problem(422, f"no GatePolicy applies to {change.kind} records: refusing to "
                            "answer go without checks")
    conflicts = None
    if others is not None:
        conflicts = conflicts_with(policy_set, change, others)  # default same-CI without a policy
    result = evaluate_gate(policy_set, change, now, conflicts)
    ctx.metrics.inc("csi_rules_gate_requests_total", verdict=result.verdict)
    if fmt == "json":
        return Answer(200, result.to_json())
    return Answer(200, RENDERERS[fmt](result) + "\n", "text/plain; charset=utf-8")
