"""What every policy kind provides to the validation pipeline and the engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from csi_rules.actions import ActionType
    from csi_rules.findings import Finding
    from csi_rules.policy.loader import Document
    from csi_rules.policy.model import Policy
    from csi_rules.registry import Registry


@dataclass(frozen=True)
class CheckContext:
    """What semantic checks may consult: the registered action types."""

    actions: Registry[ActionType]


class PolicyKind(Protocol):
    """A kind of policy document (RoutingPolicy, SlaPolicy, ...)."""

    name: str
    description: str

    def spec_schema(self) -> dict[str, Any]:
        """JSON Schema of the document's `spec` (conditions/actions by $ref)."""
        ...

    def check(self, doc: Document, ctx: CheckContext) -> list[Finding]:
        """Semantic findings for a document that passed the schema."""
        ...

    def build(self, doc: Document) -> Policy:
        """The validated policy; only called when `check` found no errors."""
        ...


def applies_to(kind: PolicyKind, doc: Document) -> tuple[str, ...]:
    """The record kinds `doc` evaluates, as `kind.build(doc).applies_to` has them.

    Validation asks this of every document (action conflicts, adapter checks); a kind that
    reads it from the spec (`applies_to(doc)`, as the built-in kinds do, and their `build`
    uses it) spares validation building every policy and importing what building needs.
    """
    read = getattr(kind, "applies_to", None)
    return tuple(read(doc)) if callable(read) else kind.build(doc).applies_to
