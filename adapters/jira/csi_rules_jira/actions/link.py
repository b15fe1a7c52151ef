"""jira.link: link this issue to another, once.

`direction: outward` (default) reads "this issue <outward verb> other" (this *blocks* OPS-2):
this issue goes in `inwardIssue`, the other in `outwardIssue`, and the link then appears on
this issue as `{"outwardIssue": other}`.
"""

from __future__ import annotations

from typing import Any

from csi_rules.adapter import ActionResult
from csi_rules_jira.actions.context import ActionContext, already, applied, dry


def link(ctx: ActionContext, key: str, params: dict[str, Any], dry_run: bool) -> ActionResult:
    kind = str(params["type"])
    other = str(params["issue"])
    direction = str(params.get("direction") or "outward")
    side = "outwardIssue" if direction == "outward" else "inwardIssue"
    links = (ctx.issue(key, ["issuelinks"]).get("fields") or {}).get("issuelinks") or []
    for existing in links:
        same_type = str((existing.get("type") or {}).get("name", "")).casefold() == kind.casefold()
        if same_type and (existing.get(side) or {}).get("key") == other:
            return already(f"{key}: already linked ({kind}, {direction}) to {other}",
                           str(existing.get("id", "")))
    if dry_run:
        return dry(f"link {key} ({kind}, {direction}) to {other}")
    this_side, other_side = ("inwardIssue", "outwardIssue") if direction == "outward" \
        else ("outwardIssue", "inwardIssue")
    ctx.transport.write("POST", f"{ctx.site.api}/issueLink", {
        "type": {"name": kind}, this_side: {"key": key}, other_side: {"key": other}})
    return applied(f"{key}: linked ({kind}, {direction}) to {other}", key)
