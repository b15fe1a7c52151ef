"""The runner's notifier: the config's channels, with `rota:` names resolved against the
OnCallRota documents of the policy set in force (reloads included)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from csi_rules.notify.notifier import Notifier, build_notifier
from csi_rules.notify.rota import Rota, resolve
from csi_rules.plugins import Plugins
from csi_rules.policy.model import PolicySet
from csi_rules.runtime.config import RunnerConfig


def rotas_of(policy_set: PolicySet | None) -> dict[str, Rota]:
    if policy_set is None:
        return {}
    return {p.name: p.compiled for p in policy_set.policies
            if p.kind == "OnCallRota" and isinstance(p.compiled, Rota)}


def notifier_for(plugins: Plugins, config: RunnerConfig,
                 policy_set: Callable[[], PolicySet | None]) -> Notifier:
    def lookup(ref: str, now: datetime) -> Sequence[str]:
        return resolve(rotas_of(policy_set()), ref, now)
    return build_notifier(plugins.transports, config.channels, lookup)
