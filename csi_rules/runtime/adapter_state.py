"""An adapter's incremental-sync memory, as JSON the store keeps next to the watermark.

Adapters keep their dedupe memory differently (ServiceNow: `sync_state` with to_json/from_json;
Jira: a `ledger` with dump()); this is the one place that knows both shapes, so the runner can
persist them in the same transaction as the watermark instead of in side files.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any


def export_state(adapter: Any) -> dict[str, Any] | None:
    state = getattr(adapter, "sync_state", None)
    if state is not None and hasattr(state, "to_json"):
        return {"sync_state": state.to_json()}
    ledger = getattr(adapter, "ledger", None)
    if ledger is not None and hasattr(ledger, "dump"):
        return {"ledger": ledger.dump()}
    return None


def import_state(adapter: Any, data: Mapping[str, Any] | None) -> None:
    """Put `data` (from export_state) back; None resets the memory (a re-read is safe)."""
    state = getattr(adapter, "sync_state", None)
    if state is not None and hasattr(type(state), "from_json"):
        adapter.sync_state = type(state).from_json((data or {}).get("sync_state", {}))
        return
    ledger = getattr(adapter, "ledger", None)
    if ledger is not None and hasattr(ledger, "dump"):
        fresh = type(ledger)()
        dump = (data or {}).get("ledger") or {}
        for key, updated in dump.get("seen", ()):
            fresh.add(key, updated)
        if dump.get("watermark"):
            fresh.watermark = datetime.fromisoformat(dump["watermark"])
        adapter.ledger = fresh
