"""A generic signed JSON webhook: the receiver checks `X-CSI-Rules-Signature` (HMAC-SHA256 of
the exact body, hex, `sha256=` prefix, like GitHub's) and de-duplicates on `Idempotency-Key`,
which is the same on every retry, so a send whose answer was lost is sent again after a crash.

Body: {"id", "event", "channel", "severity", "subject", "text", "recipients", "record",
"source", "dedup_key", "sent_at"}.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from csi_rules.notify.http import post_json, session
from csi_rules.notify.secrets import read_secret, secret_schema
from csi_rules.notify.transport import EVENTS, Delivery, Message, TransportType
from csi_rules.notify.transports.common import TIMEOUT_SCHEMA, URL_SCHEMA, checked_url, obj

SIGNATURE_HEADER = "X-CSI-Rules-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SCHEMA = obj({"url": URL_SCHEMA, **secret_schema("secret", "HMAC signing secret"),
              "timeout": TIMEOUT_SCHEMA}, ["url"])


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class SignedWebhook:
    retry_safe = True

    def __init__(self, settings: Mapping[str, Any], environ: Mapping[str, str]):
        self.url = checked_url(settings["url"], "webhook url")
        self.secret = read_secret(settings, "secret", environ)
        self.timeout = float(settings.get("timeout", 10))
        self.http = session()

    def payload(self, message: Message) -> dict[str, Any]:
        return {"id": message.idempotency_key, "event": message.event,
                "channel": message.channel, "severity": message.severity,
                "subject": message.subject, "text": message.text,
                "recipients": list(message.recipients), "record": dict(message.record),
                "source": message.source, "dedup_key": message.dedup_key,
                "sent_at": message.sent_at}

    def render(self, message: Message) -> Mapping[str, Any]:
        return {"post": self.url, "body": self.payload(message)}

    def send(self, message: Message) -> Delivery:
        body = json.dumps(self.payload(message), sort_keys=True).encode()
        headers = {SIGNATURE_HEADER: signature(self.secret, body),
                   IDEMPOTENCY_HEADER: message.idempotency_key}
        result = post_json(self.http, self.url, {}, data=body, headers=headers,
                           what="webhook", timeout=self.timeout)
        if result.status == "sent":
            return Delivery("sent", f"posted to webhook {self.url}", ref=message.idempotency_key)
        return result

    def close(self) -> None:
        self.http.close()


WEBHOOK = TransportType("webhook", "Generic JSON webhook, HMAC-signed, with an idempotency key",
                        SCHEMA, SignedWebhook, retry_safe=True, events=EVENTS)
