"""What request handlers may use: the store, the clock, metrics, the live policy set, and the
webhook verifiers built from the config (secrets read once, at start)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csi_rules.errors import UsageError
from csi_rules.policy.model import PolicySet
from csi_rules.runtime.clock import Clock
from csi_rules.runtime.config import RunnerConfig, WebhookConfig
from csi_rules.runtime.metrics import Metrics
from csi_rules.runtime.store import Store
from csi_rules.server.change_wait import ChangeEvents


@dataclass
class ServerContext:
    config: RunnerConfig
    store: Store
    clock: Clock
    metrics: Metrics
    policy_set: Callable[[], PolicySet]
    wake: Callable[[], None] = lambda: None
    health: Callable[[], Mapping[str, Any]] = lambda: {"status": "ok"}
    secrets: dict[str, str] = field(default_factory=dict)
    jira_receiver: Any = None
    gate_token: str = ""  # empty: /v1/gate takes no token (loopback only; serve checks)
    change_events: ChangeEvents = field(default_factory=ChangeEvents)  # change_wait.py


def read_secret(hook: WebhookConfig, environ: Mapping[str, str]) -> str:
    """The webhook's shared secret from its environment variable or file (never the config)."""
    if hook.secret_env:
        value = environ.get(hook.secret_env, "")
        if not value:
            raise UsageError(f"webhook secret: environment variable {hook.secret_env} is not set")
        return value
    try:
        value = Path(hook.secret_file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise UsageError(f"webhook secret: cannot read {hook.secret_file}: {exc.strerror}") \
            from None
    if not value:
        raise UsageError(f"webhook secret: {hook.secret_file} is empty")
    return value


def load_secrets(config: RunnerConfig, environ: Mapping[str, str]) -> dict[str, str]:
    return {source: read_secret(hook, environ) for source, hook in config.server.webhooks.items()}


def load_gate_token(config: RunnerConfig, environ: Mapping[str, str]) -> str:
    """The /v1/gate bearer token (server.gate), or "" when none is configured."""
    ref = config.server.gate_token
    if ref is None:
        return ""
    try:
        return read_secret(ref, environ)
    except UsageError as exc:
        raise UsageError(str(exc).replace("webhook secret", "gate token", 1)) from None


def jira_receiver(secret: str) -> Any:
    """The Jira plugin's verifier (signature + redelivery memory); the plugin must be installed."""
    try:  # imported by name: the core does not depend on the plugin's package
        secrets = importlib.import_module("csi_rules_jira.secrets")
        webhooks = importlib.import_module("csi_rules_jira.webhooks")
    except ImportError:
        raise UsageError("server.webhooks.jira needs the csi-rules-jira plugin installed") \
            from None
    return webhooks.WebhookReceiver(secrets.Secret(secret))
