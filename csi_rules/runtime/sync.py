"""One adapter's incremental sync: fetch what changed since the watermark, in batches, and
move the watermark only past records that were fully processed.

The watermark is the latest `updated_at` processed, checkpointed after every batch (adapters
return records oldest first, and re-read an overlap below `since`). The adapter's dedupe
memory is saved only when a sync completes: it may already list records the runner had not
processed yet, so after a failed sync it is put back as it was, and a re-read is the cost.

A dry run moves its cursors in memory only (`ShadowCursors`): what it read is still "new" to
the next live run, which then applies what the dry run only logged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from csi_rules.adapter import Adapter, RecordQuery
from csi_rules.records.model import Record
from csi_rules.runtime.adapter_state import export_state, import_state
from csi_rules.runtime.clock import Clock
from csi_rules.runtime.config import AdapterConfig
from csi_rules.runtime.events import Reporter
from csi_rules.runtime.store import Cursor
from csi_rules.runtime.unmapped import UnmappedValues


class CursorStore(Protocol):
    """The part of the Store a sync uses."""

    def get_cursor(self, adapter: str) -> Cursor | None: ...

    def save_cursor(self, adapter: str, watermark: datetime | None,
                    sync_state: Mapping[str, Any] | None, synced_at: datetime, *,
                    keep_sync_state: bool = False) -> None: ...


class ShadowCursors:
    """Cursors for a dry run: read from the store, moved in memory only, never written."""

    def __init__(self, store: CursorStore):
        self._store = store
        self._moved: dict[str, Cursor] = {}

    def get_cursor(self, adapter: str) -> Cursor | None:
        return self._moved.get(adapter) or self._store.get_cursor(adapter)

    def save_cursor(self, adapter: str, watermark: datetime | None,
                    sync_state: Mapping[str, Any] | None, synced_at: datetime, *,
                    keep_sync_state: bool = False) -> None:
        if keep_sync_state:
            previous = self.get_cursor(adapter)
            sync_state = previous.sync_state if previous else None
        self._moved[adapter] = Cursor(adapter, watermark, sync_state, synced_at)


@dataclass(frozen=True)
class SyncResult:
    adapter: str
    records: int
    since: datetime | None
    watermark: datetime | None


def _latest(current: datetime | None, records: list[Record]) -> datetime | None:
    for record in records:
        updated: Any = record.data.get("updated_at")
        if isinstance(updated, datetime) and (current is None or updated > current):
            current = updated
    return current


def sync_adapter(config: AdapterConfig, adapter: Adapter, store: CursorStore, clock: Clock,
                 process: Callable[[list[Record]], object], *, batch_size: int,
                 reporter: Reporter, full: bool = False,
                 unmapped: UnmappedValues | None = None) -> SyncResult:
    """Fetch, process (in batches of `batch_size`) and checkpoint; raises on fetch failure
    after processing what had arrived and restoring the adapter's saved memory."""
    cursor = store.get_cursor(config.name)
    since = None if full or cursor is None else cursor.watermark
    watermark, count, batch = since, 0, list[Record]()
    unmapped = unmapped if unmapped is not None else UnmappedValues()

    def flush() -> None:
        nonlocal watermark, batch
        if batch:
            items, batch = batch, []
            unmapped.report(config.name, items, reporter)
            process(items)
            watermark = _latest(watermark, items)
            store.save_cursor(config.name, watermark, None, clock.now(), keep_sync_state=True)
            reporter.progress(config.name, count)

    query = RecordQuery(tuple(config.kinds), since, fields=tuple(config.fields))
    try:
        for record in adapter.fetch_records(query):
            batch.append(record)
            count += 1
            if len(batch) >= batch_size:
                flush()
    except Exception:
        flush()
        import_state(adapter, cursor.sync_state if cursor else None)
        raise
    flush()
    store.save_cursor(config.name, watermark, export_state(adapter), clock.now())
    return SyncResult(config.name, count, since, watermark)
