"""Hook specifications for csi_rules plugins (entry-point group `csi_rules`).

Built-in behaviour is registered through these same hooks. Implementations may accept any
subset of the named arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from csi_rules.actions import ActionType
    from csi_rules.adapter import AdapterFactory
    from csi_rules.emulator import EmulatorFactory
    from csi_rules.notify.transport import TransportFactory
    from csi_rules.policy.kinds.base import PolicyKind
    from csi_rules.registry import Registry

hookspec = pluggy.HookspecMarker("csi_rules")


@hookspec
def csi_register_actions(register: Registry[ActionType]) -> None:
    """Register action types: ``register.add("assign", ActionType(...))``; each owns its schema."""


@hookspec
def csi_register_policy_kinds(register: Registry[PolicyKind]) -> None:
    """Register policy kinds (RoutingPolicy, SlaPolicy, ...): schema, checks and compilation."""


@hookspec
def csi_register_adapters(register: Registry[AdapterFactory]) -> None:
    """Register adapter factories: ``register.add("servicenow", factory)``; factory(config) -> Adapter."""


@hookspec
def csi_register_emulators(register: Registry[EmulatorFactory]) -> None:
    """Register platform emulators for ``csi-rules emulate NAME`` and the demo."""


@hookspec
def csi_register_transports(register: Registry[TransportFactory]) -> None:
    """Register notification transports: ``register.add("smtp", factory)``; factory(settings) -> Transport."""
