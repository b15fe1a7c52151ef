"""The oracle: first/collect matching in plain Python with `conditions.evaluate`.

Deliberately naive (no indexing, no caching beyond the lookup) so that it is obviously
right; the durable engine is checked against it record by record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from csi_rules.conditions.evaluate import evaluate
from csi_rules.engine.groups import MatchResult, RuleGroup, check_unique_ids
from csi_rules.engine.lookup import record_lookup, require_aware
from csi_rules.records.model import Record


class ReferenceMatcher:
    """Matches records against rule groups by evaluating every condition in order."""

    def __init__(self, groups: Sequence[RuleGroup]):
        self.groups = tuple(groups)
        check_unique_ids(self.groups)

    def match(self, record: Record, now: datetime) -> MatchResult:
        require_aware(now)
        lookup = record_lookup(record, now)
        kind = record.kind
        out: MatchResult = {}
        for group in self.groups:
            keys: list[str] = []
            if kind in group.kinds:
                for spec in group.rules:
                    if evaluate(spec.condition, lookup):
                        keys.append(spec.key)
                        if group.hit_policy == "first":
                            break
            out[group.group_id] = keys
        return out

    def match_many(self, records: Iterable[Record], now: datetime) -> list[MatchResult]:
        return [self.match(r, now) for r in records]

    def close(self) -> None:
        """Nothing to release; present so either matcher can stand in for the other."""

    def __enter__(self) -> ReferenceMatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
