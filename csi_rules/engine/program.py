"""What the compiler produces: durable rulesets plus the side tables that give them meaning.

Plain frozen data (picklable), so the parent process can compile once and hand the program
to a worker process. Policy metadata lives only here, never inside a durable ruleset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# slot kinds: a field's value key, its rank within one type class (see facts), or a matcher
# precomputed in Python (0/1)
SLOT_KINDS = ("value", "number", "string", "datetime", "pre")


@dataclass(frozen=True)
class Slot:
    """One property of a projected fact: where its value comes from and how it is encoded."""

    name: str  # generated: [a-z0-9_], hash-distinct from every other property name
    path: str  # record path (or derived field) it reads
    kind: str  # one of SLOT_KINDS
    numbers: tuple[Any, ...] = ()  # value: sorted distinct constants of each type class,
    strings: tuple[str, ...] = ()  # the ranks are taken among these
    datetimes: tuple[Any, ...] = ()
    op: str = ""  # pre: the operator Python evaluates
    expected: Any = None  # pre: the operand


@dataclass(frozen=True)
class ShardPlan:
    """One durable ruleset: a run of consecutive rules of a group, plus its catch-all."""

    ruleset: str  # generated ruleset name
    definition: dict[str, Any]  # durable JSON rules, without "run"
    slots: tuple[Slot, ...]  # what a fact for this ruleset carries
    rule_specs: dict[str, int]  # durable rule name -> index of the RuleSpec in the group
    catch_all: str  # name of the lowest-priority rule that matches every fact


@dataclass(frozen=True)
class GroupPlan:
    """A RuleGroup as compiled: its shards in rule order and its keys by spec index."""

    group_id: str
    hit_policy: str
    kinds: frozenset[str]
    keys: tuple[str, ...]
    shards: tuple[ShardPlan, ...]


@dataclass(frozen=True)
class CompiledProgram:
    groups: tuple[GroupPlan, ...]

    def shards(self) -> list[ShardPlan]:
        return [s for g in self.groups for s in g.shards]
