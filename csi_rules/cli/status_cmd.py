"""`csi-rules status --config FILE`: watermarks, the wake-up queue, the ledger and last errors."""

from __future__ import annotations

import argparse
import json
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from csi_rules.audit import verify
from csi_rules.clock import system_now
from csi_rules.runtime import load_config
from csi_rules.runtime.postgres_config import open_existing_store


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
    disagreements: deque[dict[str, Any]] = deque(maxlen=limit)
    dry_cycles: deque[dict[str, Any]] = deque(maxlen=1)
    result = verify(_noting_disagreements(store.audit(), disagreements, dry_cycles))  # one pass
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
        "dry_run": _dry_run(store),
        "dry_run_cycle": dry_cycles[-1] if dry_cycles else None,
        "engine_disagreements": list(disagreements),
        "in_flight": len(store.inflight_decisions()),
        "audit": {"entries": result.entries, "head": result.head, "verified": result.ok},
        "errors": [{"at": e.at.isoformat(), "scope": e.scope, "message": e.message}
                   for e in store.last_errors(limit)],
        **({"leases": [{"name": n, "holder": h, "token": t, "expires_at": x.isoformat(),
                        "live": live} for n, h, t, x, live in store.lease_table()]}
           if hasattr(store, "lease_table") else {}),  # PostgreSQL: who holds what
    }


def _noting_disagreements(rows: Iterable[Any], found: deque[dict[str, Any]],
                          dry_cycles: deque[dict[str, Any]]) -> Iterator[Any]:
    """The audit rows unchanged, keeping verify mode's findings (newest last) on the way:
    the engines decided a live record differently; and the last dry-run cycle's summary."""
    for row in rows:
        kind = row.entry.get("type")
        if kind == "engine_disagreement":
            found.append({"at": row.entry["at"], "detail": row.entry["detail"]})
        elif kind == "dry_run_cycle":
            dry_cycles.append({k: v for k, v in row.entry.items() if k not in ("type", "record")})
        yield row


def _dry_run(store: Any) -> dict[str, Any] | None:
    """What a dry run saw and would have done: its logged actions not yet applied live."""
    rows = store.ledger_entries(state="dry_run")
    if not rows:
        return None
    by_adapter: dict[str, set[str]] = {}
    by_type: dict[str, int] = {}
    for row in rows:
        by_adapter.setdefault(row.adapter, set()).add(row.record_id)
        by_type[row.action_type] = by_type.get(row.action_type, 0) + 1
    return {"actions": len(rows), "last_at": max(r.updated_at for r in rows).isoformat(),
            "records": {a: len(ids) for a, ids in sorted(by_adapter.items())},
            "by_type": dict(sorted(by_type.items()))}


def _dry_cycle_lines(cycle: dict[str, Any] | None) -> list[str]:
    """What the last dry-run cycle read and decided, even when it had nothing to apply."""
    if cycle is None:
        return []
    read = ", ".join(f"{n} {a}" for a, n in (cycle.get("synced") or {}).items()) or "no"
    line = (f"last dry run ({cycle['at']}): read {read} record(s), "
            f"{cycle.get('decisions', 0)} decision(s), {cycle.get('actions', 0)} action(s)")
    if cycle.get("first_seen"):
        line += (f"; {cycle['first_seen']} ticket(s) seen for the first time, "
                 f"{cycle.get('set_aside', 0)} earlier crossing(s) set aside")
    if cycle.get("errors"):
        line += f"; {cycle['errors']} error(s)"
    return [line]


def _dry_run_lines(dry: dict[str, Any] | None) -> list[str]:
    if dry is None:
        return []
    records = ", ".join(f"{n} {a}" for a, n in dry["records"].items())
    kinds = ", ".join(f"{t} {n}" for t, n in dry["by_type"].items())
    return [f"dry run (last {dry['last_at']}): {dry['actions']} action(s) on {records} record(s) "
            f"would be applied ({kinds}); a live run applies them once "
            "(csi-rules log show --record ID for the decisions)"]


def _text(status: dict[str, Any]) -> str:
    lines = [f"status at {status['now']}", "adapters:"]
    lines += [f"  {a['name']}: watermark {a['watermark'] or '-'}, last sync "
              f"{a['last_sync'] or 'never'} ({a['lag_seconds']} s ago)"
              for a in status["adapters"]] or [
        "  (never synced by a live run; a dry run moves no watermark)"
        if status.get("dry_run_cycle") else "  (never synced)"]
    w = status["wakeups"]
    lines.append(f"wake-ups: {w['queued']} queued, {w['due']} due")
    lines += [f"  {n['due_at']}  {n['adapter']}/{n['record']} ({n['kind'] or '?'}, {n['reason']})"
              for n in w["next"]]
    ledger = ", ".join(f"{k} {v}" for k, v in sorted(status["ledger"].items())) or "empty"
    lines.append(f"actions: {ledger}; decisions in flight: {status['in_flight']}")
    lines += _dry_cycle_lines(status.get("dry_run_cycle"))
    lines += _dry_run_lines(status.get("dry_run"))
    found = status.get("engine_disagreements") or []
    lines.append(f"engine disagreements (verify mode): {len(found)}" if found else
                 "engine disagreements (verify mode): none")
    lines += [f"  {d['at']}  {d['detail']}" for d in found]
    a = status["audit"]
    lines.append(f"audit log: {a['entries']} entries, head {a['head'][:16]}, "
                 f"{'verified' if a['verified'] else 'BROKEN (run csi-rules log verify)'}")
    lines.append("last errors:" if status["errors"] else "last errors: none")
    lines += [f"  {e['at']}  {e['scope']}: {e['message']}" for e in status["errors"]]
    if "leases" in status:
        held = [x for x in status["leases"] if x["live"]]
        holders = sorted({x["holder"] for x in held})
        lines.append(f"leases: {len(held)} live, held by {len(holders)} runner(s)")
        lines += [f"  {h}: " + ", ".join(x["name"] for x in held if x["holder"] == h)
                  for h in holders]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    store = open_existing_store(config)
    try:
        status = collect(store, system_now(), args.limit)
    finally:
        store.close()
    print(json.dumps(status, indent=2) if args.format == "json" else _text(status))
    return 0
