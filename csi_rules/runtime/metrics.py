"""Counters the runner and the server share, rendered in the Prometheus text format.

Counters live in memory (they restart at zero with the process, as Prometheus expects);
gauges that must survive restarts (queue depth, sync lag, ledger states) are read from the
store at scrape time.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from datetime import datetime

from csi_rules.runtime.store import Store

_HELP = {
    "csi_rules_records_evaluated_total": ("counter", "Records evaluated."),
    "csi_rules_decisions_total": ("counter", "Decisions that led to action attempts, by kind."),
    "csi_rules_actions_total": ("counter", "Action attempts by final status."),
    "csi_rules_notifications_total": ("counter", "Notifications by channel and result "
                                      "(sent, failed)."),
    "csi_rules_errors_total": ("counter", "Errors by scope (sync, action, evaluate, ...)."),
    "csi_rules_wakeups_fired_total": ("counter", "Scheduled wake-ups that fired."),
    "csi_rules_webhooks_total": ("counter", "Webhook deliveries by source and result."),
    "csi_rules_policy_reloads_total": ("counter", "Policy reloads by result."),
    "csi_rules_engine_disagreements_total": ("counter", "Sampled live records the verifying "
                                             "engine decided differently, by rule group."),
    "csi_rules_gate_requests_total": ("counter", "POST /v1/gate answers by verdict."),
    "csi_rules_http_requests_total": ("counter", "HTTP requests by path and status."),
}


def _labels(labels: tuple[tuple[str, str], ...]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Metrics:
    def __init__(self) -> None:
        self._counts: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()
        self._lock = threading.Lock()

    def inc(self, name: str, amount: int = 1, **labels: str) -> None:
        with self._lock:
            self._counts[(name, tuple(sorted(labels.items())))] += amount

    def value(self, name: str, **labels: str) -> int:
        with self._lock:
            return self._counts[(name, tuple(sorted(labels.items())))]

    def render(self, store: Store, now: datetime,
               adapters: Mapping[str, str] | None = None) -> str:
        """Prometheus exposition text: counters, then gauges read from the store."""
        lines: list[str] = []
        with self._lock:
            counts = dict(self._counts)
        for name, (kind, help_text) in _HELP.items():
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
            series = sorted((labels, n) for (metric, labels), n in counts.items()
                            if metric == name)
            lines += [f"{name}{_labels(labels)} {n}" for labels, n in series]
        total, due = store.wakeup_counts(now)
        lines += ["# HELP csi_rules_wakeups_queued Wake-ups waiting in the queue.",
                  "# TYPE csi_rules_wakeups_queued gauge", f"csi_rules_wakeups_queued {total}",
                  "# HELP csi_rules_wakeups_overdue Wake-ups already due and not yet fired.",
                  "# TYPE csi_rules_wakeups_overdue gauge", f"csi_rules_wakeups_overdue {due}",
                  "# HELP csi_rules_ledger_actions Actions in the ledger by state.",
                  "# TYPE csi_rules_ledger_actions gauge"]
        lines += [f'csi_rules_ledger_actions{{state="{s}"}} {n}'
                  for s, n in sorted(store.ledger_counts().items())]
        lines += ["# HELP csi_rules_sync_lag_seconds Seconds since the adapter's last "
                  "completed sync.", "# TYPE csi_rules_sync_lag_seconds gauge"]
        for cursor in store.cursors():
            if cursor.synced_at is not None:
                lag = max(0.0, (now - cursor.synced_at).total_seconds())
                lines.append(f'csi_rules_sync_lag_seconds{{adapter="{_escape(cursor.adapter)}"}} '
                             f"{lag:.3f}")
        return "\n".join(lines) + "\n"
