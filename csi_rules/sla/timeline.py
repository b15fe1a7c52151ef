"""Rebuild what a ticket looked like at every moment from its field history.

A record carries its current fields and a `history` of transitions ({at, field, from, to}),
as ServiceNow audit rows and Jira changelogs give them. Conditions (start, pause, stop) are
evaluated on these snapshots; between two transitions nothing changes. When the history holds
no state change, `estimate.estimated_changes` adds the ones `resolved_at`/`closed_at` imply.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from operator import itemgetter
from typing import Any, NamedTuple

from csi_rules.records.fields import FIELDS
from csi_rules.records.model import Record, parse_datetime
from csi_rules.sla.estimate import estimated_changes, history_available


class Snapshot(NamedTuple):
    """The record as it was from `at` until the next snapshot (a named pair: a ticket has a
    handful, and tens of thousands of tickets are evaluated at once)."""

    at: datetime
    record: Record


_DATETIME_FIELDS = frozenset(n for n, s in FIELDS.items() if s.type == "datetime")
_FIRST = itemgetter(0)
INSTANTS_KEPT = 1 << 16
"""History instants kept parsed by their text; starts over when full."""
_instants: dict[str, datetime] = {}
_offsets: dict[timezone, timezone] = {}


def history_instant(text: str, what: str) -> datetime:
    """`parse_datetime(text, what)`, the same object for the same text, and one `timezone`
    object shared by every instant parsed with the same fixed offset: two aware datetimes
    compare ~40x faster when they share their tzinfo object (otherwise each comparison asks
    both for their offset), and a ticket's history is sorted, grouped and clipped by
    comparing its instants. Same values, same text (a fixed offset's object has no name)."""
    found = _instants.get(text)
    if found is None:
        found = parse_datetime(text, what)
        zone = found.tzinfo
        if type(zone) is timezone:
            shared = _offsets.setdefault(zone, zone)
            if shared is not zone:
                found = found.replace(tzinfo=shared)
        if len(_instants) >= INSTANTS_KEPT:
            _instants.clear()
            _offsets.clear()  # (offsets to the µs could otherwise grow it without end)
        _instants[text] = found
    return found


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path, copying the dicts on the way: earlier snapshots share them."""
    if "." not in path:
        data[path] = value
        return
    parts = path.split(".")
    for part in parts[:-1]:
        child = data.get(part)
        # a copy of the object there; else (absent, null, or a value the history itself
        # changed from an object to text) the object this change says was there
        child = dict(child) if type(child) is dict else {}
        data[part] = child
        data = child
    data[parts[-1]] = value


def transitions(record: Record) -> list[tuple[datetime, str, Any, Any]]:
    """(at, field, from, to) in time order; equal instants keep their recorded order."""
    out = []
    instant = history_instant
    for entry in record.data.get("history") or ():
        at = entry["at"]
        if type(at) is str:
            at = instant(at, "history at")
        elif isinstance(at, str):
            at = parse_datetime(at, "history at")
        out.append((at, entry["field"], entry.get("from"), entry.get("to")))
    out.sort(key=_FIRST)
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
    data = dict(record.data)
    data.pop("history", None)
    data["raw"] = dict(data.get("raw") or {})
    # a plain field's history value is set as it is; a date-time or a dotted path via _put
    special = _DATETIME_FIELDS
    firsts: dict[str, Any] = {}  # each field's value before its first change, in time order
    for _, field, before, _ in changes:
        if field not in firsts:
            firsts[field] = before
    # set latest-first, so an earlier change's value wins over what a later change of a
    # parent object says (raw.a.b changed at 10:30, raw.a as a whole at 11:00)
    for field, before in reversed(firsts.items()):
        if field in special or "." in field:
            _put(data, field, before)
        else:
            data[field] = before
    i, count = 0, len(changes)
    while i < count and changes[i][0] <= begin:  # changes at (or recorded before) the start
        _put(data, changes[i][1], changes[i][3])
        i += 1
    snapshot = tuple.__new__  # Snapshot(at, record) without the named tuple's Python __new__
    yield snapshot(Snapshot, (begin, Record(dict(data))))  # nested dicts shared until copied
    while count > i and changes[count - 1][0] > until:  # in time order: those up to `until`
        count -= 1
    while i < count:
        at = changes[i][0]
        while i < count:
            change = changes[i]
            if change[0] != at:
                break
            field = change[1]
            if field in special or "." in field:
                _put(data, field, change[3])
            else:
                data[field] = change[3]
            i += 1
        yield snapshot(Snapshot, (at, Record(dict(data))))


def _put(data: dict[str, Any], field: str, value: Any) -> None:
    """`field` of the snapshot being built set to a history value, in record terms."""
    if field in _DATETIME_FIELDS and isinstance(value, str):
        value = (history_instant(value, f"history field {field}") if type(value) is str
                 else parse_datetime(value, f"history field {field}"))
    if "." in field:
        _set(data, field, value)
    else:
        data[field] = value
