"""Editing fields (set_field, set_priority, assignment group, labels) idempotently.

The write shape of a value depends on the field's type from GET /field: options are
`{"value"}`, groups `{"name"}`, users `{"accountId"}` (Cloud) or `{"name"}` (DC), lists of
either, and rich-text fields ADF on REST v3.
"""

from __future__ import annotations

from typing import Any

from csi_rules.adapter import ActionResult
from csi_rules_jira.actions.context import ActionContext, already, applied, dry, skipped
from csi_rules_jira.adf import text_to_adf
from csi_rules_jira.values import scalar

_RICH_TEXT = ("textarea",)


def write_value(ctx: ActionContext, field_id: str, value: Any) -> Any:
    """`value` in the JSON shape Jira expects for `field_id`."""
    if value is None:
        return None
    schema = ctx.field_schema(field_id) or {}
    kind, items = schema.get("type"), schema.get("items")
    user_key = ctx.site.user_key
    if kind == "option":
        return {"value": str(value)}
    if kind in ("priority", "group", "resolution", "version", "component"):
        return {"name": str(value)}
    if kind == "user":
        return {user_key: str(value)}
    if kind == "array":
        values = value if isinstance(value, list) else [value]
        if items == "option":
            return [{"value": str(v)} for v in values]
        if items in ("component", "version", "group"):
            return [{"name": str(v)} for v in values]
        if items == "user":
            return [{user_key: str(v)} for v in values]
        return [str(v) for v in values]
    if kind == "number":
        return float(value) if not isinstance(value, int | float) else value
    rich = field_id == "description" or str(schema.get("custom", "")).endswith(_RICH_TEXT)
    if kind == "string" and rich and ctx.site.deployment == "cloud":
        return text_to_adf(str(value))
    return value


def same_value(current: Any, desired: Any) -> bool:
    """Whether the field already holds `desired` (lists compared as sets, text trimmed)."""
    now = scalar(current)
    if isinstance(now, list) or isinstance(desired, list):
        want = desired if isinstance(desired, list) else [desired]
        have = now if isinstance(now, list) else ([] if now is None else [now])
        return {str(v) for v in have} == {str(v) for v in want}
    if now is None or desired is None:
        return now is None and desired is None
    numbers = (int, float)
    if isinstance(desired, numbers) and isinstance(now, numbers) \
            and not isinstance(desired, bool) and not isinstance(now, bool):
        return float(now) == float(desired)
    return str(now).strip() == str(desired).strip()


def set_fields(ctx: ActionContext, key: str, wanted: dict[str, Any], *, dry_run: bool,
               what: str) -> ActionResult:
    """PUT only the fields that differ; `already_applied` when none do."""
    issue = ctx.issue(key, list(wanted))
    current = issue.get("fields") or {}
    changes = {fid: v for fid, v in wanted.items() if not same_value(current.get(fid), v)}
    if not changes:
        return already(f"{key}: {what} already set")
    if dry_run:
        return dry(f"set {what} on {key}")
    body = {"fields": {fid: write_value(ctx, fid, v) for fid, v in changes.items()}}
    ctx.transport.write("PUT", ctx.issue_path(key), body)
    return applied(f"{key}: set {what}", key)


def set_field(ctx: ActionContext, key: str, params: dict[str, Any], dry_run: bool) -> ActionResult:
    field_id = ctx.resolve_field(str(params["field"]))
    return set_fields(ctx, key, {field_id: params.get("value")}, dry_run=dry_run,
                      what=f"{field_id}={params.get('value')!r}")


def set_priority(ctx: ActionContext, key: str, params: dict[str, Any],
                 dry_run: bool) -> ActionResult:
    name = ctx.config.priority_name(int(params["priority"]))
    if name is None:
        return skipped(f"no Jira priority is mapped to {params['priority']} (see priority_map)")
    return set_fields(ctx, key, {"priority": name}, dry_run=dry_run, what=f"priority {name}")


def add_label(ctx: ActionContext, key: str, label: str, dry_run: bool) -> ActionResult:
    labels = (ctx.issue(key, ["labels"]).get("fields") or {}).get("labels") or []
    if label in labels:
        return already(f"{key}: label {label} already present")
    if dry_run:
        return dry(f"add label {label} to {key}")
    ctx.transport.write("PUT", ctx.issue_path(key), {"update": {"labels": [{"add": label}]}})
    return applied(f"{key}: added label {label}", key)
