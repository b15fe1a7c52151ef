"""Incremental sync that loses nothing: watermark + overlap, keyset paging, dedupe.

- Lower bound: `sys_updated_on >= since - overlap` as a literal UTC time (literals in encoded
  queries are read as UTC; `javascript:gs.*` helpers would be in the API user's time zone).
  The overlap re-reads records committed late with an earlier timestamp.
- Order `ORDERBYsys_updated_on^ORDERBYsys_id` and page by keyset, not offset: after a page
  ending at (t, id) ask for `sys_updated_on > t` OR (`sys_updated_on = t` AND `sys_id > id`).
  Offset windows slide when records change or vanish mid-scan; a keyset does not, and a record
  updated mid-scan moves past the cursor, so it is read again in its new version.
- Dedupe on (sys_id, sys_mod_count): a version already yielded (in this sync or, through the
  overlap, an earlier one) is skipped; an older version never follows a newer one.
The state to persist between runs is small: `SyncState.to_json()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from csi_rules_servicenow.timefmt import format_time

ORDER = "ORDERBYsys_updated_on^ORDERBYsys_id"
FetchPage = Callable[[str, int], list[dict[str, Any]]]
"""fetch_page(encoded_query, limit) -> rows (raw or display_value=all cells)."""


def _value(row: Mapping[str, Any], name: str) -> str:
    cell = row.get(name, "")
    if isinstance(cell, Mapping):
        cell = cell.get("value", "")
    return "" if cell is None else str(cell)


@dataclass
class SyncState:
    """Per-table: sys_id -> (last sys_mod_count yielded, its sys_updated_on)."""

    seen: dict[str, dict[str, tuple[int, str]]] = field(default_factory=dict)

    def is_new(self, table: str, sys_id: str, mod_count: int) -> bool:
        previous = self.seen.get(table, {}).get(sys_id)
        return previous is None or mod_count > previous[0]

    def remember(self, table: str, sys_id: str, mod_count: int, updated_on: str) -> None:
        self.seen.setdefault(table, {})[sys_id] = (mod_count, updated_on)

    def prune(self, table: str, before: datetime) -> None:
        """Forget versions updated before `before`: a query from there cannot return them."""
        cutoff = format_time(before)
        entries = self.seen.get(table, {})
        for sys_id in [k for k, (_, at) in entries.items() if at < cutoff]:
            del entries[sys_id]

    def to_json(self) -> dict[str, Any]:
        return {t: {k: [m, at] for k, (m, at) in e.items()} for t, e in self.seen.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SyncState:
        return cls({t: {k: (int(v[0]), str(v[1])) for k, v in e.items()} for t, e in data.items()})


def keyset_query(base: str, lower: str | None, cursor: tuple[str, str] | None) -> str:
    """The encoded query for the next page (base filter repeated in each ^NQ group)."""
    prefix = f"{base}^" if base else ""
    if cursor is None:
        bound = f"sys_updated_on>={lower}^" if lower else ""
        return f"{prefix}{bound}{ORDER}"
    at, sys_id = cursor
    return (f"{prefix}sys_updated_on>{at}^NQ{prefix}sys_updated_on={at}^sys_id>{sys_id}^{ORDER}")


def sync_table(table: str, fetch_page: FetchPage, state: SyncState, *, base: str,
               since: datetime | None, overlap: timedelta,
               page_size: int) -> Iterator[list[dict[str, Any]]]:
    """Yield pages of rows not seen before (in their current version), oldest first.

    `since=None` is a full sync and starts from an empty memory for the table; otherwise the
    memory is first trimmed to the new window (older entries cannot be returned again).
    """
    if since is not None and since.tzinfo is None:
        raise ValueError("sync `since` must be timezone-aware (naive times are ambiguous)")
    if since is None:
        state.seen.pop(table, None)
        lower = None
    else:
        state.prune(table, since - overlap)
        lower = format_time(since - overlap)
    cursor: tuple[str, str] | None = None
    while True:
        rows = fetch_page(keyset_query(base, lower, cursor), page_size)
        fresh = []
        for row in rows:
            sys_id, updated_on = _value(row, "sys_id"), _value(row, "sys_updated_on")
            mod_count = int(_value(row, "sys_mod_count") or 0)
            if state.is_new(table, sys_id, mod_count):
                state.remember(table, sys_id, mod_count, updated_on)
                fresh.append(row)
        if fresh:
            yield fresh
        if len(rows) < page_size:
            return
        last = rows[-1]
        cursor = (_value(last, "sys_updated_on"), _value(last, "sys_id"))
