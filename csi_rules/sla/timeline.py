"""Rebuild what a ticket looked like at every moment from its field history.

A record carries its current fields and a `history` of transitions ({at, field, from, to}),
as ServiceNow audit rows and Jira changelogs give them. Conditions (start, pause, stop) are
evaluated on these snapshots; between two transitions nothing changes. When the history holds
no state change, `estimate.estimated_changes` adds the ones `resolved_at`/`closed_at` imply.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.records.fields import FIELDS
from csi_rules.records.model import Record, parse_datetime
from csi_rules.sla.estimate import estimated_changes, history_available

_ABSENT: Any = object()


@dataclass(frozen=True)
class Snapshot:
    """The record as it was from `at` until the next snapshot."""

    at: datetime
    record: Record


def _typed(field: str, value: Any) -> Any:
    spec = FIELDS.get(field)
    if spec is not None and spec.type == "datetime" and isinstance(value, str):
        return parse_datetime(value, f"history field {field}")
    return value


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path, copying the dicts on the way: earlier snapshots share them."""
    if "." not in path:
        data[path] = value
        return
    parts = path.split(".")
    for part in parts[:-1]:
        child = data.get(part, _ABSENT)
        if child is _ABSENT:
            child = {}
        elif type(child) is dict:
            child = dict(child)
        data[part] = child
        data = child
    data[parts[-1]] = value


def transitions(record: Record) -> list[tuple[datetime, str, Any, Any]]:
    """(at, field, from, to) in time order; equal instants keep their recorded order."""
    out = []
    for entry in record.data.get("history") or ():
        at = parse_datetime(entry["at"], "history at") if isinstance(entry["at"], str) else entry["at"]
        out.append((at, entry["field"], entry.get("from"), entry.get("to")))
    out.sort(key=lambda t: t[0])
    return out


def known_changes(record: Record) -> tuple[list[tuple[datetime, str, Any, Any]], str | None]:
    """The recorded transitions plus those the record's timestamps imply, and a note saying
    what was assumed (None when the history covers the state)."""
    return estimated_changes(record.data, transitions(record))


def history_note(record: Record) -> str | None:
    """What a clock over this record assumes for lack of history (see `sla.estimate`)."""
    return None if history_available(record.data) else known_changes(record)[1]


def start_instant(record: Record, changes: list[tuple[datetime, str, Any, Any]]) -> datetime | None:
    """When the ticket's life began: opened_at, else its first recorded change."""
    opened = record.get("opened_at")
    if isinstance(opened, datetime):
        return opened
    return changes[0][0] if changes else None


def snapshots(record: Record, until: datetime) -> Iterator[Snapshot]:
    """Snapshots from the ticket's start up to `until` (changes after `until` are ignored).

    The first snapshot holds, for every field with history, the `from` of its first change;
    fields without history keep their current value throughout.
    """
    changes, _ = known_changes(record)
    begin = start_instant(record, changes)
    if begin is None or begin > until:
        return
    data = {k: v for k, v in record.data.items() if k != "history"}
    data["raw"] = dict(data.get("raw") or {})
    first_seen: set[str] = set()
    for _, field, before, _ in changes:
        if field not in first_seen:
            first_seen.add(field)
            _set(data, field, _typed(field, before))
    i = 0
    while i < len(changes) and changes[i][0] <= begin:  # changes at (or recorded before) the start
        _set(data, changes[i][1], _typed(changes[i][1], changes[i][3]))
        i += 1
    yield Snapshot(begin, Record(dict(data)))  # nested dicts shared until _set copies them
    while i < len(changes) and changes[i][0] <= until:
        at = changes[i][0]
        while i < len(changes) and changes[i][0] == at:
            _set(data, changes[i][1], _typed(changes[i][1], changes[i][3]))
            i += 1
        yield Snapshot(at, Record(dict(data)))
