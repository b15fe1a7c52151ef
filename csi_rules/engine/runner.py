"""Records -> per-ruleset facts (parent side), and facts -> spec indices per group (engine side).

The split is the process boundary: `build_batch` and `assemble` run where the records are,
`run_batch` runs next to durable (in the worker process, or inline). Only generated fact
dicts cross it, so no raw record field can reach durable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from csi_rules.engine.facts import Projector, projector
from csi_rules.engine.groups import MatchResult
from csi_rules.engine.lookup import record_lookup
from csi_rules.engine.program import CompiledProgram
from csi_rules.errors import EngineError
from csi_rules.records.model import Record

Fact = dict[str, Any]


@dataclass
class Batch:
    """Facts for a run of records: per group, the positions it applies to and per shard facts."""

    size: int
    positions: list[list[int]]  # [group] -> record positions whose kind the group covers
    facts: list[list[list[Fact]]]  # [group][shard][k] -> fact for positions[group][k]
    fault: str = field(default="")  # test-only fault injection, see matcher.FaultPlan


# [group][k] -> spec indices for record positions[group][k]
Answers = list[list[list[int]]]


class Fires(Protocol):
    def fire(self, ruleset: str, facts: Sequence[Fact], collect: bool) -> list[list[int]]: ...


class Projection:
    """Builds batches for one compiled program (one projector per shard, made once)."""

    def __init__(self, program: CompiledProgram):
        self.program = program
        self._paths = list(dict.fromkeys(s.path for shard in program.shards() for s in shard.slots))
        index = {path: i for i, path in enumerate(self._paths)}
        self._projectors: list[list[Projector]] = [
            [projector(shard.slots, index) for shard in group.shards] for group in program.groups
        ]

    def build(self, records: Sequence[Record], now: datetime) -> Batch:
        positions: list[list[int]] = [[] for _ in self.program.groups]
        facts: list[list[list[Fact]]] = [
            [[] for _ in group.shards] for group in self.program.groups
        ]
        paths = self._paths
        for pos, record in enumerate(records):
            lookup = record_lookup(record, now)
            values = [lookup(path) for path in paths]
            kind = record.kind
            for g, group in enumerate(self.program.groups):
                if kind not in group.kinds or not group.shards:
                    continue
                positions[g].append(pos)
                for s, project in enumerate(self._projectors[g]):
                    facts[g][s].append(project(values))
        return Batch(len(records), positions, facts)

    def assemble(self, batch: Batch, answers: Answers) -> list[MatchResult]:
        out: list[MatchResult] = [
            {group.group_id: [] for group in self.program.groups} for _ in range(batch.size)
        ]
        for g, group in enumerate(self.program.groups):
            for pos, indices in zip(batch.positions[g], answers[g], strict=True):
                out[pos][group.group_id] = [group.keys[i] for i in indices]
        return out


def run_batch(engine: Fires, program: CompiledProgram, batch: Batch) -> Answers:
    """Evaluate a batch: "first" walks the shards in order until a rule fires, "collect" unions."""
    answers: Answers = []
    for g, group in enumerate(program.groups):
        count = len(batch.positions[g])
        result: list[list[int]] = [[] for _ in range(count)]
        if group.hit_policy == "first":
            pending = list(range(count))
            for s, shard in enumerate(group.shards):
                if not pending:
                    break
                fired = engine.fire(shard.ruleset, [batch.facts[g][s][k] for k in pending], False)
                still: list[int] = []
                for k, indices in zip(pending, fired, strict=True):
                    if len(indices) > 1:
                        raise EngineError(f"{shard.ruleset}: {len(indices)} rules consumed "
                                          "one event")
                    if indices:
                        result[k] = indices
                    else:
                        still.append(k)
                pending = still
        else:
            for s, shard in enumerate(group.shards):
                if count:
                    fired = engine.fire(shard.ruleset, batch.facts[g][s], True)
                    for k, indices in enumerate(fired):
                        result[k].extend(indices)
            result = [sorted(set(r)) for r in result]
        answers.append(result)
    return answers

