"""The runner: every cycle recovers interrupted actions, reloads changed policies, syncs each
adapter incrementally, then fires the wake-ups that are due. `run_forever` repeats that every
poll interval, earlier when a wake-up falls due or a webhook asks (`wake()`).

Wake-ups re-read their records from the platform (one query per adapter per pass) instead of
evaluating a stored copy: the escalation that fires must see the ticket as it is now (maybe
acknowledged a second ago), and nothing else has to be stored about a ticket but its queue row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from csi_rules.adapter import Adapter, RecordQuery
from csi_rules.audit.entry import disagreement_entry, dry_run_cycle_entry, reload_entry
from csi_rules.engine.verify import Disagreement
from csi_rules.errors import CsiRulesError, UsageError
from csi_rules.evaluation import Evaluator
from csi_rules.findings import Finding
from csi_rules.plugins import Plugins, load_plugins
from csi_rules.policy.model import PolicySet
from csi_rules.records.model import Record
from csi_rules.runtime.adapter_state import export_state, import_state
from csi_rules.runtime.clock import Clock
from csi_rules.runtime.config import AdapterConfig, ConfigError, RunnerConfig
from csi_rules.runtime.correlation import CorrelationFeed, MatcherFactory
from csi_rules.runtime.events import NullReporter, Reporter
from csi_rules.runtime.executor import ActionExecutor
from csi_rules.runtime.faults import FaultHook
from csi_rules.runtime.metrics import Metrics
from csi_rules.runtime.notifications import notifier_for
from csi_rules.runtime.pipeline import Pipeline, Tally
from csi_rules.runtime.policies import PolicyCheck, PolicySource, Reload
from csi_rules.runtime.postgres_config import open_store, worker_id
from csi_rules.runtime.store import SharedWork, Store, WakeUp
from csi_rules.runtime.sync import ShadowCursors, sync_adapter
from csi_rules.runtime.unmapped import UnmappedValues

WAKEUP_PASSES = 10
STORE_RETRY = 2.0  # seconds between cycles while the state store cannot be reached
EvaluatorFactory = Callable[[PolicySet], Evaluator]


@dataclass
class CycleReport:
    """What one cycle did (returned by `run_once`, and logged as the `cycle` event)."""

    started_at: datetime
    finished_at: datetime | None = None
    synced: dict[str, int] = field(default_factory=dict)
    wakeups: int = 0
    recovered: int = 0
    tally: Tally = field(default_factory=Tally)
    reload: str = ""
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "synced": self.synced, "wakeups": self.wakeups, "recovered": self.recovered,
                "records": self.tally.records, "decisions": self.tally.decisions,
                "actions": self.tally.actions, "errors": len(self.errors) + self.tally.errors,
                **({"first_seen": self.tally.first_seen, "set_aside": self.tally.set_aside}
                   if self.tally.first_seen else {}),
                **({"reload": self.reload} if self.reload else {})}


def build_adapter(plugins: Plugins, spec: AdapterConfig) -> Adapter:
    """The adapter a config entry names; a refused setting is an error at its place in the
    config file (`file:line:col: adapters.N.settings: adapter NAME: ...`), exit 2."""
    try:
        return plugins.adapters.get(spec.type)(spec.settings)
    except CsiRulesError as exc:
        message = f"adapter {spec.name}: {exc}"
        if not spec.where:
            raise UsageError(message) from None
        file, line, col = spec.where.rsplit(":", 2)
        raise ConfigError([Finding(file, int(line), int(col), "", "", message)]) from None


class Runner:
    """Drive with `run_once()` (one cycle) or `run_forever()`; close with `close()` or `with`."""

    def __init__(self, config: RunnerConfig, *, clock: Clock, plugins: Plugins | None = None,
                 adapters: Mapping[str, Adapter] | None = None, store: Store | None = None,
                 dry_run: bool = False, reporter: Reporter | None = None,
                 faults: FaultHook | None = None, metrics: Metrics | None = None,
                 evaluator_factory: EvaluatorFactory | None = None, full_sync: bool = False,
                 correlation_matcher: MatcherFactory | None = None,
                 policy_check: PolicyCheck | None = None):
        self.config, self.clock, self.dry_run = config, clock, dry_run
        self.reporter = reporter or NullReporter()
        self.metrics = metrics or Metrics()
        self._plugins = plugins or load_plugins()
        self._evaluator_factory = evaluator_factory or self._configured_evaluator
        self.policies = PolicySource(config.policies, self._plugins, policy_check)
        policy_set = self.policies.load()
        self._owned_adapters: list[Adapter] = []
        self.adapters: dict[str, Adapter] = dict(adapters or {})
        try:  # every adapter is built (settings checked) before any state is created
            for spec in config.adapters:
                if spec.name not in self.adapters:
                    made = build_adapter(self._plugins, spec)
                    self._owned_adapters.append(made)
                    self.adapters[spec.name] = made
            # channels read their credentials now: a missing one stops here, before the store
            self.notifier = notifier_for(self._plugins, config, lambda: self.pipeline.policy_set)
        except CsiRulesError:
            self._close_adapters()
            raise
        self._owns_store = store is None
        try:
            self.store: Store = store if store is not None else open_store(
                config, worker=worker_id())
        except BaseException:
            self.notifier.close()
            self._close_adapters()
            raise
        self._share = self.store if isinstance(self.store, SharedWork) else None
        for spec in config.adapters:
            cursor = self.store.get_cursor(spec.name)
            if cursor is not None and cursor.sync_state is not None:
                import_state(self.adapters[spec.name], cursor.sync_state)
        self.executor = ActionExecutor(
            self.store, self.adapters, clock, dry_run=dry_run, max_attempts=config.max_attempts,
            retry_after=config.retry_after, faults=faults or FaultHook(), metrics=self.metrics,
            reporter=self.reporter, notifier=self.notifier)
        self.pipeline = Pipeline(self.store, self.executor, clock, self.metrics, self.reporter,
                                 retry_after=config.retry_after, backlog=config.backlog)
        self.pipeline.use(policy_set, self._evaluator_factory(policy_set))
        self.correlation = CorrelationFeed(self.executor, matcher_factory=correlation_matcher,
                                           engine=config.engine)
        self.correlation.use(policy_set)
        self._full_sync = full_sync
        self._unmapped = UnmappedValues()  # platform values with no mapping, reported once a run
        self._requeue_shadowed = not dry_run
        self._cursors = ShadowCursors(self.store) if dry_run else self.store
        self._signal = threading.Event()
        self._stopped = threading.Event()
        self._last_reload_check: datetime | None = None
        self.cycles = 0

    # -- public API -------------------------------------------------------------------------
    @property
    def policy_set(self) -> PolicySet:
        assert self.pipeline.policy_set is not None
        return self.pipeline.policy_set

    def run_once(self, *, sync: bool = True) -> CycleReport:
        """One cycle; errors are recorded (store, metrics, events), never raised.

        `sync=False` skips the incremental syncs (a webhook or a wake-up woke the loop
        between two polls): recovery, reload and due wake-ups only."""
        report = CycleReport(self.clock.now())
        if self._share is not None:  # several runners: renew, hand back or claim partitions
            self._share.balance(self.wake)
        report.reload = self._maybe_reload()
        report.recovered = self.executor.recover()
        if self._requeue_shadowed:
            self._requeue_shadowed = False
            self._requeue_dry_run_records()
        for spec in self.config.adapters if sync else ():
            if self._share is not None and not self._share.lead(spec.name):
                continue  # another runner polls this adapter now
            if self.correlation.active and spec.name not in self.correlation.primed:
                self._prime_correlation(spec, report)

            backlog = not self.store.backlog_done(spec.name)

            def process(records: list[Record], name: str = spec.name,
                        backlog: bool = backlog) -> None:
                mine = records if self._share is None else self._share.keep_own(
                    name, records, self.clock.now(), backlog=backlog)  # others: queued
                report.tally.add(self.pipeline.process(name, mine, backlog=backlog))
                report.tally.add(self.correlation.feed(name, records, self.clock.now(),
                                                       self._record_error))

            try:
                result = sync_adapter(spec, self.adapters[spec.name], self._cursors, self.clock,
                                      process, batch_size=self.config.batch_size,
                                      reporter=self.reporter, full=self._full_sync,
                                      unmapped=self._unmapped)
            except CsiRulesError as exc:
                self._error(report, f"sync {spec.name}", str(exc))
                continue
            report.synced[spec.name] = result.records
            if backlog:
                self.store.mark_backlog_done(spec.name, self.clock.now())
            self.reporter.event("sync_done", adapter=spec.name, records=result.records,
                                since=result.since, watermark=result.watermark)
        if sync:
            self._full_sync = False
        report.wakeups = self._fire_wakeups(report)
        report.finished_at = self.clock.now()
        if self.dry_run and sync and (self.cycles == 0 or any(report.synced.values())
                                      or report.tally.decisions):
            self.store.append_audit(dry_run_cycle_entry(report.finished_at, report.to_json()))
        self.cycles += 1
        self.reporter.event("cycle", **report.to_json())
        return report

    def run_forever(self, stop: threading.Event | None = None,
                    max_cycles: int | None = None) -> None:
        """Cycle until `stop()` (or `stop` is set, or `max_cycles` ran)."""
        cycles = 0
        next_poll = self.clock.now()
        while not self._stopped.is_set() and not (stop is not None and stop.is_set()):
            polling = self.clock.now() >= next_poll
            if polling:
                next_poll = self.clock.now() + timedelta(seconds=self.config.poll_interval)
            try:
                self.run_once(sync=polling)
            except Exception as exc:  # keep the daemon alive; the error is visible in
                self.metrics.inc("csi_rules_errors_total", scope="cycle")  # metrics and logs
                self.reporter.event("cycle_error", error=f"{type(exc).__name__}: {exc}")
            cycles += 1
            if max_cycles is not None and cycles >= max_cycles:
                return
            delay = (self._next_deadline(next_poll) - self.clock.now()).total_seconds()
            if delay > 0 and not self._signal.is_set():
                self.clock.wait(self._signal, delay)
            self._signal.clear()
            if stop is not None and stop.is_set():
                return

    def wake(self) -> None:
        """Run the next cycle now (a webhook queued a record)."""
        self._signal.set()

    def stop(self) -> None:
        self._stopped.set()
        self._signal.set()

    def close(self) -> None:
        if self.pipeline.evaluator is not None:
            self.pipeline.evaluator.close()
        self.correlation.close()
        self.notifier.close()
        self._close_adapters()
        if self._owns_store:
            self.store.close()

    def _close_adapters(self) -> None:
        for adapter in self._owned_adapters:
            adapter.close()
        self._owned_adapters.clear()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the parts of a cycle ---------------------------------------------------------------
    def _next_deadline(self, next_poll: datetime) -> datetime:
        deadline = next_poll
        if self.config.reload_check:
            check = self.clock.now() + timedelta(seconds=self.config.reload_check)
            deadline = min(deadline, check)
        try:
            queued = self.store.wakeups(limit=1)
        except CsiRulesError:  # the store is unreachable (a PostgreSQL restart): retry soon
            return min(deadline, self.clock.now() + timedelta(seconds=STORE_RETRY))
        if queued and queued[0].due_at < deadline:
            deadline = queued[0].due_at
        return deadline

    def _requeue_dry_run_records(self) -> None:
        """A live run re-evaluates now every record a dry run only logged actions for: the dry
        run may have moved or fired its wake-up, and its `dry_run` ledger rows count as not
        applied (`should_attempt`), so whatever the policies still ask for is applied once."""
        now = self.clock.now()
        seen = set()
        for entry in self.store.ledger_entries(state="dry_run"):
            if entry.adapter in self.adapters and (entry.adapter, entry.record_id) not in seen:
                seen.add((entry.adapter, entry.record_id))
                self.store.schedule(entry.adapter, entry.record_id, "", now, "dry_run")

    def _maybe_reload(self) -> str:
        now = self.clock.now()
        every = self.config.reload_check
        if every and self._last_reload_check is not None and \
                (now - self._last_reload_check).total_seconds() < every:
            return ""
        self._last_reload_check = now
        found = self.policies.check()
        if found is None:
            return ""
        return self._apply_reload(found, now)

    def _configured_evaluator(self, policy_set: PolicySet) -> Evaluator:
        """The config's engine; with `verify`, a sample of live records is re-checked on a
        second engine and each disagreement reported (metrics, events, audit log)."""
        if self.config.verify_with is None:
            return Evaluator(policy_set, engine=self.config.engine)
        return Evaluator(policy_set, engine=self.config.engine,
                         verify_with=self.config.verify_with, every=self.config.verify_every,
                         on_disagreement=self._disagreement)

    def _disagreement(self, found: Disagreement) -> None:
        self.metrics.inc("csi_rules_engine_disagreements_total", group=found.group_id)
        self.reporter.event("engine_disagreement", detail=found.describe())
        self.store.append_audit(disagreement_entry(self.clock.now(), found.record,
                                                   found.describe(), found.engines))

    def _apply_reload(self, found: Reload, now: datetime) -> str:
        if found.policy_set is None:
            first = found.findings[0].format() if found.findings else "invalid policy set"
            more = f" (and {len(found.findings) - 1} more)" if len(found.findings) > 1 else ""
            self.store.record_error("policies", f"reload rejected: {first}{more}", now)
            self.metrics.inc("csi_rules_policy_reloads_total", result="rejected")
            self.reporter.event("policy_reload_rejected", version=found.version,
                                findings=[f.format() for f in found.findings])
            return "rejected"
        evaluator = self._evaluator_factory(found.policy_set)
        old = self.pipeline.evaluator
        self.pipeline.use(found.policy_set, evaluator)
        if old is not None:
            old.close()
        self.correlation.use(found.policy_set)
        self.store.append_audit(reload_entry(now, found.version, [
            (p.name, p.kind, p.content_hash) for p in found.policy_set.policies]))
        self.metrics.inc("csi_rules_policy_reloads_total", result="accepted")
        self.reporter.event("policy_reloaded", version=found.version,
                            policies=len(found.policy_set.policies))
        return "accepted"

    def _prime_correlation(self, spec: AdapterConfig, report: CycleReport) -> None:
        """Rebuild the adapter's correlation windows from the records updated within the
        longest `within`. Sets found again are already in the ledger (nothing is repeated); a
        set never decided (the runner was down when it formed) is acted on now. The adapter's
        sync memory is emptied for this read (it would hide the records already synced) and put
        back afterwards (this read must not hide records from the next sync)."""
        kinds = self.correlation.kinds(spec.kinds)
        adapter = self.adapters[spec.name]
        saved = export_state(adapter)
        import_state(adapter, None)
        since = self.clock.now() - self.correlation.longest_within
        query = RecordQuery(kinds, since, fields=tuple(spec.fields))
        batch: list[Record] = []
        try:
            for record in adapter.fetch_records(query) if kinds else ():
                batch.append(record)
                if len(batch) >= self.config.batch_size:
                    report.tally.add(self.correlation.feed(spec.name, batch, self.clock.now(),
                                                           self._record_error))
                    batch = []
            report.tally.add(self.correlation.feed(spec.name, batch, self.clock.now(),
                                                   self._record_error))
        except CsiRulesError as exc:
            self._error(report, f"correlate {spec.name}", f"rebuilding the window: {exc}")
            return
        finally:
            import_state(adapter, saved)
        self.correlation.primed.add(spec.name)

    def _fire_wakeups(self, report: CycleReport) -> int:
        fired = 0
        for _ in range(WAKEUP_PASSES):
            now = self.clock.now()
            due = self.store.due_wakeups(now, self.config.batch_size)
            if not due:
                break
            by_adapter: dict[str, list[WakeUp]] = {}
            for wakeup in due:
                by_adapter.setdefault(wakeup.adapter, []).append(wakeup)
            for name, wakeups in by_adapter.items():
                self._fire(name, wakeups, report, now)
            fired += len(due)
        self.metrics.inc("csi_rules_wakeups_fired_total", fired)
        return fired

    def _fire(self, name: str, wakeups: list[WakeUp], report: CycleReport,
              now: datetime) -> None:
        adapter = self.adapters.get(name)
        if adapter is None:  # the adapter left the config: nothing can act on these records
            for w in wakeups:
                self.store.reschedule(name, w.record_id, w.kind, None, "", w)
            return
        spec = self.config.adapter(name)
        kinds = {w.kind for w in wakeups}
        query_kinds = tuple(sorted(kinds)) if "" not in kinds else spec.kinds
        try:
            records = list(adapter.fetch_records(RecordQuery(
                query_kinds, ids=tuple(w.record_id for w in wakeups), fields=spec.fields)))
        except CsiRulesError as exc:
            self._error(report, f"wake-up {name}", str(exc))
            retry = now + timedelta(seconds=self.config.retry_after)
            for w in wakeups:
                self.store.reschedule(name, w.record_id, w.kind, retry, "retry", w)
            return
        claimed = {w.record_id: w for w in wakeups}
        found = {r.id for r in records}
        for w in wakeups:
            if w.record_id not in found:  # deleted, or no longer matches the adapter's filter
                self.store.reschedule(name, w.record_id, w.kind, None, "", w)
        handed = {w.record_id for w in wakeups if w.reason == "backlog"}  # SharedWork.keep_own
        if handed:
            report.tally.add(self.pipeline.process(
                name, [r for r in records if r.id in handed], claimed, backlog=True))
        report.tally.add(self.pipeline.process(
            name, [r for r in records if r.id not in handed], claimed))

    def _error(self, report: CycleReport, scope: str, message: str) -> None:
        report.errors.append(f"{scope}: {message}")
        self._record_error(scope, message)

    def _record_error(self, scope: str, message: str) -> None:
        """Store, metrics and event; the caller counts it (report or tally)."""
        self.store.record_error(scope, message, self.clock.now())
        self.metrics.inc("csi_rules_errors_total", scope=scope.split(" ", 1)[0])
        self.reporter.event(scope.split(" ", 1)[0].replace("-", "") + "_error", scope=scope,
                            error=message)
