"""The engine's input: ordered rules in groups, each group with a hit policy.

Groups know nothing about policies. The caller turns policies into groups (already sorted
by priority) and keeps its own table from rule keys back to policies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from csi_rules.conditions.ast import Condition
from csi_rules.errors import EngineError

HitPolicy = Literal["first", "collect"]
HIT_POLICIES: tuple[str, ...] = ("first", "collect")

# group_id -> matching rule keys in evaluation order ("first": at most one)
MatchResult = dict[str, list[str]]


@dataclass(frozen=True)
class RuleSpec:
    """One rule: a key the caller understands and the condition that makes it match."""

    key: str
    condition: Condition


@dataclass(frozen=True)
class RuleGroup:
    """Rules evaluated together; `kinds` limits which record kinds the group applies to."""

    group_id: str
    hit_policy: HitPolicy
    kinds: frozenset[str]
    rules: tuple[RuleSpec, ...]

    def __post_init__(self) -> None:
        if self.hit_policy not in HIT_POLICIES:
            raise EngineError(
                f"group {self.group_id}: hit policy {self.hit_policy!r} is not one of "
                f"{', '.join(HIT_POLICIES)}"
            )
        keys = [r.key for r in self.rules]
        if len(set(keys)) != len(keys):
            dup = sorted({k for k in keys if keys.count(k) > 1})
            raise EngineError(f"group {self.group_id}: duplicate rule key(s) {', '.join(dup)}")


def check_unique_ids(groups: Sequence[RuleGroup]) -> None:
    """Group ids key the result dict, so two groups with one id would overwrite each other."""
    seen: set[str] = set()
    for group in groups:
        if group.group_id in seen:
            raise EngineError(f"duplicate group id {group.group_id!r}")
        seen.add(group.group_id)
