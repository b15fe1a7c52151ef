"""Which record fields an action writes, and the value it writes: what two policies can fight over.

`validate` (policy.action_conflicts) and the runner (runtime.precedence) use the same claims, so
a conflict the runner resolves is one validation warned about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_PRECEDENCE = 100
ESCALATION_LEVEL = "escalation_level"


@dataclass(frozen=True)
class Claim:
    """`field` is set to `value` by an action (an escalation's level is the field
    `escalation_level`, whose value only ever goes up within one cycle)."""

    field: str
    value: Any

    def describe(self) -> str:
        return f"{self.field}={self.value!r}"


def claims(action_type: str, params: Mapping[str, Any]) -> tuple[Claim, ...]:
    """The fields `action_type(params)` writes; empty for actions that write none (comment,
    notify, request_approval, block, ...), which never conflict."""
    out: list[Claim] = []
    if action_type == "assign":
        out += _owners(params)
    elif action_type == "set_priority" and "priority" in params:
        out.append(Claim("priority", params["priority"]))
    elif action_type == "set_field" and isinstance(params.get("field"), str):
        out.append(Claim(params["field"], params.get("value")))
    elif action_type == "escalate":
        if isinstance(params.get("level"), int):
            out.append(Claim(ESCALATION_LEVEL, params["level"]))
        out += _owners(params)
    return tuple(out)


def _owners(params: Mapping[str, Any]) -> list[Claim]:
    out = []
    if "group" in params:
        out.append(Claim("assignment_group", params["group"]))
    if "assignee" in params:
        out.append(Claim("assignee", params["assignee"]))
    elif "rota" in params:
        out.append(Claim("assignee", f"rota:{params['rota']}"))
    return out


def precedence_of(spec: Mapping[str, Any]) -> int:
    """A policy's `spec.precedence`: lower wins a conflict (default 100)."""
    value = spec.get("precedence", DEFAULT_PRECEDENCE) if isinstance(spec, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else DEFAULT_PRECEDENCE


def rank(action_type: str, params: Mapping[str, Any], precedence: int, policy: str,
         order: int) -> tuple[Any, ...]:
    """Sort key of the documented precedence (lower sorts first and wins):
    1. escalations before anything else, the highest level first (an escalation is never
       lowered or undone by another decision of the same cycle);
    2. then the policy's spec.precedence (lower wins; default 100);
    3. then the policy name; 4. then rule and action order within the policy."""
    level = params.get("level") if action_type == "escalate" else None
    escalation = (0, -level) if isinstance(level, int) else (0 if action_type == "escalate"
                                                             else 1, 0)
    return (*escalation, precedence, policy, order)
