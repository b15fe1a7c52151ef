"""Hook implementations: the "servicenow" adapter, its emulator and its action types.

This module is the composition root: the one place that hands the wall clock and a real
`sleep` to the adapter (library code below takes them as arguments). It is imported whenever
csi-rules loads its plugins, so it registers light factories only: the adapter (and its HTTP
client) and the emulator are imported when one is built, not by `csi-rules validate`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import csi_rules
from csi_rules_servicenow.action_types import SERVICENOW_ACTIONS

if TYPE_CHECKING:
    from csi_rules.actions import ActionType
    from csi_rules.capabilities import Capabilities
    from csi_rules.registry import Registry
    from csi_rules_servicenow.adapter import ServiceNowAdapter
    from csi_rules_servicenow.emulator.server import ServiceNowEmulator


def make_adapter(config: Mapping[str, Any], *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep,
                 environ: Mapping[str, str] | None = None) -> ServiceNowAdapter:
    """AdapterFactory: config mapping (see README.md) -> a connected-on-demand adapter."""
    from csi_rules_servicenow.adapter import ServiceNowAdapter
    from csi_rules_servicenow.config import parse_settings

    return ServiceNowAdapter(parse_settings(config, environ), clock=clock, sleep=sleep)


class ServiceNowFactory:
    """The registered factory: builds adapters, and says offline what they carry out."""

    def __call__(self, config: Mapping[str, Any]) -> ServiceNowAdapter:
        return make_adapter(config)

    def capabilities(self, config: Mapping[str, Any] | None = None) -> Capabilities:
        from csi_rules_servicenow.actions.capabilities import capabilities

        return capabilities(config)


def emulator_factory(host: str = "127.0.0.1", port: int = 0, seed_dir: Path | None = None,
                     **options: Any) -> ServiceNowEmulator:
    """The `EmulatorFactory` registered as "servicenow" (see csi_rules.emulator)."""
    from csi_rules_servicenow.emulator.server import emulator_factory as build

    return build(host, port, seed_dir, **options)


@csi_rules.hookimpl
def csi_register_adapters(register: Registry[Any]) -> None:
    register.add("servicenow", ServiceNowFactory())


@csi_rules.hookimpl
def csi_register_emulators(register: Registry[Any]) -> None:
    register.add("servicenow", emulator_factory)


@csi_rules.hookimpl
def csi_register_actions(register: Registry[ActionType]) -> None:
    for action in SERVICENOW_ACTIONS:
        register.add(action.name, action)
