"""Correlation inside the runner: per CorrelationPolicy and adapter, a bounded in-memory window
of recent tickets the engine matched to the policy's `when`. Each synced batch is counted
together with its window; each new set becomes one decision, acted on through the executor,
whose key (policy/group/first ticket) makes its actions apply once, restart or not.

The window remembers which (group, ticket) pairs were already counted in a set, so a ticket
that comes back (updated, maybe by the set's own comment) is not counted again. The window is
memory only: at start and after a policy reload it is rebuilt from the platform (records updated
within the longest `within`); the sets found again are already in the ledger, so nothing is
repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from csi_rules.correlation.evaluate import correlation_groups, policy_decisions
from csi_rules.correlation.window import GroupKey
from csi_rules.decisions import Decision
from csi_rules.engine.select import DEFAULT_ENGINE, make_matcher
from csi_rules.errors import CsiRulesError
from csi_rules.evaluation import Matcher
from csi_rules.policy.model import Policy, PolicySet
from csi_rules.records.model import Record
from csi_rules.runtime.executor import ActionExecutor
from csi_rules.runtime.pipeline import Tally

MAX_WINDOW = 5000
"""Tickets kept per policy and adapter; past it the oldest leave first."""

MatcherFactory = Callable[..., Matcher]
ErrorSink = Callable[[str, str], None]


@dataclass
class _Window:
    records: dict[str, Record] = field(default_factory=dict)
    used: dict[tuple[GroupKey, str], datetime] = field(default_factory=dict)


class CorrelationFeed:
    """Holds the windows; `feed()` a synced batch, get back what it did as a Tally."""

    def __init__(self, executor: ActionExecutor, *, matcher_factory: MatcherFactory | None = None,
                 max_window: int = MAX_WINDOW, engine: str = DEFAULT_ENGINE):
        """`engine` picks the matcher that filters records by each policy's `when` (the
        runner passes its configured engine); `matcher_factory` overrides it in tests."""
        self.executor, self.max_window = executor, max_window
        self._matcher_factory: MatcherFactory = (
            matcher_factory or (lambda groups: make_matcher(groups, engine)))
        self._matcher: Matcher | None = None
        self._policies: list[Policy] = []
        self._windows: dict[tuple[str, int], _Window] = {}
        self.primed: set[str] = set()

    # -- policies ---------------------------------------------------------------------------
    def use(self, policy_set: PolicySet) -> None:
        """A new policy set: new matcher, empty windows (rebuilt by the next `prime`)."""
        self.close()
        self._policies = list(policy_set.of_kind("CorrelationPolicy"))
        self._windows.clear()
        self.primed.clear()
        if self._policies:
            self._matcher = self._matcher_factory(correlation_groups(policy_set))

    @property
    def active(self) -> bool:
        return bool(self._policies)

    @property
    def longest_within(self) -> timedelta:
        return timedelta(seconds=max((p.compiled["within_seconds"] for p in self._policies),
                                     default=0))

    def kinds(self, adapter_kinds: Sequence[str]) -> tuple[str, ...]:
        """The adapter's kinds some correlation policy applies to."""
        wanted = {k for p in self._policies for k in p.applies_to}
        return tuple(k for k in adapter_kinds if k in wanted)

    def close(self) -> None:
        if self._matcher is not None:
            self._matcher.close()
            self._matcher = None

    # -- counting ---------------------------------------------------------------------------
    def feed(self, adapter: str, records: list[Record], now: datetime,
             on_error: ErrorSink) -> Tally:
        """Add `records` to the windows, act on every new set, return what was done."""
        tally = Tally()
        if not self._policies or self._matcher is None:
            return tally
        for record, matched in self._match(records, now, on_error, tally):
            for i, policy in enumerate(self._policies):
                if record.kind not in policy.applies_to:
                    continue
                window = self._windows.setdefault((adapter, i), _Window())
                if matched.get(f"c{i}"):
                    window.records[record.id] = record
                else:  # an update may take a ticket out of the set it was counted for
                    window.records.pop(record.id, None)
        for (name, i), window in self._windows.items():
            if name == adapter:
                self._trim(self._policies[i], window)
                self._act(adapter, self._policies[i], window, on_error, tally)
        return tally

    def _match(self, records: list[Record], now: datetime, on_error: ErrorSink,
               tally: Tally) -> list[tuple[Record, dict[str, list[str]]]]:
        assert self._matcher is not None
        if not records:
            return []
        try:
            return list(zip(records, self._matcher.match_many(records, now), strict=True))
        except CsiRulesError:
            pass  # find the record that fails; match the others one by one
        out = []
        for record in records:
            try:
                out.append((record, self._matcher.match(record, now)))
            except CsiRulesError as exc:
                tally.errors += 1
                on_error(f"correlate {record.label}", str(exc))
        return out

    def _trim(self, policy: Policy, window: _Window) -> None:
        """Keep the tickets within the policy's `within` of the newest, at most `max_window`."""
        time_field = policy.compiled.get("timeField", "opened_at")
        timed = sorted(((r.get(time_field), r.id) for r in window.records.values()
                        if isinstance(r.get(time_field), datetime)), reverse=True)
        if not timed:
            window.records.clear()
            window.used.clear()
            return
        oldest = timed[0][0] - timedelta(seconds=policy.compiled["within_seconds"])
        keep = {rid for at, rid in timed[:self.max_window] if at >= oldest}
        window.records = {rid: r for rid, r in window.records.items() if rid in keep}
        window.used = {k: at for k, at in window.used.items() if at >= oldest}

    def _act(self, adapter: str, policy: Policy, window: _Window, on_error: ErrorSink,
             tally: Tally) -> None:
        for decision in policy_decisions(policy, list(window.records.values()), window.used):
            record = window.records[decision.record_id]
            try:
                outcome = self.executor.decide(adapter, record, decision)
            except CsiRulesError as exc:
                tally.errors += 1
                on_error(f"correlate {decision.key}", str(exc))
                continue  # not marked as counted: the next batch tries the set again
            tally.decisions += int(outcome.attempted > 0)
            tally.actions += outcome.attempted
            if not outcome.retry:
                _mark_used(window, decision)


def _mark_used(window: _Window, decision: Decision) -> None:
    assert decision.details is not None
    key: GroupKey = tuple(decision.details["group"].items())
    for record_id in decision.details["records"]:
        window.used[(key, record_id)] = decision.now
