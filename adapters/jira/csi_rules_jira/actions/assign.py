"""assign / escalate: the assignee (accountId on Cloud, name on DC) and the group field."""

from __future__ import annotations

from typing import Any

from csi_rules.adapter import ActionResult
from csi_rules_jira.actions.comment import comment
from csi_rules_jira.actions.context import ActionContext, already, applied, dry, skipped
from csi_rules_jira.actions.fields import set_fields
from csi_rules_jira.values import user_id


def set_assignee(ctx: ActionContext, key: str, who: str, dry_run: bool) -> ActionResult:
    current = user_id((ctx.issue(key, ["assignee"]).get("fields") or {}).get("assignee"))
    if current == who:
        return already(f"{key}: already assigned to {who}")
    if dry_run:
        return dry(f"assign {key} to {who}")
    ctx.transport.write("PUT", ctx.issue_path(key, "/assignee"), {ctx.site.user_key: who})
    return applied(f"{key}: assigned to {who}", key)


def set_group(ctx: ActionContext, key: str, group: str, dry_run: bool) -> ActionResult:
    field_id = ctx.config.field_map.get("assignment_group")
    if not field_id:
        return skipped("no assignment_group in field_map: Jira has no built-in group field")
    return set_fields(ctx, key, {field_id: group}, dry_run=dry_run, what=f"group {group}")


def combine(results: list[ActionResult]) -> ActionResult:
    """One result for several parts: applied if any part was, failed if any failed."""
    for status in ("failed", "applied"):
        hit = [r for r in results if r.status == status]
        if hit:
            return ActionResult(status, "; ".join(r.detail for r in results), hit[0].platform_ref)
    if any(r.status == "already_applied" for r in results):
        return ActionResult("already_applied", "; ".join(r.detail for r in results))
    return ActionResult("skipped", "; ".join(r.detail for r in results))


def assign(ctx: ActionContext, key: str, params: dict[str, Any], dry_run: bool) -> ActionResult:
    parts = []
    if params.get("assignee"):
        parts.append(set_assignee(ctx, key, str(params["assignee"]), dry_run))
    if params.get("group"):
        parts.append(set_group(ctx, key, str(params["group"]), dry_run))
    return combine(parts)


def escalate(ctx: ActionContext, key: str, params: dict[str, Any], dry_run: bool,
             idempotency_key: str) -> ActionResult:
    parts = []
    if params.get("group"):
        parts.append(set_group(ctx, key, str(params["group"]), dry_run))
    reason = params.get("reason") or (f"Escalated to level {params['level']}"
                                      if params.get("level") else "")
    if reason:
        parts.append(comment(ctx, key, {"text": reason, "visibility": "internal"}, dry_run,
                             idempotency_key))
    return combine(parts) if parts else skipped("escalate needs a group or a reason on Jira")
