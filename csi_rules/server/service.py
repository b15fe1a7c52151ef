"""Assemble a server around a runner (the `serve` command and tests use the same wiring)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from csi_rules.plugins import Plugins
from csi_rules.policy.model import PolicySet
from csi_rules.runtime.clock import Clock
from csi_rules.runtime.config import RunnerConfig
from csi_rules.runtime.metrics import Metrics
from csi_rules.runtime.policies import PolicySource
from csi_rules.runtime.postgres_config import open_store
from csi_rules.runtime.runner import Runner
from csi_rules.server.context import ServerContext, jira_receiver, load_gate_token, load_secrets


def server_context(config: RunnerConfig, clock: Clock, environ: Mapping[str, str], *,
                   runner: Runner | None = None, runner_thread: threading.Thread | None = None,
                   plugins: Plugins | None = None) -> ServerContext:
    """A context whose webhooks feed `runner` (or only the shared queue, without one).
    Secrets and policies are checked before the state database is opened (or created)."""
    secrets = load_secrets(config, environ)
    token = load_gate_token(config, environ)
    if runner is not None:
        def policy_set() -> PolicySet:
            return runner.policy_set

        def health() -> dict[str, Any]:
            alive = runner_thread is None or runner_thread.is_alive()
            return {"status": "ok" if alive else "runner stopped", "cycles": runner.cycles,
                    "policy_version": runner.policies.version, "dry_run": runner.dry_run}
        metrics, wake = runner.metrics, runner.wake
    else:
        from csi_rules.plugins import load_plugins

        source = PolicySource(config.policies, plugins or load_plugins())
        loaded = source.load()

        def policy_set() -> PolicySet:
            return loaded

        def health() -> dict[str, Any]:
            return {"status": "ok", "policy_version": source.version, "runner": "separate"}
        metrics, wake = Metrics(), (lambda: None)
    store = open_store(config)  # SQLite file, or PostgreSQL shared with the runners
    return ServerContext(config, store, clock, metrics, policy_set, wake, health, secrets,
                         jira_receiver(secrets["jira"]) if "jira" in secrets else None,
                         token)
