"""jira.transition: move an issue through its workflow by transition name or target status.

Transition ids differ per workflow, so the id is looked up by name each time. The action is
a no-op when the issue already sits in the target status, and an issue property
`csi-rules.applied` remembers idempotency keys so a repeat after the issue moved on is too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from csi_rules.adapter import ActionResult
from csi_rules.errors import RecordNotFound
from csi_rules_jira.actions.context import ActionContext, already, applied, dry, failed

LEDGER_PROPERTY = "csi-rules.applied"
LEDGER_SIZE = 50


def _ledger(ctx: ActionContext, key: str) -> list[str]:
    try:
        prop: Any = ctx.transport.read(ctx.issue_path(key, f"/properties/{quote(LEDGER_PROPERTY)}"))
    except RecordNotFound:
        return []
    return list(((prop or {}).get("value") or {}).get("keys") or [])


def _remember(ctx: ActionContext, key: str, keys: list[str], idempotency_key: str) -> None:
    keys = [*keys, idempotency_key][-LEDGER_SIZE:]
    ctx.transport.write("PUT", ctx.issue_path(key, f"/properties/{quote(LEDGER_PROPERTY)}"),
                        {"keys": keys})


def transition(ctx: ActionContext, key: str, params: dict[str, Any], dry_run: bool,
               idempotency_key: str) -> ActionResult:
    name = str(params.get("name") or "")
    target = str(params.get("to") or "")
    done = _ledger(ctx, key)
    if idempotency_key in done:
        return already(f"{key}: transition already applied by this action")
    status = str(((ctx.issue(key, ["status"]).get("fields") or {}).get("status") or {})
                 .get("name", ""))
    if target and status.casefold() == target.casefold():
        return already(f"{key}: already in status {status}")
    listing: Any = ctx.transport.read(ctx.issue_path(key, "/transitions")) or {}
    options = listing.get("transitions") or []
    match = next((t for t in options if name and str(t.get("name", "")).casefold()
                  == name.casefold()), None)
    if match is None and target and not name:
        match = next((t for t in options if str((t.get("to") or {}).get("name", "")).casefold()
                      == target.casefold()), None)
    if match is None:
        available = ", ".join(sorted(str(t.get("name")) for t in options)) or "none"
        wanted = f"named {name!r}" if name else f"to {target!r}"
        return failed(f"{key}: no transition {wanted} from status {status!r} "
                      f"(available: {available})")
    to_status = str((match.get("to") or {}).get("name", ""))
    if to_status.casefold() == status.casefold() and not match.get("looped"):
        return already(f"{key}: already in status {status}")
    if dry_run:
        return dry(f"transition {key} via {match.get('name')!r} to {to_status}")
    body: dict[str, Any] = {"transition": {"id": str(match["id"])}}
    if params.get("resolution"):
        body["fields"] = {"resolution": {"name": str(params["resolution"])}}
    ctx.transport.write("POST", ctx.issue_path(key, "/transitions"), body)
    _remember(ctx, key, done, idempotency_key)
    return applied(f"{key}: {status} -> {to_status} via {match.get('name')!r}", key)
