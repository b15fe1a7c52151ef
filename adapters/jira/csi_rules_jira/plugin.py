"""The csi_rules plugin: registers the `jira` adapter, its emulator and the jira.* actions.

This module is the composition root: it is the one place that hands the adapter the real
clock and `time.sleep`; everything below takes them as arguments.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from csi_rules import hookimpl
from csi_rules_jira.action_types import JIRA_ACTIONS


def _utc_now() -> datetime:
    return datetime.now(UTC)


def adapter_factory(config: Mapping[str, Any]) -> Any:
    """factory(config) -> JiraAdapter; secrets come from the env vars or files config names."""
    from csi_rules_jira.adapter import JiraAdapter
    from csi_rules_jira.config import parse_config

    return JiraAdapter(parse_config(config), sleep=time.sleep, clock=_utc_now)


def _capabilities(config: Mapping[str, Any] | None = None) -> Any:
    """What an adapter built from `config` carries out; read offline, no secrets needed."""
    from csi_rules_jira.actions.capabilities import capabilities

    return capabilities(config)


# read by csi_rules.capabilities.factory_capabilities (validate --adapter, run's start check)
adapter_factory.capabilities = _capabilities  # type: ignore[attr-defined]  # a function attribute


def emulator_factory(host: str = "127.0.0.1", port: int = 0, seed_dir: Path | None = None,
                     **options: Any) -> Any:
    from csi_rules_jira.emulator import JiraEmulator

    return JiraEmulator(host=host, port=port, seed_dir=seed_dir, **options)


@hookimpl
def csi_register_adapters(register: Any) -> None:
    register.add("jira", adapter_factory)


@hookimpl
def csi_register_emulators(register: Any) -> None:
    register.add("jira", emulator_factory)


@hookimpl
def csi_register_actions(register: Any) -> None:
    for action in JIRA_ACTIONS:
        register.add(action.name, action)
