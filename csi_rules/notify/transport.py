"""The contract between the core and a notification transport (SMTP, Slack, PagerDuty, ...)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

EVENTS = ("trigger", "acknowledge", "resolve")
SEVERITIES = ("critical", "error", "warning", "info")


@dataclass(frozen=True)
class Message:
    """One notification, rendered and addressed, ready for a transport."""

    channel: str
    subject: str
    text: str
    recipients: tuple[str, ...] = ()
    event: str = "trigger"
    severity: str = "warning"
    dedup_key: str = ""
    """Same value for every event about one page (trigger, acknowledge, resolve)."""
    idempotency_key: str = ""
    """The ledger key of this notify action: the same on every retry of it."""
    record: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""  # policy/rule that decided it
    sent_at: str = ""  # ISO instant of the decision


DeliveryStatus = Literal["sent", "failed", "uncertain"]


@dataclass(frozen=True)
class Delivery:
    """What a transport did. `uncertain`: the request left but no answer came back, so it may
    have arrived; only a retry-safe transport may send it again."""

    status: DeliveryStatus
    detail: str
    ref: str = ""
    transient: bool = False
    """Not delivered for a passing reason (rate limit, unreachable): retried without using up
    an attempt."""


class Transport(Protocol):
    retry_safe: bool
    """A repeat of a delivery cannot duplicate it (PagerDuty dedup_key, an idempotency
    header): an interrupted send is sent again after a crash."""

    def send(self, message: Message) -> Delivery: ...

    def render(self, message: Message) -> Mapping[str, Any]:
        """What `send` would transmit (credentials left out), for --dry-run and the audit log."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class TransportType:
    """A registered transport: its settings schema (checked offline) and how to build one."""

    name: str
    description: str
    settings_schema: Mapping[str, Any]
    build: Callable[[Mapping[str, Any], Mapping[str, str]], Transport]
    """build(settings, environ): reads credentials, raises CsiRulesError when one is missing."""
    retry_safe: bool = False
    events: tuple[str, ...] = ("trigger",)
    """notify events it carries out; others are refused at validation."""
    uses_recipients: bool = False
    """Whether `to:` addresses anything (e-mail does; a webhook's URL fixes its destination)."""


TransportFactory = TransportType
