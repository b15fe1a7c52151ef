"""The demo's notification channels: a real SMTP server and PagerDuty and Slack receivers, all
on loopback, so the escalations the shipped policies decide arrive somewhere a reader can see.

The runner delivers to them through the same channels a production config names (`email`,
`pager`, `chat`: the channels the shipped policies' notify actions use), with demo-only
credentials put into this process's environment, never into files.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from csi_rules.demo.receivers import Receiver, SmtpServer, pagerduty, slack

ROUTING_KEY = "DEMO0R0UTINGKEY00000000000000032"  # PagerDuty checks the length (32)
SENDER = "csi-rules-demo@example.com"


@dataclass(frozen=True)
class Email:
    """An e-mail as the SMTP server took it."""

    sender: str
    to: tuple[str, ...]
    subject: str
    key: str  # X-CSI-Rules-Key: the notify action's idempotency key


@dataclass(frozen=True)
class Page:
    """A PagerDuty Events API v2 event as the receiver took it."""

    event: str
    dedup_key: str
    summary: str
    severity: str


@dataclass
class Delivered:
    """What reached the loopback receivers, read once the cycle is over."""

    emails: list[Email] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    chats: int = 0


@dataclass
class Inbox:
    """The running receivers and the channels that point at them."""

    smtp: SmtpServer
    pager: Receiver
    chat: Receiver

    def channels(self) -> dict[str, Any]:
        """The runner config's `channels:` for the shipped policies (email, pager, chat)."""
        return {
            "email": {"transport": "smtp", "settings": {
                "host": "127.0.0.1", "port": self.smtp.port, "security": "none",
                "from": SENDER}},
            "pager": {"transport": "pagerduty", "settings": {
                "routing_key_env": "CSI_DEMO_PD_ROUTING_KEY",
                "url": f"{self.pager.url}/v2/enqueue", "source": "csi-rules demo"}},
            "chat": {"transport": "slack", "settings": {"url_env": "CSI_DEMO_SLACK_URL"}},
        }

    def secrets(self) -> dict[str, str]:
        """Environment variables the channels read their credentials from."""
        return {"CSI_DEMO_PD_ROUTING_KEY": ROUTING_KEY,
                "CSI_DEMO_SLACK_URL": f"{self.chat.url}/services/T000/B000/demo"}

    def delivered(self) -> Delivered:
        return Delivered([_email(e) for e in self.smtp.messages],
                         [_page(body) for body in self.pager.bodies()
                          if isinstance(body, dict)],
                         len(self.chat.requests))


def _email(envelope: Any) -> Email:
    parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                      policy=email.policy.default)
    return Email(envelope.mail_from, tuple(envelope.rcpt_tos), str(parsed["Subject"] or ""),
                 str(parsed["X-CSI-Rules-Key"] or "").strip())


def _page(body: dict[str, Any]) -> Page:
    payload = body.get("payload") or {}
    return Page(str(body.get("event_action", "")), str(body.get("dedup_key", "")),
                str(payload.get("summary", "")), str(payload.get("severity", "")))


@contextmanager
def inbox() -> Iterator[Inbox]:
    """Start the receivers on free loopback ports; stop them after."""
    with ExitStack() as stack:
        smtp = SmtpServer()
        stack.callback(smtp.stop)
        pager = Receiver(pagerduty)
        stack.callback(pager.stop)
        chat = Receiver(slack)
        stack.callback(chat.stop)
        yield Inbox(smtp, pager, chat)
