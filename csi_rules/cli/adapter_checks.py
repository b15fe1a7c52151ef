"""Which adapters a command checks policies against: named ones (`--adapter`) or a runner config's.

Shared by `validate` and `run`, so both refuse the same actions with the same findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from csi_rules.capabilities import ActionSupport, Capabilities, factory_capabilities
from csi_rules.errors import UsageError
from csi_rules.findings import Finding
from csi_rules.plugins import Plugins
from csi_rules.policy.capability_check import Target, capability_findings
from csi_rules.policy.loader import Document

if TYPE_CHECKING:  # the runtime package loads the runner: not needed to validate
    from csi_rules.runtime.config import RunnerConfig


def _declared(plugins: Plugins, adapter_type: str, settings: dict | None) -> Capabilities:
    found = factory_capabilities(plugins.adapters.get(adapter_type), settings)
    if found is None:
        raise UsageError(f"the {adapter_type} adapter does not declare what it carries out "
                         "(no capabilities()); its actions cannot be checked")
    return found


def named_targets(plugins: Plugins, names: Iterable[str]) -> list[Target]:
    """Adapters named on the command line, with their default settings, for every kind."""
    return [Target(_declared(plugins, name, None)) for name in names]


def config_targets(plugins: Plugins, config: RunnerConfig) -> list[Target]:
    """A runner config's adapters, with their settings and the record kinds they serve."""
    return [Target(_delivering(_declared(plugins, spec.type, dict(spec.settings)), config),
                   frozenset(spec.kinds))
            for spec in config.adapters]


def _delivering(caps: Capabilities, config: RunnerConfig) -> Capabilities:
    """With channels configured, csi-rules delivers notify itself (csi_rules.notify): the
    adapter's "recorded as skipped" no longer applies; channel_findings checks it instead."""
    if not config.channels or "notify" not in caps.skipped:
        return caps
    params: dict[str, Any] = {p: {} for p in plugins_notify_params()}
    return replace(caps, skipped={k: v for k, v in caps.skipped.items() if k != "notify"},
                   actions={**caps.actions, "notify": ActionSupport(params)})


def plugins_notify_params() -> tuple[str, ...]:
    from csi_rules.actions import CORE_ACTIONS

    notify = next(a for a in CORE_ACTIONS if a.name == "notify")
    return tuple(notify.params_schema["properties"])


def findings_for(docs: Iterable[Document], targets: list[Target],
                 plugins: Plugins, config: RunnerConfig | None = None) -> list[Finding]:
    """Capability findings, plus (with a config) its notification channels' findings."""
    docs = list(docs)
    found = capability_findings(docs, targets, plugins) if targets else []
    if config is not None:
        from csi_rules.notify.checks import channel_findings, settings_problems

        problems = settings_problems(plugins, config.channels)
        if problems:
            raise UsageError("; ".join(problems))
        found = sorted(set(found) | set(channel_findings(docs, plugins, config.channels)))
    return found
