"""Comments: ADF on REST v3, plain text on v2; internal vs public on JSM; never posted twice.

Each comment carries an entity property `csi-rules` holding the action's idempotency key;
before posting we look for it, so a repeated action (or one whose answer was lost) finds its
comment instead of adding a second one.
"""

from __future__ import annotations

from typing import Any

from csi_rules.adapter import ActionResult
from csi_rules_jira.actions.context import ActionContext, already, applied, dry
from csi_rules_jira.adf import text_to_adf

PROPERTY_KEY = "csi-rules"
JSM_VISIBILITY_KEY = "sd.public.comment"


def find_comment(ctx: ActionContext, key: str, idempotency_key: str) -> str | None:
    """The id of the comment an earlier run posted for this idempotency key, if any."""
    start = 0
    while True:
        page: Any = ctx.transport.read(ctx.issue_path(key, "/comment"), {
            "startAt": start, "maxResults": 100, "expand": "properties"}) or {}
        comments = page.get("comments") or []
        for item in comments:
            for prop in item.get("properties") or ():
                value = prop.get("value") or {}
                if prop.get("key") == PROPERTY_KEY and \
                        value.get("idempotency_key") == idempotency_key:
                    return str(item.get("id"))
        start += len(comments)
        if not comments or start >= int(page.get("total", 0)):
            return None


def comment_body(ctx: ActionContext, key: str, text: str, visibility: str,
                 idempotency_key: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "body": text_to_adf(text) if ctx.site.deployment == "cloud" else text,
        "properties": [{"key": PROPERTY_KEY, "value": {"idempotency_key": idempotency_key}}],
    }
    if ctx.is_service_desk(key):
        body["properties"].append({"key": JSM_VISIBILITY_KEY,
                                   "value": {"internal": visibility == "internal"}})
    elif visibility == "internal" and ctx.config.internal_comment_visibility:
        body["visibility"] = dict(ctx.config.internal_comment_visibility)
    return body


def comment(ctx: ActionContext, key: str, params: dict[str, Any], dry_run: bool,
            idempotency_key: str) -> ActionResult:
    visibility = str(params.get("visibility") or "internal")
    existing = find_comment(ctx, key, idempotency_key)
    if existing:
        return already(f"{key}: comment {existing} already posted", existing)
    if dry_run:
        return dry(f"add a {visibility} comment to {key}")
    created: Any = ctx.transport.write(
        "POST", ctx.issue_path(key, "/comment"),
        comment_body(ctx, key, str(params["text"]), visibility, idempotency_key))
    ref = str((created or {}).get("id", ""))
    return applied(f"{key}: added {visibility} comment {ref}".rstrip(), ref)
