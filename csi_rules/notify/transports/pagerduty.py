"""PagerDuty Events API v2: POST /v2/enqueue with trigger, acknowledge or resolve.

Every event about one page carries the same `dedup_key` (derived from the record and the
policy, see notify.message), so a repeated trigger updates the open alert instead of paging
twice, and a later resolve closes it: sending again is safe (retry_safe). Answers: 202
{"status": "success", "message": "Event processed", "dedup_key"}; 400 {"status": "invalid
event", "message", "errors": [...]}; 429 when the service's rate limit is reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from csi_rules.notify.http import json_field, post_json, session
from csi_rules.notify.secrets import read_secret, secret_schema
from csi_rules.notify.transport import EVENTS, Delivery, Message, TransportType
from csi_rules.notify.transports.common import TIMEOUT_SCHEMA, URL_SCHEMA, checked_url, obj

DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue"
SUMMARY_MAX = 1024
SCHEMA = obj({**secret_schema("routing_key", "integration (routing) key"),
              "url": {**URL_SCHEMA, "description": f"default {DEFAULT_URL}"},
              "source": {"type": "string", "minLength": 1,
                         "description": "payload.source (default csi-rules)"},
              "timeout": TIMEOUT_SCHEMA})


class PagerDuty:
    retry_safe = True

    def __init__(self, settings: Mapping[str, Any], environ: Mapping[str, str]):
        self.routing_key = read_secret(settings, "routing_key", environ)
        self.url = checked_url(settings.get("url", DEFAULT_URL), "pagerduty url")
        self.source = settings.get("source", "csi-rules")
        self.timeout = float(settings.get("timeout", 10))
        self.http = session()

    def event(self, message: Message) -> dict[str, Any]:
        body: dict[str, Any] = {"routing_key": self.routing_key,
                                "event_action": message.event, "dedup_key": message.dedup_key}
        if message.event == "trigger":
            said = not message.text or message.text.splitlines()[0] in message.subject
            summary = message.subject if said else f"{message.subject}: {message.text}"
            body["payload"] = {
                "summary": summary[:SUMMARY_MAX], "source": self.source,
                "severity": message.severity,
                **({"timestamp": message.sent_at} if message.sent_at else {}),
                "custom_details": {"record": dict(message.record), "decided_by": message.source,
                                   **({"on_call": list(message.recipients)}
                                      if message.recipients else {})}}
            body["client"] = "csi-rules"
        return body

    def render(self, message: Message) -> Mapping[str, Any]:
        return {"post": self.url, "body": {**self.event(message), "routing_key": "***"}}

    def send(self, message: Message) -> Delivery:
        result = post_json(self.http, self.url, self.event(message), what="pagerduty",
                           timeout=self.timeout, explain=_explain)
        if result.status == "sent":
            return Delivery("sent", f"pagerduty {message.event} {message.dedup_key}",
                            ref=message.dedup_key)
        return result

    def close(self) -> None:
        self.http.close()


def _explain(response: requests.Response) -> str:
    if 200 <= response.status_code < 300:
        return ""
    return json_field(response, "message", "errors")


PAGERDUTY = TransportType("pagerduty", "PagerDuty Events API v2 (trigger/acknowledge/resolve)",
                          SCHEMA, PagerDuty, retry_safe=True, events=EVENTS)
