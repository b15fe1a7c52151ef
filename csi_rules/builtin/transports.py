"""Registers the built-in notification transports (smtp, slack, teams, webhook, pagerduty,
opsgenie) through the same hook a third-party transport uses.

By import path: a transport's module (and its HTTP client) is imported only when a command
asks for that transport, not for every `validate`.
"""

from __future__ import annotations

from typing import Any

from csi_rules import hookimpl
from csi_rules.registry import Registry

BUILTIN_TRANSPORTS = {
    "smtp": "csi_rules.notify.transports.smtp:SMTP",
    "slack": "csi_rules.notify.transports.chat:SLACK",
    "teams": "csi_rules.notify.transports.chat:TEAMS",
    "webhook": "csi_rules.notify.transports.webhook:WEBHOOK",
    "pagerduty": "csi_rules.notify.transports.pagerduty:PAGERDUTY",
    "opsgenie": "csi_rules.notify.transports.opsgenie:OPSGENIE",
}


@hookimpl
def csi_register_transports(register: Registry[Any]) -> None:
    for name, target in BUILTIN_TRANSPORTS.items():
        register.add_lazy(name, target)
