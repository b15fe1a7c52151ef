"""Opsgenie Alert API: create (POST /v2/alerts), acknowledge and close by alias.

The alias is the page's dedup key, and Opsgenie de-duplicates open alerts on it, so a repeat
is safe (retry_safe). Auth: `Authorization: GenieKey <key>`. Answers: 202 {"result": "Request
will be processed", "took", "requestId"}; 4xx {"message", "took", "requestId"} (422 for an
invalid body); 429 when rate limited. `to:` names become responders (`team:`, `user:`,
`schedule:`, `escalation:` prefixes; a bare name is a user name).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

from csi_rules.notify.http import json_field, post_json, session
from csi_rules.notify.secrets import read_secret, secret_schema
from csi_rules.notify.transport import EVENTS, Delivery, Message, TransportType
from csi_rules.notify.transports.common import TIMEOUT_SCHEMA, URL_SCHEMA, checked_url, obj

DEFAULT_URL = "https://api.opsgenie.com"
MESSAGE_MAX, ALIAS_MAX, DESCRIPTION_MAX = 130, 512, 15000
PRIORITY = {"critical": "P1", "error": "P2", "warning": "P3", "info": "P5"}
SCHEMA = obj({**secret_schema("api_key", "API integration key"),
              "url": {**URL_SCHEMA, "description": f"default {DEFAULT_URL} "
                      "(EU: https://api.eu.opsgenie.com)"},
              "timeout": TIMEOUT_SCHEMA})
RESPONDER_TYPES = ("team", "user", "schedule", "escalation")


def responder(name: str) -> dict[str, str]:
    kind, _, rest = name.partition(":")
    if rest and kind in RESPONDER_TYPES:
        return {"type": kind, "username" if kind == "user" else "name": rest}
    return {"type": "user", "username": name}


class Opsgenie:
    retry_safe = True

    def __init__(self, settings: Mapping[str, Any], environ: Mapping[str, str]):
        self.key = read_secret(settings, "api_key", environ)
        self.url = checked_url(settings.get("url", DEFAULT_URL), "opsgenie url")
        self.timeout = float(settings.get("timeout", 10))
        self.http = session()

    def request(self, message: Message) -> tuple[str, dict[str, Any]]:
        alias = message.dedup_key[:ALIAS_MAX]
        if message.event == "trigger":
            return f"{self.url}/v2/alerts", {
                "message": message.subject[:MESSAGE_MAX], "alias": alias,
                "description": message.text[:DESCRIPTION_MAX],
                "responders": [responder(r) for r in message.recipients],
                "details": {k: str(v) for k, v in message.record.items() if v is not None},
                "entity": str(message.record.get("number") or message.record.get("id") or ""),
                "source": "csi-rules", "priority": PRIORITY.get(message.severity, "P3")}
        verb = "close" if message.event == "resolve" else "acknowledge"
        return (f"{self.url}/v2/alerts/{quote(alias, safe='')}/{verb}?identifierType=alias",
                {"source": "csi-rules", "note": message.subject})

    def render(self, message: Message) -> Mapping[str, Any]:
        url, body = self.request(message)
        return {"post": url, "body": body}

    def send(self, message: Message) -> Delivery:
        url, body = self.request(message)
        result = post_json(self.http, url, body, what="opsgenie", timeout=self.timeout,
                           headers={"Authorization": f"GenieKey {self.key}"}, explain=_explain)
        if result.status == "sent":
            return Delivery("sent", f"opsgenie {message.event} {message.dedup_key}",
                            ref=message.dedup_key)
        return result

    def close(self) -> None:
        self.http.close()


def _explain(response: requests.Response) -> str:
    return "" if 200 <= response.status_code < 300 else json_field(response, "message")


OPSGENIE = TransportType("opsgenie", "Opsgenie alerts (create, acknowledge, close by alias)",
                         SCHEMA, Opsgenie, retry_safe=True, events=EVENTS, uses_recipients=True)
