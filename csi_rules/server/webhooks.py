"""Webhooks feed the same path as polling: a verified, new delivery queues a wake-up for its
record (due now) and nudges the runner; the runner re-reads the record and evaluates it.

The payload is a notification, never the truth: nothing in it is evaluated directly, so a
forged or stale body can at worst cause one extra read.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from csi_rules import safe_json
from csi_rules.errors import AdapterError
from csi_rules.server.context import ServerContext
from csi_rules.server.responses import Answer, problem

SERVICENOW_SECRET_HEADER = "X-CSI-Rules-Secret"
SERVICENOW_DELIVERY_HEADER = "X-CSI-Rules-Delivery"
TABLE_KINDS = {"incident": "incident", "change_request": "change", "problem": "problem",
               "sc_req_item": "request"}


def _header(headers: Mapping[str, str], name: str) -> str:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), "")


def _queue(ctx: ServerContext, source: str, record_id: str, kind: str) -> Answer:
    adapter = ctx.config.server.webhooks[source].adapter
    ctx.store.schedule(adapter, record_id, kind, ctx.clock.now(), "webhook")
    ctx.metrics.inc("csi_rules_webhooks_total", source=source, result="queued")
    ctx.wake()
    ctx.change_events.notify(record_id)  # ends a `gate --wait --server` long poll at once
    return Answer(202, {"queued": {"adapter": adapter, "record": record_id, "kind": kind}})


def _rejected(ctx: ServerContext, source: str, status: int, reason: str) -> Answer:
    ctx.metrics.inc("csi_rules_webhooks_total", source=source, result="rejected")
    return problem(status, reason)


def _duplicate(ctx: ServerContext, source: str, delivery: str) -> Answer:
    ctx.metrics.inc("csi_rules_webhooks_total", source=source, result="duplicate")
    return Answer(200, {"duplicate": delivery})


def jira(ctx: ServerContext, headers: Mapping[str, str], body: bytes) -> Answer:
    receiver = ctx.jira_receiver
    if receiver is None:
        return problem(404, "the jira webhook is not configured (server.webhooks.jira)")
    try:
        event = receiver.receive(headers, body)
    except AdapterError as exc:
        status = 401 if "signature" in str(exc).lower() or "X-Hub" in str(exc) else 400
        return _rejected(ctx, "jira", status, str(exc))
    if event is None:
        return _duplicate(ctx, "jira", _header(headers, "X-Atlassian-Webhook-Identifier"))
    # dedupe on what is signed (the body's hash), not on the unsigned delivery identifier
    key = getattr(event, "dedupe_key", "") or event.delivery_id
    if key and not ctx.store.remember_delivery("jira", key, ctx.clock.now()):
        return _duplicate(ctx, "jira", event.delivery_id or key)
    if not event.issue_id:
        ctx.metrics.inc("csi_rules_webhooks_total", source="jira", result="ignored")
        return Answer(200, {"ignored": f"{event.event} carries no issue"})
    return _queue(ctx, "jira", str(event.issue_id), "")


def servicenow(ctx: ServerContext, headers: Mapping[str, str], body: bytes) -> Answer:
    secret = ctx.secrets.get("servicenow")
    if secret is None:
        return problem(404, "the servicenow webhook is not configured "
                            "(server.webhooks.servicenow)")
    given = _header(headers, SERVICENOW_SECRET_HEADER)
    if not given or not hmac.compare_digest(given.encode(), secret.encode()):
        return _rejected(ctx, "servicenow", 401, f"{SERVICENOW_SECRET_HEADER} missing or wrong")
    try:
        payload: Any = safe_json.loads(body)
    except ValueError as exc:  # JSONDecodeError, or JsonRefused: too deep, too large, not UTF-8
        return _rejected(ctx, "servicenow", 400,
                         f"body is not JSON we accept: {getattr(exc, 'msg', exc)}")
    if not isinstance(payload, dict):
        return _rejected(ctx, "servicenow", 400, "body must be a JSON object")
    record_id = payload.get("sys_id") or payload.get("id")
    if not isinstance(record_id, str) or not record_id.strip():
        return _rejected(ctx, "servicenow", 400, "body needs 'sys_id' (the record's sys_id)")
    table = payload.get("table") or payload.get("kind") or ""
    kind = TABLE_KINDS.get(table, table)
    watched = ctx.config.adapter(ctx.config.server.webhooks["servicenow"].adapter).kinds
    if kind and kind not in watched:
        return _rejected(ctx, "servicenow", 422, f"table {table!r} is not watched (watched "
                         f"kinds: {', '.join(watched)})")
    delivery = _header(headers, SERVICENOW_DELIVERY_HEADER)
    if delivery and not ctx.store.remember_delivery("servicenow", delivery, ctx.clock.now()):
        return _duplicate(ctx, "servicenow", delivery)
    return _queue(ctx, "servicenow", record_id.strip(), kind)
