"""The runner's side of notifications: which transport a channel is, and one send per call.

Built once at start from the runner config (every channel's credentials are read then, so a
missing one stops `run` before anything is decided). The executor owns the ledger; this only
turns one notify action into one delivery and says whether repeating it is safe.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.errors import CsiRulesError, UsageError
from csi_rules.notify.message import ROTA_PREFIX, build_message
from csi_rules.notify.transport import Delivery, Transport, TransportType
from csi_rules.registry import Registry

RotaLookup = Callable[[str, datetime], Sequence[str]]
"""(rota reference without the `rota:` prefix, instant) -> addresses on call then."""


@dataclass(frozen=True)
class Channel:
    name: str
    type: TransportType
    transport: Transport


class Notifier:
    def __init__(self, channels: Mapping[str, Channel], rotas: RotaLookup | None = None):
        self.channels = dict(channels)
        self.rotas = rotas

    @property
    def configured(self) -> bool:
        """False when the config defines no channels: notify stays recorded as skipped."""
        return bool(self.channels)

    def retry_safe(self, params: Mapping[str, Any]) -> bool:
        channel = self.channels.get(str(params.get("channel", "email")))
        return bool(channel and channel.type.retry_safe)

    def deliver(self, params: Mapping[str, Any], key: str, record: Mapping[str, Any],
                decision: Mapping[str, Any], *, dry_run: bool) -> Delivery:
        """Send (or, dry run, render) one notify action; never raises for a delivery problem."""
        name = str(params.get("channel", "email"))
        channel = self.channels.get(name)
        if channel is None:
            known = ", ".join(sorted(self.channels))
            return Delivery("failed", f"no channel {name!r} is configured (channels: {known}); "
                            "nothing was sent")
        now = _instant(decision.get("now"))
        try:
            message = build_message(params, key, record, decision,
                                    lambda ref: self._resolve(ref, now))
        except CsiRulesError as exc:
            return Delivery("failed", f"{exc}; nothing was sent")
        if message.event not in channel.type.events:
            return Delivery("failed", f"channel {name} ({channel.type.name}) cannot carry out "
                            f"event {message.event}; nothing was sent")
        if dry_run:
            shown = json.dumps(channel.transport.render(message), sort_keys=True, default=str)
            return Delivery("sent", f"would send via {name} ({channel.type.name}): {shown}")
        try:
            delivery = channel.transport.send(message)
        except Exception as exc:  # a transport bug must not stop the runner, nor claim a send
            return Delivery("uncertain", f"{name}: {type(exc).__name__}: {exc}")
        return Delivery(delivery.status, f"{name}: {delivery.detail}", delivery.ref,
                        delivery.transient)

    def _resolve(self, ref: str, now: datetime | None) -> Sequence[str]:
        if self.rotas is None or now is None:
            raise UsageError(f"{ref}: no on-call rotas are loaded")
        return self.rotas(ref[len(ROTA_PREFIX):], now)

    def close(self) -> None:
        for channel in self.channels.values():
            channel.transport.close()


def build_notifier(transports: Registry[TransportType], channels: Mapping[str, Any],
                   rotas: RotaLookup | None = None,
                   environ: Mapping[str, str] | None = None) -> Notifier:
    """Every configured channel with its transport built; a missing credential is an error
    naming the channel (`channel pager: environment variable PD_KEY (routing_key) is not set`).
    `channels` holds runtime.config.ChannelConfig values (transport, settings, where)."""
    env = os.environ if environ is None else environ
    built: dict[str, Channel] = {}
    try:
        for name, spec in channels.items():
            kind = transports.get(spec.transport)
            try:
                built[name] = Channel(name, kind, kind.build(spec.settings, env))
            except CsiRulesError as exc:
                where = f"{spec.where}: " if spec.where else ""
                raise UsageError(f"{where}channel {name}: {exc}") from None
    except CsiRulesError:
        Notifier(built).close()
        raise
    return Notifier(built, rotas)


def _instant(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
