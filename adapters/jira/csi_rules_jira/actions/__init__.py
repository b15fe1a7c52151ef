"""Applying actions to Jira: one handler per action type, each idempotent on its own terms."""

from __future__ import annotations

from typing import Any

from csi_rules.adapter import ActionRequest, ActionResult
from csi_rules.capabilities import refusals
from csi_rules.errors import AdapterAuthError, AdapterError, AdapterUnavailable
from csi_rules_jira.actions import approval, assign, comment, fields, link, transition
from csi_rules_jira.actions.capabilities import SKIPPED, for_config
from csi_rules_jira.actions.context import ActionContext, failed, skipped


def apply(ctx: ActionContext, action: ActionRequest, key: str, dry_run: bool) -> ActionResult:
    """Run the handler for `action.type`; platform refusals become `failed` results.

    Auth and availability errors propagate: the run should stop, not record a failure per action.
    """
    params: dict[str, Any] = dict(action.params)
    idem = action.idempotency_key
    problems = list(refusals(for_config(ctx.config), action.type, params))
    if any(p.severity == "error" for p in problems):
        return failed("; ".join(p.message for p in problems if p.severity == "error")
                      + "; nothing was written")
    if action.type in SKIPPED:
        return skipped(SKIPPED[action.type])
    try:
        if action.type == "assign":
            return assign.assign(ctx, key, params, dry_run)
        if action.type == "escalate":
            return assign.escalate(ctx, key, params, dry_run, idem)
        if action.type == "set_priority":
            return fields.set_priority(ctx, key, params, dry_run)
        if action.type == "set_field":
            return fields.set_field(ctx, key, params, dry_run)
        if action.type == "comment":
            return comment.comment(ctx, key, params, dry_run, idem)
        if action.type == "block":
            return assign.then_note(
                [fields.add_label(ctx, key, ctx.config.blocked_label, dry_run)],
                lambda: comment.comment(ctx, key, {"text": f"Blocked: {params['reason']}",
                                                   "visibility": "internal"}, dry_run, idem))
        if action.type == "jira.transition":
            return transition.transition(ctx, key, params, dry_run, idem)
        if action.type == "jira.link":
            return link.link(ctx, key, params, dry_run)
        if action.type == "jira.answer_approval":
            return approval.answer(ctx, key, params, dry_run)
    except (AdapterAuthError, AdapterUnavailable):
        raise
    except AdapterError as exc:
        return failed(str(exc))
    return skipped(f"the jira adapter does not apply action type {action.type!r}")
