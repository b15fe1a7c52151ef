"""Registers the core action types (assign, comment, notify, ...)."""

from __future__ import annotations

from csi_rules import hookimpl
from csi_rules.actions import CORE_ACTIONS, ActionType
from csi_rules.registry import Registry


@hookimpl
def csi_register_actions(register: Registry[ActionType]) -> None:
    for action in CORE_ACTIONS:
        register.add(action.name, action)
