"""From a decided notify action to a Message: template rendering, recipients, page identity.

The dedup key (PagerDuty `dedup_key`, Opsgenie `alias`) names the page, not the send: it is
`csi-rules/<record id>/<dedup>` where `dedup` defaults to the deciding policy (the record and
policy parts of the decision's idempotency key). Every retry of a trigger, and the later
acknowledge or resolve from the same policy, land on the same page; `dedup: NAME` lets two
policies share one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from csi_rules.notify.template import render
from csi_rules.notify.transport import Message

DEDUP_MAX = 255
ROTA_PREFIX = "rota:"
DEFAULT_CHANNEL = "email"
DEFAULT_TEXT = "{number}: {short_description} (priority {priority}, state {state})"
SEVERITY_BY_PRIORITY = {1: "critical", 2: "error", 3: "warning"}

Resolve = Callable[[str], Sequence[str]]
"""rota:NAME (or rota:NAME:backup) -> the addresses of who is on call at the decision's now."""


def template_data(record: Mapping[str, Any], decision: Mapping[str, Any]) -> dict[str, Any]:
    """What a template may name: the record's fields, plus `sla` (an SLA decision's clock,
    with `percent`), `policy`, `rule` and `details`."""
    details = dict(decision.get("details") or {})
    data: dict[str, Any] = dict(record)
    if "percent_used" in details:
        data["sla"] = {**details, "percent": details["percent_used"]}
    data.setdefault("details", details)
    data["policy"] = (decision.get("policy") or {}).get("name", "")
    data["rule"] = decision.get("rule") or ""
    return data


def dedup_key(record_id: str, group: str) -> str:
    key = f"csi-rules/{record_id}/{group}"
    if len(key) > DEDUP_MAX:
        key = key[:DEDUP_MAX - 17] + "/" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return key


def recipients(to: Any, resolve: Resolve) -> tuple[str, ...]:
    names = [to] if isinstance(to, str) else list(to or ())
    out: list[str] = []
    for name in names:
        found = resolve(name) if name.startswith(ROTA_PREFIX) else [name]
        out += [r for r in found if r not in out]
    return tuple(out)


def build_message(params: Mapping[str, Any], key: str, record: Mapping[str, Any],
                  decision: Mapping[str, Any], resolve: Resolve) -> Message:
    data = template_data(record, decision)
    text = render(str(params.get("message") or DEFAULT_TEXT), data)
    label = str(record.get("number") or record.get("id") or "")
    first = text.splitlines()[0] if text else data["policy"]
    subject = render(str(params["subject"]), data) if params.get("subject") else \
        first if not label or first.startswith(label) else f"{label}: {first}"
    if len(subject) > 200:
        subject = subject[:197] + "..."
    priority = record.get("priority")
    severity = params.get("severity") or SEVERITY_BY_PRIORITY.get(
        priority if isinstance(priority, int) else 0, "info")
    policy = data["policy"]
    rule = data["rule"]
    return Message(
        channel=str(params.get("channel", DEFAULT_CHANNEL)), subject=subject, text=text,
        recipients=recipients(params.get("to"), resolve), event=params.get("event", "trigger"),
        severity=severity,
        dedup_key=dedup_key(str(record.get("id", "")), str(params.get("dedup") or policy)),
        idempotency_key=key,
        record={k: record.get(k) for k in ("id", "number", "kind", "priority", "state",
                                           "short_description", "assignment_group")
                if record.get(k) is not None},
        source=f"{policy}/{rule}" if rule else policy, sent_at=str(decision.get("now") or ""))
