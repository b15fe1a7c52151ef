"""One read per page instead of one per action: the values the steps compare, read in bulk.

Before the runner acts on a batch, the adapter reads, for the batch's records, the columns its
field writes compare (one Table API query per 100 sys_ids, `sys_idIN...`) and the work-note
markers already written (one `sys_journal_field` query per 100 records). A step's `pending`
check then answers from this snapshot instead of its own GET.

Freshness: the snapshot is taken when the batch starts, so it is at most one batch old, and it
is dropped when the batch ends. A write to a record drops that record's columns (a business
rule may have changed any of them) and the written marker's answer, so every read-back that
confirms a write, and every check after an ambiguous write, goes to the instance as before.
Other markers of the record stay: a work note adds only its own marker. A change made on the
platform between the snapshot and the write is handled as if it came just after the action:
a field found already equal is `already_applied` and the later change stands (the next cycle
sees the record updated and evaluates it again); a field found different is written, and the
read-back confirms what the record holds. Anything not in the snapshot (another column, a
record outside the batch, a display-value journal check, a public comment) is read as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from csi_rules_servicenow.client import TableClient

CHUNK = 100  # sys_ids per query: keeps the URL well under instance and proxy limits
MARKERS = re.compile(r"\[csi-rules:[A-Za-z0-9._:-]*\]")
MARKER_PREFIX = "[csi-rules:"


@dataclass
class Wanted:
    """What a batch's steps will compare on one table."""

    sys_ids: set[str] = field(default_factory=set)
    columns: set[str] = field(default_factory=set)
    notes: set[str] = field(default_factory=set)  # records whose work-note markers are checked


@dataclass
class Snapshot:
    """Columns and work-note markers per (table, sys_id), as read at the start of a batch."""

    columns: dict[str, frozenset[str]] = field(default_factory=dict)  # table -> columns read
    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    markers: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    unsure: set[tuple[str, str, str]] = field(default_factory=set)  # (table, sys_id, marker)

    def row(self, table: str, sys_id: str, wanted: Iterable[str]) -> dict[str, Any] | None:
        """The record's columns when every wanted one was read, else None (read it yourself)."""
        row = self.rows.get((table, sys_id))
        if row is None or not set(wanted) <= self.columns.get(table, frozenset()):
            return None
        return row

    def has_marker(self, table: str, sys_id: str, tag: str) -> bool | None:
        """Whether a work note with `tag` exists; None when the snapshot cannot say."""
        found = self.markers.get((table, sys_id))
        if found is None or (table, sys_id, tag) in self.unsure:
            return None
        return tag in found

    def wrote(self, table: str, sys_id: str, tag: str = "") -> None:
        """A write was sent (or may have been): what it can have changed is read again."""
        self.rows.pop((table, sys_id), None)
        if tag:
            self.unsure.add((table, sys_id, tag))


def take(client: TableClient, wanted: Mapping[str, Wanted]) -> Snapshot:
    """Read the snapshot: per table, one query per CHUNK records for columns and for markers."""
    snapshot = Snapshot()
    for table, want in wanted.items():
        if want.columns:
            columns = sorted(want.columns | {"sys_id"})
            snapshot.columns[table] = frozenset(columns)
            for chunk in _chunks(want.sys_ids):
                for row in _all(client, table, f"sys_idIN{','.join(chunk)}", ",".join(columns)):
                    snapshot.rows[(table, _plain(row.get("sys_id")))] = row
        for chunk in _chunks(want.notes):
            for sys_id in chunk:
                snapshot.markers[(table, sys_id)] = set()
            query = (f"element_idIN{','.join(chunk)}^element=work_notes"
                     f"^valueLIKE{MARKER_PREFIX}")
            for row in _all(client, "sys_journal_field", query, "element_id,value"):
                found = snapshot.markers.get((table, _plain(row.get("element_id"))))
                if found is not None:
                    found.update(MARKERS.findall(_plain(row.get("value"))))
    return snapshot


def _all(client: TableClient, table: str, query: str, fields: str) -> Iterator[dict[str, Any]]:
    """Every row of the query, paged by offset (ordered by sys_id so pages do not shift)."""
    offset = 0
    while True:
        rows, _ = client.list(table, {
            "sysparm_query": query + "^ORDERBYsys_id", "sysparm_fields": fields,
            "sysparm_limit": str(CHUNK * 10), "sysparm_offset": str(offset),
            "sysparm_exclude_reference_link": "true", "sysparm_no_count": "true"})
        yield from rows
        if len(rows) < CHUNK * 10:
            return
        offset += len(rows)


def _chunks(ids: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def _plain(cell: Any) -> str:
    if isinstance(cell, dict):
        cell = cell.get("value", "")
    return "" if cell is None else str(cell)
