"""Policies against adapters' declared capabilities: one finding per action an adapter cannot do.

Used by `validate --adapter/--config` and by `run` before it starts. A policy is checked
against every adapter whose record kinds it applies to (all adapters when they name no kinds).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csi_rules.findings import Finding
from csi_rules.plugins import Plugins
from csi_rules.policy.kinds.base import applies_to
from csi_rules.policy.loader import Document

if TYPE_CHECKING:  # validation without adapters reads document_actions only (start-up time)
    from csi_rules.capabilities import Capabilities

Pointer = tuple[Any, ...]
Found = Iterator[tuple[Pointer, str, Mapping[str, Any]]]


@dataclass(frozen=True)
class Target:
    """An adapter as a policy sees it: what it carries out, and for which record kinds."""

    capabilities: Capabilities
    kinds: frozenset[str] = frozenset()  # empty: every kind


def document_actions(doc: Document, plugins: Plugins) -> Found:
    """(pointer to the action's type key, type, params) for every action a document asks for,
    written (`...actions: [{type: params}]`) or implied by its kind (an escalation level)."""
    yield from _written(doc.data.get("spec"), ("spec",), set(plugins.actions))
    implied = getattr(plugins.kinds.get(doc.data["kind"]), "implied_actions", None)
    if callable(implied):
        for pointer, action in implied(doc):
            yield pointer, action.type, action.params


def _written(node: Any, pointer: Pointer, types: set[str]) -> Found:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "actions" and isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, dict) and len(item) == 1:
                        ((type_, params),) = item.items()
                        if type_ in types:
                            yield (*pointer, key, i, type_), type_, dict(params or {})
            else:
                yield from _written(value, (*pointer, key), types)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _written(item, (*pointer, i), types)


def capability_findings(docs: Iterable[Document], targets: Iterable[Target],
                        plugins: Plugins) -> list[Finding]:
    """Every action in `docs` some relevant target cannot carry out, as findings."""
    from csi_rules.capabilities import refusals

    targets = list(targets)
    out: list[Finding] = []
    for doc in docs:
        kinds = set(applies_to(plugins.kinds.get(doc.data["kind"]), doc))
        for target in targets:
            if target.kinds and kinds and not kinds & target.kinds:
                continue
            for pointer, type_, params in document_actions(doc, plugins):
                for refusal in refusals(target.capabilities, type_, params):
                    where = (*pointer, refusal.param) if refusal.param else pointer
                    out.append(doc.finding(where, refusal.message, refusal.severity))
    return sorted(set(out))
