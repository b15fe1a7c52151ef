"""A package's names imported on first use (PEP 562), for CLI start-up time.

A package lists `{name: module}` and sets `__getattr__ = lazy_getattr(__name__, WHERE,
globals())`: `from package import name` then imports only `module`, once, and keeps the
value in the package. A name must not equal one of the package's submodules: once that
submodule is imported, the package attribute is the module and this hook is never asked.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(package: str, where: Mapping[str, str],
                 namespace: dict[str, Any]) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value
    return __getattr__
