"""Receiving Jira webhooks: verify `X-Hub-Signature`, drop redeliveries, parse the event.

Jira admin webhooks with a secret sign the raw body: `X-Hub-Signature: sha256=<hex HMAC>`.
Verification runs on the bytes as received (before any JSON parsing) with a constant-time
compare; a delivery that fails it is rejected before anything else happens.

Duplicates are recognised by what is signed: with a secret, the key is the SHA-256 of the
body (a retry sends the same bytes), never the `X-Atlassian-Webhook-Identifier` header, which
the signature does not cover - a replayed body with a new or missing identifier would
otherwise pass as new. Without a secret only the identifier is available.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from csi_rules import safe_json
from csi_rules_jira.errors import WebhookRejected
from csi_rules_jira.secrets import Secret

SIGNATURE_HEADER = "X-Hub-Signature"
IDENTIFIER_HEADER = "X-Atlassian-Webhook-Identifier"
RETRY_HEADER = "X-Atlassian-Webhook-Retry"


@dataclass(frozen=True)
class WebhookEvent:
    """One delivery: what happened (`jira:issue_updated`, `comment_created`, ...) to which issue."""

    event: str
    issue_key: str | None
    issue_id: str | None
    timestamp_ms: int | None
    delivery_id: str
    retry: int
    changes: tuple[dict[str, Any], ...] = ()
    payload: Mapping[str, Any] = field(default_factory=dict, repr=False)
    dedupe_key: str = ""  # "sha256:<hex>" of a signed body, else the delivery identifier

    @property
    def changed_fields(self) -> tuple[str, ...]:
        return tuple(str(c.get("fieldId") or c.get("field")) for c in self.changes)


def sign(secret: Secret, body: bytes) -> str:
    """The `X-Hub-Signature` value Jira sends for `body` (used by the emulator and tests)."""
    digest = hmac.new(secret.reveal().encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: Secret, body: bytes, header: str | None) -> bool:
    """Constant-time check of `sha256=<hex>` against the HMAC-SHA256 of the raw body."""
    if not header or "=" not in header:
        return False
    method, _, given = header.partition("=")
    if method.strip().lower() != "sha256":
        return False
    return hmac.compare_digest(sign(secret, body), f"sha256={given.strip().lower()}")


def parse_event(body: bytes, delivery_id: str = "", retry: int = 0) -> WebhookEvent:
    try:
        payload = safe_json.loads(body)
    except ValueError as exc:  # JSONDecodeError, or JsonRefused: too deep, too large, not UTF-8
        raise WebhookRejected(f"body is not JSON we accept: {getattr(exc, 'msg', exc)}") \
            from None
    if not isinstance(payload, dict) or not payload.get("webhookEvent"):
        raise WebhookRejected("no webhookEvent in body")
    issue = payload.get("issue") or {}
    changelog = payload.get("changelog") or {}
    timestamp = payload.get("timestamp")
    return WebhookEvent(
        event=str(payload["webhookEvent"]), issue_key=issue.get("key"),
        issue_id=str(issue["id"]) if issue.get("id") is not None else None,
        timestamp_ms=int(timestamp) if isinstance(timestamp, int | float) else None,
        delivery_id=delivery_id, retry=retry,
        changes=tuple(changelog.get("items") or ()), payload=payload, dedupe_key=delivery_id)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


class WebhookReceiver:
    """What a webhook endpoint calls per delivery: `receive(headers, raw_body)`.

    Returns the event, or None for a redelivery already seen; raises WebhookRejected (and
    records nothing) when the signature is missing or wrong.
    """

    def __init__(self, secret: Secret | None, *, remember: int = 10_000):
        self._secret = secret
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remember = remember

    def __repr__(self) -> str:
        return f"WebhookReceiver(signed={self._secret is not None})"

    def receive(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent | None:
        if self._secret is not None and not verify_signature(
                self._secret, body, _header(headers, SIGNATURE_HEADER)):
            raise WebhookRejected(f"{SIGNATURE_HEADER} missing or wrong")
        delivery_id = _header(headers, IDENTIFIER_HEADER) or ""
        retry_text = (_header(headers, RETRY_HEADER) or "0").strip()
        if not retry_text.isascii() or not retry_text.isdigit():
            raise WebhookRejected(f"{RETRY_HEADER} is not a number")
        event = parse_event(body, delivery_id, int(retry_text))
        if self._secret is not None:  # what the signature covers, not the unsigned header
            event = replace(event, dedupe_key="sha256:" + hashlib.sha256(body).hexdigest())
        key = event.dedupe_key
        if key:
            if key in self._seen:
                self._seen.move_to_end(key)
                return None
            self._seen[key] = None
            while len(self._seen) > self._remember:
                self._seen.popitem(last=False)
        return event
