"""Named registries filled by plugins: duplicates are errors naming both plugins.

An entry may be registered by name and import path (`add_lazy`): its module is imported the
first time the entry is asked for, so a command that never uses it never pays for importing it
(start-up time: `validate` need not import HTTP clients, emulators or transports).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from csi_rules.errors import PluginError
from csi_rules.suggest import unknown_name

T = TypeVar("T")


class Lazy:
    """An entry known by its import path, "package.module:attribute" (dots allowed after the
    colon); `resolve()` imports it once."""

    def __init__(self, target: str):
        module, _, attr = target.partition(":")
        if not module or not attr:
            raise PluginError(f"lazy entry {target!r} must look like 'package.module:attribute'")
        self.target, self._module, self._attr = target, module, attr

    def resolve(self) -> Any:
        try:
            found: Any = importlib.import_module(self._module)
            for part in self._attr.split("."):
                found = getattr(found, part)
        except (ImportError, AttributeError) as exc:
            raise PluginError(f"cannot load {self.target}: {exc}") from exc
        return found

    def __repr__(self) -> str:
        return f"Lazy({self.target!r})"


class Registry(Generic[T]):
    """What plugins contributed under one heading (adapters, actions, kinds, emulators)."""

    def __init__(self, what: str):
        self.what = what
        self._items: dict[str, T | Lazy] = {}
        self._owners: dict[str, str] = {}
        self.current_plugin = "?"

    def add(self, name: str, item: T) -> None:
        """Register `item` as `name`; the plugin manager sets `current_plugin` around each hook."""
        self._put(name, item)

    def add_lazy(self, name: str, target: str) -> None:
        """Register `name` as "package.module:attribute", imported when first asked for."""
        self._put(name, Lazy(target))

    def _put(self, name: str, item: T | Lazy) -> None:
        if name in self._items:
            raise PluginError(
                f"{self.what} {name!r} registered twice: by plugin {self._owners[name]!r} "
                f"and by plugin {self.current_plugin!r}"
            )
        self._items[name] = item
        self._owners[name] = self.current_plugin

    def get(self, name: str) -> T:
        try:
            item = self._items[name]
        except KeyError:
            raise PluginError(unknown_name(self.what, name, self._items)) from None
        if isinstance(item, Lazy):
            item = self._items[name] = item.resolve()
        return item

    def owner(self, name: str) -> str:
        return self._owners[name]

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)
