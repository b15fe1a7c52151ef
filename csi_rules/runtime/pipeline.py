"""The one evaluation path: records (from a sync, a wake-up or a webhook) → evaluate → hold
back what passed before the record was first seen (`backlog`) → act → schedule the record's
next wake-up. Polling, time and webhooks all end up here. Before acting, the adapter may read
once for the batch what its actions check (executor.prepare)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from csi_rules.decisions import Decision
from csi_rules.errors import CsiRulesError
from csi_rules.evaluation import Evaluator
from csi_rules.policy.model import PolicySet
from csi_rules.records.model import Record
from csi_rules.runtime.backlog import (
    BacklogMode,
    Position,
    first_sight,
    held_back,
)
from csi_rules.runtime.clock import Clock
from csi_rules.runtime.events import Reporter
from csi_rules.runtime.executor import ActionExecutor
from csi_rules.runtime.metrics import Metrics
from csi_rules.runtime.precedence import policy_precedence, resolve, settle_overridden
from csi_rules.runtime.store import LeaseLost, Reschedule, Store, WakeUp, reschedule_all
from csi_rules.runtime.wakeups import next_instant


@dataclass
class Tally:
    records: int = 0
    decisions: int = 0
    actions: int = 0
    errors: int = 0
    first_seen: int = 0
    set_aside: int = 0  # past crossings of first-seen records not acted on (backlog)

    def add(self, other: Tally) -> None:
        self.records += other.records
        self.decisions += other.decisions
        self.actions += other.actions
        self.errors += other.errors
        self.first_seen += other.first_seen
        self.set_aside += other.set_aside


class Pipeline:
    def __init__(self, store: Store, executor: ActionExecutor, clock: Clock, metrics: Metrics,
                 reporter: Reporter, *, retry_after: float, backlog: BacklogMode = "adopt"):
        self.store, self.executor, self.clock = store, executor, clock
        self.metrics, self.reporter, self.retry_after = metrics, reporter, retry_after
        self.backlog = backlog  # a dry run records first sight too (runtime.backlog)
        self.policy_set: PolicySet | None = None
        self.evaluator: Evaluator | None = None

    def use(self, policy_set: PolicySet, evaluator: Evaluator) -> None:
        self.policy_set, self.evaluator = policy_set, evaluator

    def process(self, adapter: str, records: list[Record],
                claimed: Mapping[str, WakeUp] | None = None, *, backlog: bool = False) -> Tally:
        """`backlog`: the records come from the adapter's first sync, so a record seen for
        the first time follows the configured backlog mode (else it is caught up)."""
        tally = Tally()
        if not records:
            return tally
        now = self.clock.now()
        evaluated = self._first_sight(adapter, records, self._evaluate(records, now, tally), now,
                                      self.backlog if backlog else "act", tally)
        self.executor.prepare(adapter, [(record, decisions) for record, decisions
                                        in zip(records, evaluated, strict=True) if decisions])
        later: list[Reschedule] = []  # each record's next wake-up, written once for the batch
        try:
            for record, decisions in zip(records, evaluated, strict=True):
                tally.records += 1
                try:
                    later.append(self._act(adapter, record, decisions, now,
                                           (claimed or {}).get(record.id), tally))
                except LeaseLost as exc:
                    # Due at once, so the partition's new holder takes the ticket on its next
                    # pass instead of after retryAfter (it knows nothing of this batch).
                    self._error(f"record {record.label}", str(exc), tally)
                    self.store.schedule(adapter, record.id, record.kind, now, "handover")
                except CsiRulesError as exc:
                    self._error(f"record {record.label}", str(exc), tally)
                    self.store.schedule(adapter, record.id, record.kind,
                                        now + timedelta(seconds=self.retry_after), "retry")
        finally:
            self.executor.release(adapter)
            reschedule_all(self.store, later)
        self.metrics.inc("csi_rules_records_evaluated_total", tally.records)
        return tally

    def _evaluate(self, records: list[Record], now: datetime,
                  tally: Tally) -> list[list[Decision] | None]:
        assert self.evaluator is not None
        try:
            return list(self.evaluator.evaluate_many(records, now))
        except CsiRulesError:
            pass  # find the record that fails; evaluate the others one by one
        out: list[list[Decision] | None] = []
        for record in records:
            try:
                out.append(self.evaluator.evaluate(record, now))
            except CsiRulesError as exc:
                self._error(f"evaluate {record.label}", str(exc), tally)
                out.append(None)
        return out

    def _first_sight(self, adapter: str, records: list[Record],
                     evaluated: list[list[Decision] | None], now: datetime, mode: BacklogMode,
                     tally: Tally) -> list[list[Decision] | None]:
        """Known records lose the decisions set aside when first seen; records seen now for
        the first time get their position (written before anything is acted on)."""
        known = self.store.positions(adapter, [r.id for r in records])
        new: dict[str, Position] = {}
        out: list[list[Decision] | None] = []
        for record, decisions in zip(records, evaluated, strict=True):
            position = known.get(record.id)
            if decisions is not None and position is None:
                decisions, new[record.id] = first_sight(decisions, now, mode)
                tally.set_aside += len(new[record.id].adopted)
            elif decisions is not None and position is not None:
                decisions = held_back(decisions, position)
            out.append(decisions)
        if new:
            self.store.remember_positions(adapter, new)
            tally.first_seen += len(new)
        return out

    def _act(self, adapter: str, record: Record, decisions: list[Decision] | None,
             now: datetime, claimed: WakeUp | None, tally: Tally) -> Reschedule:
        """Carry out the record's decisions; returns its next wake-up (written with the
        batch's: a crash before that leaves the claimed wake-up, or the watermark, behind
        the record, so it is evaluated again)."""
        assert self.policy_set is not None
        retry = decisions is None
        overridden = resolve(decisions or (), policy_precedence(self.policy_set))
        if overridden:  # decisions that fight: the losers are recorded as skipped, not run
            settle_overridden(self.store, adapter, record, overridden, now,
                              dry_run=self.executor.dry_run)
            self.executor.forget_batch()
        for decision in decisions or ():
            outcome = self.executor.decide(adapter, record, decision)
            tally.decisions += int(outcome.attempted > 0)
            tally.actions += outcome.attempted
            retry = retry or outcome.retry
        due, reason = next_instant(self.policy_set, record, now), "time"
        if retry:
            again = now + timedelta(seconds=self.retry_after)
            if due is None or again < due:
                due, reason = again, "retry"
        return Reschedule(adapter, record.id, record.kind, due, reason, claimed)

    def _error(self, scope: str, message: str, tally: Tally) -> None:
        tally.errors += 1
        self.store.record_error(scope, message, self.clock.now())
        self.metrics.inc("csi_rules_errors_total", scope=scope.split(" ", 1)[0])
        self.reporter.event("record_error", scope=scope, error=message)
