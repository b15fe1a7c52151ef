"""Chat webhooks: Slack incoming webhooks and Microsoft Teams (Workflows / incoming webhook).

The webhook URL is itself the credential, so it is read from `url_env`/`url_file`. Neither
service de-duplicates posts: an interrupted post is uncertain and not repeated.

Slack answers 200 `ok`, or 4xx with a short reason (`invalid_payload`, `no_text`,
`channel_not_found`, ...). Teams takes an Adaptive Card inside a `message` envelope and
answers 200/202.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csi_rules.notify.http import post_json, session
from csi_rules.notify.secrets import read_secret, secret_schema
from csi_rules.notify.transport import Delivery, Message, TransportType
from csi_rules.notify.transports.common import TIMEOUT_SCHEMA, checked_url, obj

SCHEMA = obj({**secret_schema("url", "webhook URL (it carries the token)"),
              "timeout": TIMEOUT_SCHEMA})


class _ChatWebhook:
    retry_safe = False
    vendor = ""

    def __init__(self, settings: Mapping[str, Any], environ: Mapping[str, str]):
        self.url = checked_url(read_secret(settings, "url", environ), f"{self.vendor} url")
        self.timeout = float(settings.get("timeout", 10))
        self.http = session()

    def payload(self, message: Message) -> dict[str, Any]:
        raise NotImplementedError

    def render(self, message: Message) -> Mapping[str, Any]:
        return {"post": self.vendor, "body": self.payload(message)}

    def send(self, message: Message) -> Delivery:
        result = post_json(self.http, self.url, self.payload(message), what=self.vendor,
                           timeout=self.timeout)
        if result.status == "sent":
            return Delivery("sent", f"posted to {self.vendor}")
        return result

    def close(self) -> None:
        self.http.close()


class SlackWebhook(_ChatWebhook):
    vendor = "slack"

    def payload(self, message: Message) -> dict[str, Any]:
        text = f"*{message.subject}*\n{message.text}" if message.text else message.subject
        return {"text": text,
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


class TeamsWebhook(_ChatWebhook):
    vendor = "teams"

    def payload(self, message: Message) -> dict[str, Any]:
        body: list[dict[str, Any]] = [
            {"type": "TextBlock", "text": message.subject, "weight": "Bolder", "size": "Medium",
             "wrap": True}]
        if message.text:
            body.append({"type": "TextBlock", "text": message.text, "wrap": True})
        return {"type": "message", "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
            "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard", "version": "1.2", "body": body}}]}


SLACK = TransportType("slack", "Slack incoming webhook", SCHEMA, SlackWebhook)
TEAMS = TransportType("teams", "Microsoft Teams workflow / incoming webhook (Adaptive Card)",
                      SCHEMA, TeamsWebhook)
