"""N-version checking of live decisions: every Nth record is matched by a second engine too.

`VerifyingMatcher` answers with its primary engine (the compiled matcher by default) and
re-evaluates a deterministic sample (every `every`-th record) on the verifying engine
(durable-rules by default). Any difference is counted, kept (the most recent few) and passed
to `on_disagreement`, so the runner can report it in /metrics, `status` and the audit log.
The live answer is never delayed by more than the sample's second evaluation, and a failing
verifier never fails a live decision: it is counted as a verification error instead.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.engine.groups import MatchResult, RuleGroup
from csi_rules.engine.select import make_matcher
from csi_rules.errors import CsiRulesError, EngineError
from csi_rules.records.model import Record


@dataclass(frozen=True)
class Disagreement:
    """One record on which the two engines gave different rule keys for a group."""

    record: str  # kind and label, as messages name records
    group_id: str
    primary: tuple[str, ...]
    secondary: tuple[str, ...]
    engines: tuple[str, str]

    def describe(self) -> str:
        return (f"{self.record}: group {self.group_id}: {self.engines[0]} matched "
                f"{list(self.primary)}, {self.engines[1]} matched {list(self.secondary)}")


class VerifyingMatcher:
    """A `Matcher` whose sampled answers are checked against a second engine."""

    def __init__(self, groups: Sequence[RuleGroup], *, engine: str = "compiled",
                 verify_with: str = "durable", every: int = 10,
                 on_disagreement: Callable[[Disagreement], None] | None = None,
                 keep: int = 20, **verifier_options: Any):
        if every < 1:
            raise EngineError(f"verify sample: every must be at least 1, got {every}")
        if engine == verify_with:
            raise EngineError(f"verify: the verifying engine must differ from {engine!r}")
        self.engines = (engine, verify_with)
        self.every = every
        self._primary = make_matcher(groups, engine)
        self._secondary = make_matcher(groups, verify_with, **verifier_options)
        self._on_disagreement = on_disagreement
        self._lock = threading.Lock()
        self._seen = 0
        self.checked = self.disagreed = self.errors = 0
        self.recent: deque[Disagreement] = deque(maxlen=keep)

    def match(self, record: Record, now: datetime) -> MatchResult:
        return self.match_many([record], now)[0]

    def match_many(self, records: Iterable[Record], now: datetime) -> list[MatchResult]:
        items = list(records)
        results: list[MatchResult] = self._primary.match_many(items, now)
        with self._lock:
            start, self._seen = self._seen, self._seen + len(items)
        picked = [i for i in range(len(items)) if (start + i) % self.every == 0]
        if picked:
            self._verify([items[i] for i in picked], [results[i] for i in picked], now)
        return results

    def _verify(self, records: list[Record], answers: list[MatchResult], now: datetime) -> None:
        try:
            second = self._secondary.match_many(records, now)
        except CsiRulesError:
            with self._lock:
                self.errors += 1
            return
        found = [Disagreement(f"{r.kind} {r.label}", gid, tuple(a.get(gid, [])),
                              tuple(b.get(gid, [])), self.engines)
                 for r, a, b in zip(records, answers, second, strict=True)
                 for gid in sorted(set(a) | set(b)) if a.get(gid, []) != b.get(gid, [])]
        with self._lock:
            self.checked += len(records)
            self.disagreed += len(found)
            self.recent.extend(found)
        for item in found:
            if self._on_disagreement is not None:
                self._on_disagreement(item)

    def summary(self) -> dict[str, Any]:
        """What `status` and /metrics show."""
        with self._lock:
            return {"engine": self.engines[0], "verify_with": self.engines[1],
                    "every": self.every, "checked": self.checked,
                    "disagreements": self.disagreed, "errors": self.errors,
                    "recent": [d.describe() for d in self.recent]}

    def close(self) -> None:
        self._primary.close()
        self._secondary.close()

    def __enter__(self) -> VerifyingMatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
