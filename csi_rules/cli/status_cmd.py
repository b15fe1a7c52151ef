"""`csi-rules status --config FILE`: watermarks, the wake-up queue, the ledger and last errors."""

from __future__ import annotations

import argparse
import json
from typing import Any

from csi_rules.audit import verify
from csi_rules.clock import system_now
from csi_rules.runtime import load_config
from csi_rules.runtime.sqlite_store import open_existing


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="show sync watermarks, queued wake-ups and last errors")
    p.add_argument("--config", required=True, metavar="FILE")
    p.add_argument("--limit", type=int, default=20, help="wake-ups and errors to list")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def collect(store: Any, now: Any, limit: int) -> dict[str, Any]:
    total, due = store.wakeup_counts(now)
    result = verify(store.audit())
    return {
        "now": now.isoformat(),
        "adapters": [{"name": c.adapter, "watermark": _iso(c.watermark),
                      "last_sync": _iso(c.synced_at),
                      "lag_seconds": round((now - c.synced_at).total_seconds(), 1)
                      if c.synced_at else None} for c in store.cursors()],
        "wakeups": {"queued": total, "due": due, "next": [
            {"adapter": w.adapter, "record": w.record_id, "kind": w.kind,
             "due_at": w.due_at.isoformat(), "reason": w.reason}
            for w in store.wakeups(limit)]},
        "ledger": store.ledger_counts(),
        "in_flight": len(store.inflight_decisions()),
        "audit": {"entries": result.entries, "head": result.head, "verified": result.ok},
        "errors": [{"at": e.at.isoformat(), "scope": e.scope, "message": e.message}
                   for e in store.last_errors(limit)],
    }


def _text(status: dict[str, Any]) -> str:
    lines = [f"status at {status['now']}", "adapters:"]
    lines += [f"  {a['name']}: watermark {a['watermark'] or '-'}, last sync "
              f"{a['last_sync'] or 'never'} ({a['lag_seconds']} s ago)"
              for a in status["adapters"]] or ["  (never synced)"]
    w = status["wakeups"]
    lines.append(f"wake-ups: {w['queued']} queued, {w['due']} due")
    lines += [f"  {n['due_at']}  {n['adapter']}/{n['record']} ({n['kind'] or '?'}, {n['reason']})"
              for n in w["next"]]
    ledger = ", ".join(f"{k} {v}" for k, v in sorted(status["ledger"].items())) or "empty"
    lines.append(f"actions: {ledger}; decisions in flight: {status['in_flight']}")
    a = status["audit"]
    lines.append(f"audit log: {a['entries']} entries, head {a['head'][:16]}, "
                 f"{'verified' if a['verified'] else 'BROKEN (run csi-rules log verify)'}")
    lines.append("last errors:" if status["errors"] else "last errors: none")
    lines += [f"  {e['at']}  {e['scope']}: {e['message']}" for e in status["errors"]]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    store = open_existing(config.database)
    try:
        status = collect(store, system_now(), args.limit)
    finally:
        store.close()
    print(json.dumps(status, indent=2) if args.format == "json" else _text(status))
    return 0
