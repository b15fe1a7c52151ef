"""Which adapters a command checks policies against: named ones (`--adapter`) or a runner config's.

Shared by `validate` and `run`, so both refuse the same actions with the same findings.
"""

from __future__ import annotations

from collections.abc import Iterable

from csi_rules.capabilities import Capabilities, factory_capabilities
from csi_rules.errors import UsageError
from csi_rules.findings import Finding
from csi_rules.plugins import Plugins
from csi_rules.policy.capability_check import Target, capability_findings
from csi_rules.policy.loader import Document
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
    return [Target(_declared(plugins, spec.type, dict(spec.settings)), frozenset(spec.kinds))
            for spec in config.adapters]


def findings_for(docs: Iterable[Document], targets: list[Target],
                 plugins: Plugins) -> list[Finding]:
    return capability_findings(docs, targets, plugins) if targets else []
