"""What an adapter can carry out, declared without a connection, and the check against it.

An adapter that accepts an action it cannot fully perform must not answer `applied`: it
declares, per action type, the parameters it honours (with any narrower value schema) and the
parameters of which at least one must be given. `validate --adapter`, `run` (at start) and the
executor (before every call) refuse anything outside that declaration, so an action either
happens in full or is reported as not happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator


@dataclass(frozen=True)
class ActionSupport:
    """How an adapter carries out one action type."""

    params: Mapping[str, Mapping[str, Any]]
    """Parameters it honours, each with a JSON Schema its value must also meet ({}: any value
    the action's own schema allows)."""
    needs_one_of: tuple[str, ...] = ()
    """At least one of these must be given (e.g. escalate needs a target, not only a reason)."""
    how: str = ""
    """One line for the docs: what it writes on the platform."""


@dataclass(frozen=True)
class Capabilities:
    """Everything one adapter carries out; `skipped` are accepted but only recorded, with why."""

    adapter: str
    actions: Mapping[str, ActionSupport]
    skipped: Mapping[str, str] = field(default_factory=dict)
    hints: Mapping[str, str] = field(default_factory=dict)
    """Why an action ("request_approval") or parameter ("escalate.group") is missing, and what
    to do instead."""


@dataclass(frozen=True)
class Refusal:
    """One thing an adapter cannot do; `param` is "" when the whole action is refused."""

    param: str
    message: str
    severity: str = "error"


def refusals(caps: Capabilities, action_type: str,
             params: Mapping[str, Any]) -> Iterator[Refusal]:
    """Every reason `caps.adapter` cannot carry out `{action_type: params}` in full."""
    name = caps.adapter
    if action_type in caps.skipped:
        yield Refusal("", f"the {name} adapter does not carry out '{action_type}': "
                          f"{caps.skipped[action_type]}; it is recorded as skipped", "warning")
        return
    support = caps.actions.get(action_type)
    if support is None:
        known = ", ".join(sorted(caps.actions)) or "none"
        hint = caps.hints.get(action_type)
        yield Refusal("", f"the {name} adapter cannot carry out action '{action_type}' "
                          f"(it carries out: {known})" + (f"; {hint}" if hint else ""))
        return
    supported = ", ".join(sorted(support.params)) or "no parameters"
    refused = False
    for param in params:
        if param not in support.params:
            hint = caps.hints.get(f"{action_type}.{param}")
            refused = True
            yield Refusal(param, f"the {name} adapter cannot carry out '{param}' (it supports: "
                                 f"{supported})" + (f"; {hint}" if hint else ""))
            continue
        schema = support.params[param]
        if schema:
            for error in Draft202012Validator(dict(schema)).iter_errors(params[param]):
                yield Refusal(param, f"the {name} adapter cannot carry out {action_type}.{param} "
                                     f"{params[param]!r}: {error.message}")
    if support.needs_one_of and not refused and not any(p in params for p in support.needs_one_of):
        yield Refusal("", f"the {name} adapter needs one of {', '.join(support.needs_one_of)} "
                          f"to carry out '{action_type}'")


def describe(caps: Capabilities) -> list[tuple[str, str, str]]:
    """(action type, parameters, how) rows for an adapter README's table."""
    rows = []
    for action_type, support in sorted(caps.actions.items()):
        params = ", ".join(f"{p} ({_schema_text(s)})" if s else p
                           for p, s in sorted(support.params.items()))
        if support.needs_one_of:
            params += f"; at least one of {', '.join(support.needs_one_of)}"
        rows.append((action_type, params, support.how))
    for action_type, why in sorted(caps.skipped.items()):
        rows.append((action_type, "-", f"not carried out, recorded as skipped: {why}"))
    return rows


def _schema_text(schema: Mapping[str, Any]) -> str:
    parts = [f"{k} {v}" for k, v in schema.items() if not isinstance(v, dict | list)]
    if "enum" in schema:
        parts.append("one of " + ", ".join(map(str, schema["enum"])))
    return ", ".join(parts)


CapabilitiesOf = Callable[[Mapping[str, Any] | None], Capabilities]
"""A factory's `capabilities(settings)`: None means the adapter's default settings."""


def factory_capabilities(factory: Any, settings: Mapping[str, Any] | None) -> Capabilities | None:
    """What the adapter `factory` builds would carry out with `settings`; None if undeclared.
    Reads settings only: no connection, no secrets."""
    declared = getattr(factory, "capabilities", None)
    return declared(settings) if callable(declared) else None
