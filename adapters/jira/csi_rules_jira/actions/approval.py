"""jira.answer_approval: approve or decline a JSM approval; repeat-safe, 409-aware."""

from __future__ import annotations

from typing import Any

from csi_rules.adapter import ActionResult
from csi_rules.errors import AdapterError
from csi_rules_jira.actions.context import ActionContext, already, applied, dry, failed
from csi_rules_jira.jsm import answer_approval as post_decision
from csi_rules_jira.jsm import request_approvals

_FINAL = {"approve": "approved", "decline": "declined"}


def _pick(approvals: list[dict[str, Any]], which: str) -> dict[str, Any] | None:
    if which:
        return next((a for a in approvals if which in (a["id"], a["name"])), None)
    pending = [a for a in approvals if a["final_decision"] == "pending"]
    return pending[0] if pending else (approvals[-1] if approvals else None)


def answer(ctx: ActionContext, key: str, params: dict[str, Any], dry_run: bool) -> ActionResult:
    decision = str(params["decision"])
    wanted = _FINAL[decision]
    approval = _pick(request_approvals(ctx.transport, key), str(params.get("approval") or ""))
    if approval is None:
        return failed(f"{key}: no approval to answer")
    label = f"approval {approval['id']} ({approval['name']})"
    if approval["final_decision"] == wanted:
        return already(f"{key}: {label} already {wanted}", approval["id"])
    if approval["final_decision"] != "pending":
        return failed(f"{key}: {label} was already {approval['final_decision']}")
    if dry_run:
        return dry(f"{decision} {label} on {key}")
    try:
        post_decision(ctx.transport, key, approval["id"], decision)
    except AdapterError as exc:
        if exc.status != 409:
            raise
        again = _pick(request_approvals(ctx.transport, key), approval["id"])
        final = (again or {}).get("final_decision")
        if final == wanted:
            return already(f"{key}: {label} already {wanted}", approval["id"])
        return failed(f"{key}: {label} was decided meanwhile ({final})")
    return applied(f"{key}: {label} {wanted}", approval["id"])
