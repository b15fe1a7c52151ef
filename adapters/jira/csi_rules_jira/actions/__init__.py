"""Applying actions to Jira: one handler per action type, each idempotent on its own terms."""

from __future__ import annotations

from typing import Any

from csi_rules.adapter import ActionRequest, ActionResult
from csi_rules.errors import AdapterAuthError, AdapterError, AdapterUnavailable
from csi_rules_jira.actions import approval, assign, comment, fields, link, transition
from csi_rules_jira.actions.context import ActionContext, failed, skipped

NOT_ON_JIRA = {
    "notify": "notifications are sent by csi-rules notifiers, not through Jira",
    "request_approval": "JSM approvals are opened by the workflow: use jira.transition to the "
                        "approval status",
}


def apply(ctx: ActionContext, action: ActionRequest, key: str, dry_run: bool) -> ActionResult:
    """Run the handler for `action.type`; platform refusals become `failed` results.

    Auth and availability errors propagate: the run should stop, not record a failure per action.
    """
    params: dict[str, Any] = dict(action.params)
    idem = action.idempotency_key
    try:
        if action.type in NOT_ON_JIRA:
            return skipped(NOT_ON_JIRA[action.type])
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
            return assign.combine([
                fields.add_label(ctx, key, ctx.config.blocked_label, dry_run),
                comment.comment(ctx, key, {"text": f"Blocked: {params['reason']}",
                                           "visibility": "internal"}, dry_run, idem)])
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
