"""Carrying out a decision's actions exactly once: ledger first, platform second, log last.

1. One transaction records the decision as in flight and its actions as `pending`.
2. Each action goes to the adapter (which reads before it writes, so a repeat is
   `already_applied`), then its row is settled. Actions run in the policy's order and the
   first failure holds back the ones after it (failed, "not attempted", retried with it): a
   comment saying "escalated to L2" is never posted when the escalation did not happen.
   An action outside the adapter's declared capabilities fails before any write.
3. One transaction appends the audit entry and clears the in-flight decision.

A crash anywhere leaves the decision in flight; `recover()` (run at the start of every cycle)
re-sends each still-pending action. If the first attempt landed, the adapter's read finds it
and answers `already_applied`: the effect happens once, whatever point the crash hit.

`notify` actions go to the runner's channels (csi_rules.notify) when the config defines any,
through the same ledger, with a `sending` mark before each send (runtime.notify_path): at most
once, never reported as sent when it may not have been. A failed notification does not hold
back the platform actions after it; a failed platform action does hold back a notification
after it (no "escalated" page for an escalation that did not happen).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from csi_rules.adapter import ActionRequest, Adapter
from csi_rules.audit.entry import action_result, decision_entry
from csi_rules.capabilities import refusals
from csi_rules.decisions import Decision
from csi_rules.errors import AdapterUnavailable, CsiRulesError, RecordNotFound
from csi_rules.notify.notifier import Notifier
from csi_rules.records.model import Record
from csi_rules.runtime.clock import Clock
from csi_rules.runtime.events import Reporter
from csi_rules.runtime.faults import FaultHook
from csi_rules.runtime.ledger import planned_actions, should_attempt
from csi_rules.runtime.metrics import Metrics
from csi_rules.runtime.notify_path import SENDING, interrupted, interrupted_settlement, settle, uncertain
from csi_rules.runtime.store import LedgerEntry, PlannedAction, Settlement, Store


@dataclass(frozen=True)
class Outcome:
    """What deciding did: how many actions were attempted and whether to come back later."""

    attempted: int = 0
    retry: bool = False


class ActionExecutor:
    def __init__(self, store: Store, adapters: Mapping[str, Adapter], clock: Clock, *,
                 dry_run: bool, max_attempts: int, retry_after: float, faults: FaultHook,
                 metrics: Metrics, reporter: Reporter, notifier: Notifier | None = None):
        self.store, self.adapters, self.clock = store, adapters, clock
        self.notifier = notifier
        self.dry_run, self.max_attempts, self.retry_after = dry_run, max_attempts, retry_after
        self.faults, self.metrics, self.reporter = faults, metrics, reporter
        self._known: dict[str, LedgerEntry] = {}  # the prepared batch's ledger rows
        self._batch_keys: set[str] = set()  # ... and the keys they answer for

    # -- a batch's reads ---------------------------------------------------------------------
    def prepare(self, adapter: str, batch: Sequence[tuple[Record, Sequence[Decision]]]) -> None:
        """Read the ledger rows of the batch's actions once (`decide` answers from them until
        `release`), and let an adapter that reads in bulk (csi_rules.adapter.PreparesBatches)
        read once what the batch's actions will check: the actions still to attempt.
        A failure of the adapter's read costs only the speed-up: each action reads for itself."""
        planned = [(record, data, p) for record, decisions in batch for d in decisions
                   for data in (d.to_json(),) for p in planned_actions(data)]
        known = self.store.ledger(p.key for _, _, p in planned)
        self._known, self._batch_keys = known, {p.key for _, _, p in planned}
        hook = getattr(self.adapters.get(adapter), "prepare", None)
        if not callable(hook):
            return
        requests = [ActionRequest(p.type, p.params, record.id, p.key, data["policy"]["name"],
                                  data.get("rule") or "", decided_at=_instant(data.get("now")),
                                  fresh=known.get(p.key) is None)
                    for record, data, p in planned
                    if not self._delivers(p) and should_attempt(
                        known.get(p.key), dry_run=self.dry_run, max_attempts=self.max_attempts)]
        if not requests:
            return
        try:
            hook([record for record, _ in batch], requests)
        except Exception as exc:  # an optional speed-up never stops the batch
            self.reporter.event("prepare_failed", adapter=adapter, error=str(exc))

    def forget_batch(self) -> None:
        """The ledger changed behind the executor (overridden actions settled): read again."""
        self._known, self._batch_keys = {}, set()

    def release(self, adapter: str) -> None:
        """The batch is done: the adapter drops what it read for it."""
        self.forget_batch()
        hook = getattr(self.adapters.get(adapter), "prepare", None)
        if callable(hook):
            try:
                hook((), ())
            except Exception as exc:  # as in prepare
                self.reporter.event("prepare_failed", adapter=adapter, error=str(exc))

    # -- deciding ---------------------------------------------------------------------------
    def decide(self, adapter: str, record: Record, decision: Decision) -> Outcome:
        data = decision.to_json()
        planned = planned_actions(data)
        keys = [p.key for p in planned]
        if self._batch_keys.issuperset(keys):  # read with the batch (prepare)
            known = {k: self._known[k] for k in keys if k in self._known}
        else:
            known = self.store.ledger(keys)
        todo = [p for p in planned if should_attempt(known.get(p.key), dry_run=self.dry_run,
                                                      max_attempts=self.max_attempts)]
        if not todo:
            return Outcome()
        self._batch_keys.difference_update(keys)  # about to change: read afresh if met again
        self.metrics.inc("csi_rules_decisions_total", kind=decision.policy_kind)
        if self.dry_run:
            return self._shadow(adapter, record, data, todo)
        now = self.clock.now()
        inflight = self.store.begin_decision(data["key"], adapter, record.id, record.kind, data,
                                             todo, now)
        fresh = frozenset(p.key for p in todo if known.get(p.key) is None)
        rows = {**known, **{p.key: _pending(known.get(p.key), p, data, adapter, record, now)
                            for p in todo}}
        return self._carry_out(inflight, adapter, record, data, [p.key for p in todo], fresh,
                               rows)

    def _shadow(self, adapter: str, record: Record, data: Mapping[str, Any],
                todo: list[PlannedAction]) -> Outcome:
        results = []
        for action in todo:
            status, detail, _, _ = self._call(adapter, action, record, data, dry_run=True)
            results.append((action, status, detail))
            self.metrics.inc("csi_rules_actions_total", status=f"dry_run_{status}")
        now = self.clock.now()
        entry = decision_entry(data, adapter, now, [
            action_result(a.key, a.type, a.params, status, detail) for a, status, detail in results
        ], dry_run=True)
        self.store.log_dry_run(data["key"], adapter, record.id, results, entry, now)
        return Outcome(len(todo))

    def _carry_out(self, inflight: int, adapter: str, record: Record | None,
                   data: Mapping[str, Any], keys: Sequence[str],
                   fresh: frozenset[str] = frozenset(),
                   rows: dict[str, LedgerEntry] | None = None) -> Outcome:
        """`rows`: the decision's ledger rows as begin_decision left them (else read); they
        are kept up to date here as each action is settled, for the audit entry."""
        planned = {p.key: p for p in planned_actions(data)}
        rows = dict(rows) if rows is not None else self.store.ledger(planned)
        retry = False
        blocked = ""  # the earlier action that failed: later ones wait for it
        settled: list[Settlement] = []  # written with the audit entry (complete_decision)
        for key, action in planned.items():
            if key not in keys:
                if key in rows and rows[key].state == "failed" and not self._delivers(action):
                    blocked = blocked or f"action #{action.index} ({action.type}) failed"
                continue
            if rows[key].state != "pending":
                continue
            self.faults.hit("before_call")
            if blocked:
                status, detail, ref, counted = ("failed", f"not attempted: {blocked}; it runs "
                                                "once that one has been applied", "", True)
            elif record is None:
                status, detail, ref, counted = "failed", "the record no longer exists", "", True
            elif self._delivers(action):
                status, detail, ref, counted = self._notify(action, rows[key].detail, record,
                                                            data)
            else:
                status, detail, ref, counted = self._call(adapter, action, record, data,
                                                          dry_run=False, fresh=key in fresh)
            self.faults.hit("after_call")
            settled_at = self.clock.now()
            if self._delivers(action):  # a notification's outcome is kept at once (notify_path)
                self.store.finish_action(key, status, detail, ref, settled_at,
                                         count_attempt=counted)
            else:
                settled.append(Settlement(key, status, detail, ref, settled_at, counted))
            rows[key] = replace(rows[key], state=status, detail=detail, platform_ref=ref,
                                attempts=rows[key].attempts + int(counted),
                                updated_at=settled_at)
            self.metrics.inc("csi_rules_actions_total", status=status)
            if self._delivers(action):
                self.metrics.inc("csi_rules_notifications_total",
                                 channel=str(action.params.get("channel", "email")),
                                 status="sent" if status == "applied" else status)
            if status == "failed":
                if not self._delivers(action):
                    blocked = blocked or f"action #{action.index} ({action.type}) failed"
                retry = retry or (rows[key].attempts < self.max_attempts
                                  and not uncertain(detail))
                self.store.record_error(f"action {key}", detail, self.clock.now())
                self.metrics.inc("csi_rules_errors_total", scope="action")
                self.reporter.event("action_failed", key=key, detail=detail)
        self.faults.hit("before_log")
        now = self.clock.now()
        results = [action_result(k, p.type, p.params, rows[k].state if k in rows else "not_run",
                                 rows[k].detail if k in rows else "",
                                 rows[k].platform_ref if k in rows else "",
                                 rows[k].attempts if k in rows else 0)
                   for k, p in planned.items()]
        self.store.complete_decision(inflight, decision_entry(data, adapter, now, results,
                                                              dry_run=False), settled)
        return Outcome(len(keys), retry)

    def _call(self, adapter: str, action: PlannedAction, record: Record,
              data: Mapping[str, Any], *, dry_run: bool,
              fresh: bool = False) -> tuple[str, str, str, bool]:
        """(status, detail, platform ref, whether it counts as an attempt).

        An action outside the adapter's declared capabilities is refused here, before any
        write: a dropped parameter must never turn into a reported success."""
        if self._delivers(action):
            assert self.notifier is not None
            shown = self.notifier.deliver(action.params, action.key, record.to_json(), data,
                                          dry_run=True)
            return ("applied" if shown.status == "sent" else "failed"), shown.detail, "", True
        refused = self._refused(adapter, action)
        if refused:
            return "failed", refused, "", True
        request = ActionRequest(action.type, action.params, record.id, action.key,
                                data["policy"]["name"], data.get("rule") or "",
                                decided_at=_instant(data.get("now")), fresh=fresh)
        try:
            with self.faults.during():
                result = self.adapters[adapter].apply_action(request, record, dry_run=dry_run)
        except AdapterUnavailable as exc:
            return "failed", str(exc), "", False
        except CsiRulesError as exc:
            return "failed", str(exc), "", True
        except Exception as exc:  # an adapter bug must not stop the runner; it is logged
            return "failed", f"{type(exc).__name__}: {exc}", "", True
        return result.status, result.detail, result.platform_ref, True

    def _delivers(self, action: PlannedAction) -> bool:
        return action.type == "notify" and self.notifier is not None and \
            self.notifier.configured

    def _notify(self, action: PlannedAction, detail: str, record: Record,
                data: Mapping[str, Any]) -> tuple[str, str, str, bool]:
        """Mark, send, and settle one notification (runtime.notify_path)."""
        assert self.notifier is not None
        safe = self.notifier.retry_safe(action.params)
        if interrupted(detail) and not safe:
            return interrupted_settlement()
        self.store.finish_action(action.key, "pending", SENDING + self.clock.now().isoformat(),
                                 "", self.clock.now(), count_attempt=False)
        with self.faults.during():
            delivery = self.notifier.deliver(action.params, action.key, record.to_json(), data,
                                             dry_run=False)
        return settle(delivery, retry_safe=safe)

    def _refused(self, adapter: str, action: PlannedAction) -> str:
        declared = getattr(self.adapters[adapter], "capabilities", None)
        if not callable(declared):
            return ""
        problems = [r.message for r in refusals(declared(), action.type, action.params)
                    if r.severity == "error"]
        return "; ".join(problems) + ("; nothing was written" if problems else "")

    # -- recovering -------------------------------------------------------------------------
    def recover(self) -> int:
        """Finish every decision a crash left in flight; returns how many were finished."""
        done = 0
        for inflight in self.store.inflight_decisions():
            rows = self.store.ledger(inflight.action_keys)
            record: Record | None = None
            if any(r.state == "pending" for r in rows.values()):
                try:
                    record = self.adapters[inflight.adapter].fetch_record(inflight.record_id)
                except RecordNotFound:
                    record = None
                except (CsiRulesError, KeyError) as exc:
                    self.store.record_error(f"recover {inflight.decision_key}", str(exc),
                                            self.clock.now())
                    self.metrics.inc("csi_rules_errors_total", scope="recover")
                    continue
            outcome = self._carry_out(inflight.id, inflight.adapter, record, inflight.decision,
                                      inflight.action_keys)
            if outcome.retry:
                self.store.schedule(inflight.adapter, inflight.record_id, inflight.record_kind,
                                    self.clock.now() + timedelta(seconds=self.retry_after),
                                    "retry")
            self.reporter.event("recovered", decision=inflight.decision_key)
            done += 1
        return done


def _pending(known: LedgerEntry | None, action: PlannedAction, data: Mapping[str, Any],
             adapter: str, record: Record, now: datetime) -> LedgerEntry:
    """The ledger row begin_decision leaves for `action` (`known`: the row before it)."""
    if known is not None:
        return replace(known, state="pending", updated_at=now)
    return LedgerEntry(action.key, str(data["key"]), adapter, record.id, action.type,
                       dict(action.params), "pending", 0, "", "", now)


def _instant(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
