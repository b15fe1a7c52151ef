"""Build the plugin manager: built-in plugins first, then the `csi_rules` entry points.

Nothing is loaded at import time; the CLI and tests call `load_plugins()` explicitly. Loading
registers names, not implementations: built-ins and the shipped adapters register factories
that import their adapter, emulator or transport when first used (`Registry.add_lazy`, or a
factory that imports inside its call), so `validate` does not import HTTP clients or emulators.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from csi_rules import hookspecs
from csi_rules.entry_points import find as find_entry_points
from csi_rules.errors import PluginError
from csi_rules.registry import Registry

if TYPE_CHECKING:  # the contracts import records and more: not needed to load plugins
    from csi_rules.actions import ActionType
    from csi_rules.adapter import AdapterFactory
    from csi_rules.emulator import EmulatorFactory
    from csi_rules.notify.transport import TransportFactory
    from csi_rules.policy.kinds.base import PolicyKind

GROUP = "csi_rules"
DISABLE_ENV = "CSI_RULES_DISABLE_PLUGINS"
"""Set to 1 to load built-in plugins only (like PYTEST_DISABLE_PLUGIN_AUTOLOAD)."""


def builtin_plugins() -> list[ModuleType]:
    from csi_rules.builtin import actions, kinds, transports

    return [actions, kinds, transports]


@dataclass
class Plugins:
    """Everything the loaded plugins contributed, by heading."""

    manager: pluggy.PluginManager
    actions: Registry[ActionType]
    kinds: Registry[PolicyKind]
    adapters: Registry[AdapterFactory]
    emulators: Registry[EmulatorFactory]
    transports: Registry[TransportFactory] = field(
        default_factory=lambda: Registry("notification transport"))
    cache: dict[Any, Any] = field(default_factory=dict)  # per-manager memo (compiled schemas)
    origins: dict[str, str] = field(default_factory=dict)
    """Plugin name -> "distribution version" for plugins loaded from entry points."""

    def plugin_names(self) -> list[tuple[str, str]]:
        """(plugin name, where it comes from) for `csi-rules plugins`."""
        dists = {id(p): d for p, d in self.manager.list_plugin_distinfo()}
        out = []
        for name, plugin in self.manager.list_name_plugin():
            dist = dists.get(id(plugin))
            origin = self.origins.get(name) or (
                f"{dist.project_name} {dist.version}" if dist else "built-in")
            out.append((name, origin))
        return sorted(out)


def _collect(pm: pluggy.PluginManager, hook_name: str, registry: Registry[Any]) -> None:
    caller: Any = getattr(pm.hook, hook_name)
    for impl in caller.get_hookimpls():
        registry.current_plugin = impl.plugin_name
        impl.function(register=registry)
    registry.current_plugin = "?"


def _load_entry_points(pm: pluggy.PluginManager) -> dict[str, str]:
    """Register the installed `csi_rules` entry points as pluggy's load_setuptools_entrypoints
    does (first of a name wins, blocked names skipped), found without importlib.metadata."""
    found = find_entry_points(GROUP)
    if found is None:  # a zip on sys.path: the standard scan
        pm.load_setuptools_entrypoints(GROUP)
        return {}
    origins = {}
    for ep in found:
        if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
            continue
        pm.register(ep.load(), name=ep.name)
        origins[ep.name] = f"{ep.dist} {ep.version}".strip()
    return origins


def load_plugins(
    extra: Iterable[object] = (), *, entry_points: bool = True,
    builtins: Callable[[], list[ModuleType]] = builtin_plugins,
) -> Plugins:
    """Register built-ins, `extra` plugin objects and (unless disabled) installed entry points."""
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    for module in builtins():
        pm.register(module, name=f"csi_rules.{module.__name__.rsplit('.', 1)[-1]}")
    for plugin in extra:
        pm.register(plugin)
    origins: dict[str, str] = {}
    if entry_points and not os.environ.get(DISABLE_ENV):
        try:
            origins = _load_entry_points(pm)
        except Exception as exc:  # a broken third-party plugin must name itself, not crash
            raise PluginError(f"could not load a {GROUP} plugin: {exc}") from exc
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(str(exc)) from exc
    plugins = Plugins(pm, Registry("action type"), Registry("policy kind"),
                      Registry("adapter"), Registry("emulator"), origins=origins)
    _collect(pm, "csi_register_actions", plugins.actions)
    _collect(pm, "csi_register_policy_kinds", plugins.kinds)
    _collect(pm, "csi_register_adapters", plugins.adapters)
    _collect(pm, "csi_register_emulators", plugins.emulators)
    _collect(pm, "csi_register_transports", plugins.transports)
    return plugins
