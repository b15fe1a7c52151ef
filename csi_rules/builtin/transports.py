"""Registers the built-in notification transports (smtp, slack, teams, webhook, pagerduty,
opsgenie) through the same hook a third-party transport uses."""

from __future__ import annotations

from csi_rules import hookimpl
from csi_rules.notify.transport import TransportType
from csi_rules.notify.transports.chat import SLACK, TEAMS
from csi_rules.notify.transports.opsgenie import OPSGENIE
from csi_rules.notify.transports.pagerduty import PAGERDUTY
from csi_rules.notify.transports.smtp import SMTP
from csi_rules.notify.transports.webhook import WEBHOOK
from csi_rules.registry import Registry


@hookimpl
def csi_register_transports(register: Registry[TransportType]) -> None:
    for transport in (SMTP, SLACK, TEAMS, WEBHOOK, PAGERDUTY, OPSGENIE):
        register.add(transport.name, transport)
