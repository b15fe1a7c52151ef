"""csi-rules: ITSM service rules as code, evaluated by a rules engine and enforced through adapters."""

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("csi_rules")
"""Marker for plugin hook implementations: ``@csi_rules.hookimpl``."""

__all__ = ["__version__", "hookimpl"]
