"""What the condition checks report: a message at a JSON pointer, and how values are shown in it.

The pointer is a path inside the policy document, so the loader can turn it into file:line:col
without the checks knowing anything about files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from csi_rules.conditions.ast import Pointer

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One finding about a condition; `pointer` locates the node (or its value) in the document."""

    pointer: Pointer
    message: str
    severity: Severity = "error"


def format_value(value: Any) -> str:
    """A value as the policy author wrote it in YAML: 'text', 3, true, null, [1, 2], '2024-…Z'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, datetime):
        return repr(value.isoformat())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


def value_kind(value: Any) -> str:
    """'a string', 'a number', ... for messages that say why a value does not fit."""
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
