"""DurableMatcher: the engine facade. Rule groups in, `match(record, now)` out.

`isolation="process"` (default) runs durable-rules in a worker process (see `worker` for
why); `isolation="inline"` runs it in this process, for tests and benchmarks that want to
see durable's own cost. Results are identical to `reference.ReferenceMatcher`.

Crash policy (process isolation): when the worker dies on a batch, it is restarted and the
batch is retried once. If the retry dies too, the worker is restarted again and the batch's
records are evaluated one at a time to find the record that kills it; EngineError then
names that record. The matcher stays usable afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Literal

from csi_rules.engine.compiler import compile_groups
from csi_rules.engine.groups import MatchResult, RuleGroup
from csi_rules.engine.lookup import require_aware
from csi_rules.engine.runner import Answers, Batch, Projection, run_batch
from csi_rules.engine.worker import WorkerCrashed, WorkerProcess
from csi_rules.errors import EngineError
from csi_rules.records.model import Record

Isolation = Literal["process", "inline"]


@dataclass
class FaultPlan:
    """Test-only fault injection: the worker segfaults (or hangs) on batches holding one of
    these record ids, `times` times in all (a negative number: every time)."""

    crash_on: frozenset[str]
    times: int = 1
    how: Literal["segfault", "hang"] = "segfault"


class _Inline:
    """The runtime in this process; rebuilt after any failure that left it unusable."""

    def __init__(self, matcher: DurableMatcher):
        from csi_rules.engine.durable_host import DurableRuntime

        self._new = lambda: DurableRuntime(matcher.program)
        self._runtime = self._new()
        self._program = matcher.program
        self._answers: Answers = []

    def submit(self, batch: Batch) -> None:
        try:
            self._answers = run_batch(self._runtime, self._program, batch)
        except EngineError:
            if self._runtime.broken:
                self._runtime = self._new()
            raise

    def result(self) -> Answers:
        return self._answers

    def restart(self) -> None:
        self._runtime = self._new()

    def close(self) -> None:
        """Nothing to release: the runtime has no threads and no process."""


class DurableMatcher:
    """Matches records against rule groups with durable-rules doing the matching."""

    def __init__(self, groups: Sequence[RuleGroup], *, isolation: Isolation = "process",
                 batch_size: int = 500, timeout: float = 120.0, faults: FaultPlan | None = None):
        if isolation not in ("process", "inline"):
            raise EngineError(f"isolation must be 'process' or 'inline', got {isolation!r}")
        if batch_size < 1:
            raise EngineError(f"batch_size must be at least 1, got {batch_size}")
        self.program = compile_groups(groups)
        self.isolation = isolation
        self.batch_size = batch_size
        self._faults = faults
        self._projection = Projection(self.program)
        self._backend: _Inline | WorkerProcess | None = (
            WorkerProcess(self.program, timeout) if isolation == "process" else _Inline(self)
        )
        self.restarts = 0
        self._lock = threading.Lock()  # one batch in flight at a time, whoever calls

    def match(self, record: Record, now: datetime) -> MatchResult:
        return self.match_many([record], now)[0]

    def match_many(self, records: Iterable[Record], now: datetime) -> list[MatchResult]:
        """Results in input order; batches are projected while the previous one is evaluated."""
        require_aware(now)
        items = list(records)
        with self._lock:
            return self._match_many(self._live_backend(), items, now)

    def _match_many(self, backend: _Inline | WorkerProcess, items: list[Record],
                    now: datetime) -> list[MatchResult]:
        out: list[MatchResult] = []
        in_flight: tuple[Sequence[Record], Batch] | None = None
        try:
            for start in range(0, len(items), self.batch_size):
                chunk = items[start:start + self.batch_size]
                batch = self._build(chunk, now)  # may raise RecordError for a bad record
                if in_flight is not None:
                    done, in_flight = in_flight, None
                    out.extend(self._finish(backend, *done, now))
                self._submit(backend, chunk, batch, now)
                in_flight = (chunk, batch)
            if in_flight is not None:
                done, in_flight = in_flight, None
                out.extend(self._finish(backend, *done, now))
        except BaseException as exc:
            if in_flight is not None:  # never leave an answer behind for the next call
                self._drain(backend, interrupted=not isinstance(exc, Exception))
            raise
        return out

    def _drain(self, backend: _Inline | WorkerProcess, interrupted: bool) -> None:
        if interrupted:
            self._restart(backend)
            return
        try:
            backend.result()
        except EngineError:
            self._restart(backend)

    def _build(self, chunk: Sequence[Record], now: datetime) -> Batch:
        batch = self._projection.build(chunk, now)
        plan = self._faults
        if plan and plan.times != 0 and any(r.id in plan.crash_on for r in chunk):
            batch.fault = plan.how
            plan.times -= 1 if plan.times > 0 else 0
        return batch

    def _submit(self, backend: _Inline | WorkerProcess, chunk: Sequence[Record], batch: Batch,
                now: datetime) -> None:
        try:
            backend.submit(batch)
        except WorkerCrashed:  # it died between batches: restart, resend (the one retry)
            self._restart(backend)
            backend.submit(self._build(chunk, now))

    def _finish(self, backend: _Inline | WorkerProcess, chunk: Sequence[Record], batch: Batch,
                now: datetime) -> list[MatchResult]:
        try:
            return self._projection.assemble(batch, backend.result())
        except WorkerCrashed:
            self._restart(backend)
        retry = self._build(chunk, now)
        try:
            backend.submit(retry)
            return self._projection.assemble(retry, backend.result())
        except WorkerCrashed as again:
            self._restart(backend)
            culprit = self._find_culprit(backend, chunk, now)
            raise EngineError(f"durable worker crashed twice on record {culprit}: "
                              f"{again}") from None

    def _find_culprit(self, backend: _Inline | WorkerProcess, chunk: Sequence[Record],
                      now: datetime) -> str:
        for record in chunk:
            single = self._build([record], now)
            try:
                backend.submit(single)
                backend.result()
            except WorkerCrashed:
                self._restart(backend)
                return f"{record.kind} {record.label}"
        return f"(one of {len(chunk)} records; none crashed alone)"

    def _restart(self, backend: _Inline | WorkerProcess) -> None:
        backend.restart()
        self.restarts += 1

    def _live_backend(self) -> _Inline | WorkerProcess:
        if self._backend is None:
            raise EngineError("this DurableMatcher is closed")
        return self._backend

    @property
    def worker_pid(self) -> int | None:
        return self._backend.pid if isinstance(self._backend, WorkerProcess) else None

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None

    def __enter__(self) -> DurableMatcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
