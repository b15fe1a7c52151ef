"""assign / escalate: the assignee (accountId on Cloud, name on DC) and the group field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csi_rules.adapter import ActionResult
from csi_rules_jira import users
from csi_rules_jira.actions.comment import comment
from csi_rules_jira.actions.context import (
    ActionContext,
    already,
    applied,
    dry,
    failed,
    skipped,
)
from csi_rules_jira.actions.fields import set_fields
from csi_rules_jira.values import user_id


def set_assignee(ctx: ActionContext, key: str, name: str, dry_run: bool) -> ActionResult:
    try:
        who = users.resolve(ctx.transport, ctx.site, name, ctx.users)
    except users.UnknownUser as exc:
        return failed(f"{key}: {exc}; nothing was written")
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


def then_note(parts: list[ActionResult], note: Callable[[], ActionResult]) -> ActionResult:
    """The note that reports an action, posted only once every part of it has taken effect
    (applied, already so, or, in a dry run, would be): a failed part leaves no claim."""
    settled = ("applied", "already_applied")
    if all(p.status in settled or p.detail.startswith("dry run:") for p in parts):
        return combine([*parts, note()])
    failed_part = combine(parts)
    return ActionResult("failed", f"{failed_part.detail}; no note was posted",
                        failed_part.platform_ref)


def escalate(ctx: ActionContext, key: str, params: dict[str, Any], dry_run: bool,
             idempotency_key: str) -> ActionResult:
    """Assignee and/or group first; the internal comment saying so only after they landed.
    The level has no Jira field: the comment records it."""
    parts = []
    if params.get("assignee"):
        parts.append(set_assignee(ctx, key, str(params["assignee"]), dry_run))
    if params.get("group"):
        parts.append(set_group(ctx, key, str(params["group"]), dry_run))
    if not parts:
        return failed("escalate on Jira needs an assignee or a group: a note alone escalates "
                      "nothing")
    level = f"Escalated to level {params['level']}" if params.get("level") else "Escalated"
    text = f"{level}: {params['reason']}" if params.get("reason") else level
    return then_note(parts, lambda: comment(ctx, key, {"text": text, "visibility": "internal"},
                                            dry_run, idempotency_key))
