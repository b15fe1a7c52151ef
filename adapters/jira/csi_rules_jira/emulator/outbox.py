"""Webhook deliveries the emulator would send: payload, `X-Hub-Signature` and delivery headers.

Deliveries are kept in an outbox (tests and the future webhook server read them) rather
than POSTed anywhere, so the emulator never opens outbound connections.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from csi_rules_jira.emulator.model import Comment, Issue
from csi_rules_jira.emulator.render import NAVIGABLE, View
from csi_rules_jira.emulator.store import Site
from csi_rules_jira.secrets import Secret
from csi_rules_jira.webhooks import IDENTIFIER_HEADER, RETRY_HEADER, SIGNATURE_HEADER, sign

_EVENTS = {"issue_commented": "comment_created", "issue_created": "jira:issue_created"}


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: bytes


class Outbox:
    """Collects one signed delivery per change while attached to a site."""

    def __init__(self, site: Site, base_url: str):
        self.site = site
        self.base_url = base_url
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        site.listeners.append(self.on_change)

    def on_change(self, event: str, issue: Issue, items: list[dict[str, Any]], by: str,
                  comment: Comment | None) -> None:
        view = View(self.site, self.base_url, 2, None)
        payload: dict[str, Any] = {
            "timestamp": int(self.site.clock().timestamp() * 1000),
            "webhookEvent": _EVENTS.get(event, "jira:issue_updated"),
            "issue_event_type_name": event, "user": view.user(by),
            "issue": view.issue(issue, NAVIGABLE),
        }
        if items:
            payload["changelog"] = {"id": issue.changelog[-1]["id"] if issue.changelog else "0",
                                    "items": [{k: v for k, v in i.items() if v is not None}
                                              for i in items]}
        if comment is not None:
            payload["comment"] = view.comment(issue, comment, False)
        body = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json", IDENTIFIER_HEADER: str(uuid.uuid4()),
                   RETRY_HEADER: "0", "X-Atlassian-Webhook-Flow": "Primary"}
        if self.site.webhook_secret:
            headers[SIGNATURE_HEADER] = sign(Secret(self.site.webhook_secret), body)
        with self._lock:
            self.deliveries.append(Delivery(headers, body))
