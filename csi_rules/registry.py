"""Named registries filled by plugins: duplicates are errors naming both plugins."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from csi_rules.errors import PluginError
from csi_rules.suggest import unknown_name

T = TypeVar("T")


class Registry(Generic[T]):
    """What plugins contributed under one heading (adapters, actions, kinds, emulators)."""

    def __init__(self, what: str):
        self.what = what
        self._items: dict[str, T] = {}
        self._owners: dict[str, str] = {}
        self.current_plugin = "?"

    def add(self, name: str, item: T) -> None:
        """Register `item` as `name`; the plugin manager sets `current_plugin` around each hook."""
        if name in self._items:
            raise PluginError(
                f"{self.what} {name!r} registered twice: by plugin {self._owners[name]!r} "
                f"and by plugin {self.current_plugin!r}"
            )
        self._items[name] = item
        self._owners[name] = self.current_plugin

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise PluginError(unknown_name(self.what, name, self._items)) from None

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
