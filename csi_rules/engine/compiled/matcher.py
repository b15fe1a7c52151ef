"""CompiledMatcher: the default engine. Rule groups compiled once into Python code.

Per record: the fields every rule reads are fetched once (`entry`, `fetch`), each group whose kinds
cover the record walks its discrimination index (`index`) to the one leaf of rules that can
match, and the leaf's generated function (`codegen`) returns the matching keys - the first in
rule order, or all of them. Results are identical to `reference.ReferenceMatcher`, and made once
per distinct answer (`results`: records that match alike share one result, which cannot be
changed; `dict(result)` and `list(keys)` give changeable copies). Reasons
(`explain`, `match_explained`, `match_values` + `reasons_of`) are the reference's, made when a
caller reads them (`explain`).

After construction only caches change (the last `now` checked; the shared results and the
Reasons kept across records, each entry equal whichever thread makes it; a decision's own
Reasons live in its `FieldValues`; every rule's reasons maker is made with the matcher), so
one matcher serves any number of threads; there is no worker process and no native code, so
nothing here can take the interpreter down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from csi_rules.conditions.ast import matchers
from csi_rules.conditions.evaluate import Reason
from csi_rules.engine.compiled.entry import make_entry
from csi_rules.engine.compiled.explain import FieldValues, RuleReasons
from csi_rules.engine.compiled.index import build_index, dispatcher
from csi_rules.engine.compiled.reasons import LazyReasons
from csi_rules.engine.compiled.results import Results
from csi_rules.engine.groups import MatchResult, RuleGroup, check_unique_ids
from csi_rules.engine.lookup import require_aware
from csi_rules.records.model import Record

Run = Callable[[list[Any]], tuple[str, ...]]
Explained = dict[str, list[tuple[str, Sequence[Reason]]]]


class CompiledMatcher:
    """Matches records against rule groups with code generated for exactly these groups."""

    def __init__(self, groups: Sequence[RuleGroup]):
        self.groups = tuple(groups)
        check_unique_ids(self.groups)
        paths = list(dict.fromkeys(m.path for g in self.groups for spec in g.rules
                                   for m in matchers(spec.condition)))
        slots = {path: i for i, path in enumerate(paths)}
        self.paths = tuple(paths)
        plan: tuple[tuple[str, frozenset[str], Run], ...] = tuple(
            (g.group_id, g.kinds, dispatcher(build_index(
                [(s.key, s.condition) for s in g.rules], g.hit_policy == "first", slots)))
            for g in self.groups)
        results = Results([g.group_id for g in self.groups])
        self._reasons = RuleReasons(self.groups, slots)
        self._entry = make_entry(paths, plan, results)
        self._entry_values = make_entry(paths, plan, results, self._reasons.values_class)
        self._checked: Any = None  # the last `now` found timezone-aware

    def _aware(self, now: datetime) -> None:
        """`require_aware`, skipped for the instant checked last (a runner's cycle passes one
        `now` to every record; the check is a tenth of a match)."""
        if now is not self._checked:
            require_aware(now)
            self._checked = now

    def match(self, record: Record, now: datetime) -> MatchResult:
        if now is not self._checked:  # `_aware`, written out: a call less per record
            self._aware(now)
        out: MatchResult = self._entry(record.data, now)
        return out

    def match_many(self, records: Iterable[Record], now: datetime) -> list[MatchResult]:
        self._aware(now)
        entry = self._entry
        return [entry(r.data, now) for r in records]

    def match_values(self, record: Record, now: datetime) -> tuple[MatchResult, FieldValues]:
        """`match`, and the field values the match read (`values.read`: a list made for this
        call and never changed), from which `reasons_of(group, key)` makes a matched rule's
        reasons (`values` keeps the Reasons it made, shared by the record's rules)."""
        if now is not self._checked:
            self._aware(now)
        out: tuple[MatchResult, FieldValues] = self._entry_values(record.data, now)
        return out

    def reasons_of(self, group_id: str, key: str) -> Callable[[Any], tuple[Reason, ...]]:
        """`values -> reasons` for one rule, from the values `match_values` gave: the tuple
        `explain` gives, made when called (a caller that defers the call defers the work)."""
        return self._reasons.deferred[group_id][key]

    def match_explained(self, record: Record, now: datetime) -> Explained:
        """One decision with its reasons: `{group id: [(key, reasons), ...]}`, the keys exactly
        as `match` gives them, each with `explain`'s reasons (lazy: the field values are read
        once for the match and copied; the `Reason`s are made when first read)."""
        result, values = self.match_values(record, now)  # values: this call's own
        builders = self._reasons.deferred
        lazy = LazyReasons
        out: Explained = {}
        for group_id, keys in result.items():
            table = builders[group_id]
            out[group_id] = [(key, lazy(table[key], values)) for key in keys]
        return out

    def explain(self, record: Record, now: datetime, group_id: str, key: str
                ) -> Sequence[Reason]:
        """The reasons of one rule for `record`, exactly as `conditions.evaluate.explain` gives
        them (every matcher, no short-circuit): a `LazyReasons` holding the values the rule's
        fields have now, which makes the `Reason`s when first read."""
        self._aware(now)
        return self._reasons.explain(group_id, key, record.data, now)

    def close(self) -> None:
        """Nothing to release: no process, no threads, no native state."""

    def __enter__(self) -> CompiledMatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

